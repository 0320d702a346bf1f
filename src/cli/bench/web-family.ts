import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import type { Journey } from './journeys';
import { PendingReply, type AskOutcome } from './pending-reply';

export type { AskOutcome } from './pending-reply';

/**
 * One simulated family on the web chat, through the public interfaces only: a session cookie from
 * the HTTP routes, then the chat WebSocket. It has one message outstanding at a time; latency is
 * from sending a message to the first `reply` frame after it. A reply arrives as one or more
 * bubbles, so the family counts as free again once no frame has come for {@link SETTLE_MS}.
 */

/**
 * Bubbles of one turn are flushed together; a gap this long means the turn is over. Too short and
 * a late bubble would pass for the first reply to the family's next message (counted as a stray
 * when it arrives with nothing outstanding); it is also the closed loop's pause before the next message.
 */
const SETTLE_MS = 100;
const OPEN_TIMEOUT_MS = 15_000;

interface ServerFrame {
  type: string;
  code?: string;
  clientId?: string | null;
}

let ipCounter = 0;
/** A distinct client address per family (the app trusts X-Forwarded-For, as behind its proxy). */
export function nextFamilyIp(): string {
  ipCounter += 1;
  return `10.${(ipCounter >> 16) & 255}.${(ipCounter >> 8) & 255}.${ipCounter & 255}`;
}

/** A session cookie as the chat page gets it (GET /api/web/history sets it; a fresh session reads nothing). */
export async function newSessionCookie(port: number, ip: string): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${port}/api/web/history`, { headers: { 'x-forwarded-for': ip } });
  await response.arrayBuffer();
  const cookie = response.headers.getSetCookie().find((c) => c.startsWith('basirah_sid='));
  if (!cookie) throw new Error(`no session cookie from /api/web/history (HTTP ${response.status})`);
  return cookie.split(';', 1)[0] as string;
}

export class WebFamily {
  /** Reply frames that came when nothing was outstanding (late bubbles, or misattribution). */
  strays = 0;
  private pending: { reply: PendingReply; clientId: string } | null = null;
  private position = 0;

  private constructor(
    private readonly socket: WebSocket,
    readonly journey: Journey,
  ) {
    socket.on('message', (data) => this.onFrame(data.toString()));
    socket.on('close', () => this.pending?.reply.finish({ type: 'lost', reason: 'closed', at: performance.now() }));
    socket.on('error', () => undefined);
  }

  /** Opens a socket in the session of `cookie` (a new session when null) and waits for `ready`. */
  static async open(port: number, journey: Journey, options: { cookie?: string; ip?: string } = {}): Promise<WebFamily> {
    const ip = options.ip ?? nextFamilyIp();
    const cookie = options.cookie ?? (await newSessionCookie(port, ip));
    const socket = new WebSocket(`ws://127.0.0.1:${port}/ws`, { headers: { cookie, 'x-forwarded-for': ip }, handshakeTimeout: OPEN_TIMEOUT_MS });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no ready frame')), OPEN_TIMEOUT_MS);
      const onFrame = (data: WebSocket.RawData): void => {
        if ((JSON.parse(data.toString()) as ServerFrame).type !== 'ready') return;
        clearTimeout(timer);
        socket.off('message', onFrame);
        resolve();
      };
      socket.on('message', onFrame);
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      socket.once('close', (code, reason) => {
        clearTimeout(timer);
        reject(new Error(`closed before ready (${code}${reason.length > 0 ? ` ${reason.toString()}` : ''})`));
      });
    });
    return new WebFamily(socket, journey);
  }

  get done(): boolean {
    return this.position >= this.journey.texts.length || this.socket.readyState !== WebSocket.OPEN;
  }

  get isOpen(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  get busy(): boolean {
    return this.pending !== null;
  }

  /** Sends the journey's next message; `sentAt` may be the scheduled time (open loop: no coordinated omission). */
  askNext(timeoutMs: number, sentAt = performance.now()): Promise<AskOutcome> {
    const text = this.journey.texts[this.position] ?? 'hello';
    this.position += 1;
    return this.ask(text, timeoutMs, sentAt);
  }

  ask(text: string, timeoutMs: number, sentAt = performance.now()): Promise<AskOutcome> {
    if (this.pending) throw new Error('one message at a time');
    return new Promise((resolve) => {
      const clientId = randomUUID();
      const reply = new PendingReply(sentAt, SETTLE_MS, timeoutMs, (outcome) => {
        this.pending = null;
        resolve(outcome);
      });
      this.pending = { reply, clientId };
      if (this.socket.readyState !== WebSocket.OPEN) return reply.finish({ type: 'lost', reason: 'closed', at: performance.now() });
      this.socket.send(JSON.stringify({ type: 'message', clientId, text }));
    });
  }

  /** Sends without waiting for anything (the flooder). */
  fire(text: string): string {
    const clientId = randomUUID();
    if (this.socket.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify({ type: 'message', clientId, text }));
    return clientId;
  }

  /** Frames of every kind, for the flooder's accounting. */
  onAnyFrame(listener: (frame: ServerFrame) => void): void {
    this.socket.on('message', (data) => listener(JSON.parse(data.toString()) as ServerFrame));
  }

  close(): void {
    this.socket.terminate();
  }

  private onFrame(raw: string): void {
    const frame = JSON.parse(raw) as ServerFrame;
    const pending = this.pending;
    if (frame.type === 'error' && pending && frame.clientId === pending.clientId) {
      pending.reply.finish({ type: 'refused', code: frame.code ?? 'unknown', at: performance.now() });
      return;
    }
    if (frame.type !== 'reply') return;
    if (pending) pending.reply.reply(performance.now());
    else this.strays += 1;
  }
}
