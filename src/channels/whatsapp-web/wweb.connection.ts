import { z } from 'zod';
import type { ChannelHealth } from '../channel';
import type { Logger } from '../../logging/logger';
import { safeMessage } from './wweb.sender';
import { LOGOUT_REASON, WWEB_EVENTS, type WhatsAppClientLike } from './wweb.port';

/**
 * Keeps one live WhatsApp Web client: builds it, follows its lifecycle events, and rebuilds it
 * with exponential backoff after a disconnect. Events of a replaced client are ignored (each
 * client gets a generation number), so a late event from a dying browser cannot undo the new one.
 */

/** Where the link stands, as shown to staff on the QR route. */
export type WwebPhase = 'stopped' | 'starting' | 'qr' | 'authenticated' | 'ready' | 'reconnecting' | 'failed';

/** Runs `fn` after `ms`; returns a cancel function. Injected so tests need no real waits. */
export type Schedule = (fn: () => void, ms: number) => () => void;

export const realSchedule: Schedule = (fn, ms) => {
  const timer = setTimeout(fn, ms);
  return () => clearTimeout(timer);
};

export interface BackoffSettings {
  initialMs: number;
  maxMs: number;
}

/** 1 s, 2 s, 4 s … capped at 60 s; ±10 % jitter (none when `random` returns 0.5). */
export function backoffDelay(attempt: number, settings: BackoffSettings, random: () => number): number {
  const nominal = Math.min(settings.maxMs, settings.initialMs * 2 ** Math.min(attempt, 30));
  return Math.round(nominal * (0.9 + 0.2 * random()));
}

export interface ConnectionDeps {
  clientFactory: () => WhatsAppClientLike;
  logger: Logger;
  onMessage: (raw: unknown) => void;
  onQr: (qr: string) => void;
  schedule: Schedule;
  random: () => number;
  backoff: BackoffSettings;
}

/** How long a dying browser may take to close before the rebuild goes ahead anyway. */
const DESTROY_TIMEOUT_MS = 10_000;
const EventText = z.string().max(4096);

export class WwebConnection {
  private client: WhatsAppClientLike | null = null;
  private generation = 0;
  private attempts = 0;
  private cancelRebuild: (() => void) | null = null;
  private phase: WwebPhase = 'stopped';
  /** Why the link needs a person (auth failure, logged out); cleared by `ready`. */
  private failure: string | null = null;
  private qr: string | null = null;

  constructor(private readonly deps: ConnectionDeps) {}

  /** Builds and initialises the first client; returns at once (linking may wait for a QR scan). */
  start(): void {
    if (this.phase !== 'stopped') return;
    this.connect();
  }

  async stop(): Promise<void> {
    this.phase = 'stopped';
    this.generation += 1;
    this.cancelRebuild?.();
    this.cancelRebuild = null;
    const client = this.client;
    this.client = null;
    this.qr = null;
    if (client) await destroyQuietly(client);
  }

  /** The client, only while it is linked and ready to send. */
  readyClient(): WhatsAppClientLike | null {
    return this.phase === 'ready' ? this.client : null;
  }

  health(): ChannelHealth {
    if (this.failure) return { channel: 'whatsapp', state: 'failed', detail: this.failure };
    switch (this.phase) {
      case 'ready':
        return { channel: 'whatsapp', state: 'ready' };
      case 'reconnecting':
        return { channel: 'whatsapp', state: 'degraded', detail: 'disconnected from WhatsApp Web; reconnecting' };
      case 'qr':
        return { channel: 'whatsapp', state: 'starting', detail: 'waiting for the QR code to be scanned (GET /staff/whatsapp/qr)' };
      case 'stopped':
      case 'starting':
      case 'authenticated':
      case 'failed':
        return { channel: 'whatsapp', state: 'starting' };
      default: {
        const unreachable: never = this.phase;
        return unreachable;
      }
    }
  }

  qrState(): { state: WwebPhase; qr: string | null } {
    return { state: this.phase, qr: this.qr };
  }

