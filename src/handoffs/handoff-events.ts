import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { Logger } from '../logging/logger';
import { SUBSCRIBER_OPTIONS } from '../persistence/redis-subscriber';

/**
 * Live events of the staff inbox: what happened to which handoff, ids only (no names, no texts),
 * so anything subscribed may hear them. Published on Redis pub/sub, so a claim made through one
 * web process reaches the consoles connected to every other one, and a message handled by a
 * worker process reaches them all. Best effort: a console that was offline reloads the list.
 */
export const HANDOFF_EVENT_TYPES = [
  'handoff.opened',
  'handoff.message',
  'handoff.claimed',
  'handoff.released',
  'handoff.transferred',
  'handoff.reply',
  'handoff.note',
  'handoff.closed',
] as const;
export type HandoffEventType = (typeof HANDOFF_EVENT_TYPES)[number];

export interface HandoffEvent {
  type: HandoffEventType;
  handoffId: string;
  /** ISO 8601, UTC. */
  at: string;
}

const HandoffEventSchema = z.object({ type: z.enum(HANDOFF_EVENT_TYPES), handoffId: z.string().min(1).max(64), at: z.string().datetime() }).strict();

export type HandoffEventListener = (event: HandoffEvent) => void;

export interface HandoffEvents {
  publish(event: HandoffEvent): Promise<void>;
  /** Resolves once events published from now on reach `listener`; returns the unsubscribe function. */
  subscribe(listener: HandoffEventListener): Promise<() => void>;
  close(): Promise<void>;
}

/** The pub/sub channel, under the deployment's QUEUE_PREFIX (deployments sharing a Redis stay apart). */
export function handoffEventChannel(prefix: string): string {
  return `${prefix}:staff:handoff-events`;
}

/**
 * Redis pub/sub: publishing uses the shared connection; subscribing needs a connection of its own
 * (a subscribed connection can do nothing else), opened on the first subscriber and shared by all
 * listeners of the process.
 */
export class RedisHandoffEvents implements HandoffEvents {
  private readonly listeners = new Set<HandoffEventListener>();
  private subscriber: Promise<Redis> | null = null;

  constructor(
    private readonly publisher: Redis,
    private readonly prefix: string,
    private readonly logger: Logger,
  ) {}

  async publish(event: HandoffEvent): Promise<void> {
    await this.publisher.publish(handoffEventChannel(this.prefix), JSON.stringify(event));
  }

  async subscribe(listener: HandoffEventListener): Promise<() => void> {
    this.listeners.add(listener);
    try {
      await this.connect();
    } catch (error) {
      this.listeners.delete(listener);
      throw error;
    }
    return () => void this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    const subscriber = this.subscriber;
    this.subscriber = null;
    this.listeners.clear();
    if (subscriber) await (await subscriber).quit().catch(() => undefined);
  }

  private connect(): Promise<Redis> {
    this.subscriber ??= (async () => {
      const connection = this.publisher.duplicate(SUBSCRIBER_OPTIONS);
      connection.on('message', (_channel: string, raw: string) => this.deliver(raw));
      connection.on('error', (error: Error) => this.logger.warn({ err: { message: error.message } }, 'handoff events subscriber'));
      await connection.subscribe(handoffEventChannel(this.prefix));
      return connection;
    })();
    const pending = this.subscriber;
    // A failed connection is not kept: the next subscriber tries again.
    pending.catch(() => {
      if (this.subscriber === pending) this.subscriber = null;
    });
    return pending;
  }

  private deliver(raw: string): void {
    let event: HandoffEvent;
    try {
      event = HandoffEventSchema.parse(JSON.parse(raw));
    } catch {
      this.logger.warn('handoff event ignored: not in the expected shape');
      return;
    }
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        this.logger.warn({ err: { message: error instanceof Error ? error.message : String(error) } }, 'handoff event listener failed');
      }
    }
  }
}
