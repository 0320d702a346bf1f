import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import type { WwebMessageLike } from '../../src/channels/whatsapp-web/wweb.codec';
import type { Schedule } from '../../src/channels/whatsapp-web/wweb.connection';
import { WWEB_EVENTS, type SentMessageLike, type WhatsAppChatLike, type WhatsAppClientLike } from '../../src/channels/whatsapp-web/wweb.port';

/**
 * A stand-in for whatsapp-web.js's `Client`: the same public event names and methods, no
 * browser. Tests drive it like WhatsApp Web would (`showQr`, `link`, `receive`, `disconnect`)
 * and read what the bot did (`sent`, `typing`).
 */
export class FakeWwebClient extends EventEmitter implements WhatsAppClientLike {
  readonly sent: Array<{ chatId: string; content: string; id: string }> = [];
  readonly typing: string[] = [];
  initialized = false;
  destroyed = false;
  /** The next `sendMessage` calls throw this many times (a flaky page). */
  failNextSends = 0;

  constructor(readonly serial: number) {
    super();
  }

  async initialize(): Promise<void> {
    this.initialized = true;
  }

  async destroy(): Promise<void> {
    this.destroyed = true;
  }

  async sendMessage(chatId: string, content: string): Promise<SentMessageLike> {
    if (this.destroyed) throw new Error('Protocol error: Target closed');
    if (this.failNextSends > 0) {
      this.failNextSends -= 1;
      throw new Error('Evaluation failed: sending timed out');
    }
    const id = `true_${chatId}_${randomBytes(8).toString('hex').toUpperCase()}`;
    this.sent.push({ chatId, content, id });
    return { id: { _serialized: id } };
  }

  async getChatById(chatId: string): Promise<WhatsAppChatLike> {
    return {
      sendStateTyping: async () => {
        this.typing.push(chatId);
      },
    };
  }

  showQr(qr = `2@${randomBytes(24).toString('base64')},${randomBytes(16).toString('base64')}`): string {
    this.emit(WWEB_EVENTS.qr, qr);
    return qr;
  }

  /** Authenticated, then ready: what WhatsApp Web does once the phone has scanned the code. */
  link(): void {
    this.emit(WWEB_EVENTS.authenticated);
    this.emit(WWEB_EVENTS.ready);
  }

  receive(message: WwebMessageLike): void {
    this.emit(WWEB_EVENTS.message, message);
  }

  disconnect(reason = 'CONFLICT'): void {
    this.emit(WWEB_EVENTS.disconnected, reason);
  }

  authFailure(message = 'Unable to log in. Are the session details valid?'): void {
    this.emit(WWEB_EVENTS.authFailure, message);
  }

  /** Contents sent to one chat. */
  sentTo(chatId: string): string[] {
    return this.sent.filter((s) => s.chatId === chatId).map((s) => s.content);
  }
}

/** A client factory that keeps every client it built, newest last. */
export function fakeClientFactory(): { create: () => FakeWwebClient; clients: FakeWwebClient[]; latest: () => FakeWwebClient } {
  const clients: FakeWwebClient[] = [];
  return {
    clients,
    create: () => {
      const client = new FakeWwebClient(clients.length + 1);
      clients.push(client);
      return client;
    },
    latest: () => {
      const client = clients[clients.length - 1];
      if (!client) throw new Error('no client built yet');
      return client;
    },
  };
}

/** Reconnect timers the test fires by hand, so backoff needs no real waiting. */
export function manualTimers(): { schedule: Schedule; pending: Array<{ ms: number; fire: () => void }>; delays: number[] } {
  const pending: Array<{ ms: number; fire: () => void }> = [];
  const delays: number[] = [];
  const schedule: Schedule = (fn, ms) => {
    delays.push(ms);
    const entry = { ms, fire: fn };
    pending.push(entry);
    return () => {
      const index = pending.indexOf(entry);
      if (index >= 0) pending.splice(index, 1);
    };
  };
  return { schedule, pending, delays };
}

let counter = 0;

/** A Saudi mobile as a WhatsApp chat id, unique per seed. */
export function waChatId(seed: number): string {
  return `9665${String(seed).padStart(8, '0')}@c.us`;
}

type Overrides = Partial<WwebMessageLike> & { at?: Date };

function base(from: string, body: string, type: string, overrides: Overrides): WwebMessageLike {
  counter += 1;
  const { at, ...rest } = overrides;
  return {
    id: { _serialized: `false_${from}_3EB0${counter.toString(16).toUpperCase().padStart(16, '0')}` },
    from,
    fromMe: false,
    body,
    type,
    timestamp: Math.floor((at ?? new Date()).getTime() / 1000),
    hasMedia: false,
    isStatus: false,
    ...rest,
  };
}

/** Factories for whatsapp-web.js messages (public fields only), each with a fresh id. */
export const makeWwebMessage = {
  text: (from: string, body: string, overrides: Overrides = {}): WwebMessageLike => base(from, body, 'chat', overrides),
  image: (from: string, caption = '', overrides: Overrides = {}): WwebMessageLike => base(from, caption, 'image', { hasMedia: true, ...overrides }),
  voice: (from: string, overrides: Overrides = {}): WwebMessageLike => base(from, '', 'ptt', { hasMedia: true, ...overrides }),
  status: (from: string, body: string, overrides: Overrides = {}): WwebMessageLike =>
    base('status@broadcast', body, 'chat', { isStatus: true, ...overrides, id: { _serialized: `false_status@broadcast_${from}_${counter}` } }),
  group: (groupId: string, body: string, overrides: Overrides = {}): WwebMessageLike => base(groupId, body, 'chat', overrides),
  fromMe: (to: string, body: string, overrides: Overrides = {}): WwebMessageLike =>
    base(to, body, 'chat', { fromMe: true, ...overrides, id: { _serialized: `true_${to}_MINE${counter}` } }),
};