  private connect(): void {
    const generation = ++this.generation;
    const client = this.deps.clientFactory();
    this.client = client;
    this.phase = 'starting';
    this.listen(client, generation);
    client.initialize().catch((error: unknown) => {
      this.deps.logger.error({ err: { message: safeMessage(error) } }, 'whatsapp web client failed to start');
      this.reconnect(generation, 'initialize failed');
    });
  }

  private listen(client: WhatsAppClientLike, generation: number): void {
    const live = (handler: (...args: unknown[]) => void) => (...args: unknown[]) => {
      if (generation === this.generation) handler(...args);
    };
    client.on(WWEB_EVENTS.qr, live((qr) => this.onQr(qr)));
    client.on(WWEB_EVENTS.authenticated, live(() => this.enter('authenticated')));
    client.on(WWEB_EVENTS.authFailure, live(() => this.fail('auth_failure', 'WhatsApp refused the saved session: scan the QR code if one is offered (GET /staff/whatsapp/qr), else restart the channel')));
    client.on(WWEB_EVENTS.ready, live(() => this.onReady()));
    client.on(WWEB_EVENTS.message, live((raw) => this.deps.onMessage(raw)));
    client.on(WWEB_EVENTS.disconnected, live((reason) => this.onDisconnected(generation, reason)));
    client.on(WWEB_EVENTS.changeState, live((state) => this.deps.logger.info({ state: EventText.safeParse(state).data ?? 'unknown' }, 'whatsapp web state changed')));
  }

  private onQr(raw: unknown): void {
    const qr = EventText.safeParse(raw);
    if (!qr.success) return;
    this.qr = qr.data;
    this.phase = 'qr';
    this.deps.logger.warn('whatsapp web needs linking: scan the QR code (terminal or GET /staff/whatsapp/qr)');
    this.deps.onQr(qr.data);
  }

  private onReady(): void {
    this.enter('ready');
    this.failure = null;
    this.attempts = 0;
    this.deps.logger.info('whatsapp web client ready');
  }

  private enter(phase: WwebPhase): void {
    this.phase = phase;
    this.qr = null;
  }

  private fail(event: string, detail: string): void {
    this.enter('failed');
    this.failure = detail;
    this.deps.logger.error({ event }, 'whatsapp web link needs staff attention');
  }

  private onDisconnected(generation: number, raw: unknown): void {
    const reason = EventText.safeParse(raw).data ?? 'unknown';
    // On LOGOUT the library clears the session and reloads the page itself, showing a new QR code.
    if (reason === LOGOUT_REASON) return this.fail('logout', 'the phone unlinked this device: scan the new QR code (GET /staff/whatsapp/qr)');
    this.reconnect(generation, reason);
  }

  /** Drops the client and schedules a new one after the next backoff delay. */
  private reconnect(generation: number, reason: string): void {
    if (generation !== this.generation || this.phase === 'stopped') return;
    const old = this.client;
    this.client = null;
    this.generation += 1;
    this.enter('reconnecting');
    const delayMs = backoffDelay(this.attempts, this.deps.backoff, this.deps.random);
    this.attempts += 1;
    this.deps.logger.warn({ reason, delayMs, attempt: this.attempts }, 'whatsapp web disconnected; rebuilding the client');
    const expected = this.generation;
    void (old ? destroyQuietly(old) : Promise.resolve()).then(() => {
      if (expected !== this.generation) return;
      this.cancelRebuild = this.deps.schedule(() => {
        this.cancelRebuild = null;
        if (expected === this.generation) this.connect();
      }, delayMs);
    });
  }
}

/** Closes a client, whatever state its browser is in; a hung close does not block the rebuild. */
async function destroyQuietly(client: WhatsAppClientLike): Promise<void> {
  client.removeAllListeners();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, DESTROY_TIMEOUT_MS);
    timer.unref();
  });
  await Promise.race([client.destroy().catch(() => undefined), timeout]);
  clearTimeout(timer);
}
