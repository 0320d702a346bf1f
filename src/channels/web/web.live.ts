import { Redis } from 'ioredis';
import { SUBSCRIBER_OPTIONS } from '../../persistence/redis-subscriber';
import type { Logger } from '../../logging/logger';
import { LiveEventSchema, type LiveEvent } from './web.protocol';

/**
 * Delivers outbound replies to the browsers of a session. The send worker that calls the web
 * sender may run in another process than the one holding the visitor's WebSocket, so events go
 * through Redis pub/sub. Delivery is best effort: a visitor who is offline sees the reply from
 * the outbound log (history) on the next load.
 */
export interface WebLiveBus {
  publish(sessionId: string, event: LiveEvent): Promise<void>;
  /** Resolves once events published from now on will reach `listener`; returns the unsubscribe function. */
  subscribe(sessionId: string, listener: LiveListener): Promise<Unsubscribe>;
  close(): Promise<void>;
}

/**
 * What a listener hears: an event published for its session, or `resubscribed` when the
 * subscription was lost and is back (Redis restarted, a network blip): whatever was published
 * meanwhile reached nobody, so the page must read its history again.
 */
export type LiveSignal = LiveEvent | { type: 'resubscribed' };
export type LiveListener = (event: LiveSignal) => void;
export type Unsubscribe = () => Promise<void>;

/** Listeners per key; a throwing listener (a socket that just closed) does not stop the others. */
class ListenerRegistry {
  private readonly byKey = new Map<string, Set<LiveListener>>();

  /** Adds a listener; true when it is the key's first. */
  add(key: string, listener: LiveListener): boolean {
    const set = this.byKey.get(key);
    if (set) {
      set.add(listener);
      return false;
    }
    this.byKey.set(key, new Set([listener]));
    return true;
  }

  /** Removes a listener; true when the key has none left. */
  remove(key: string, listener: LiveListener): boolean {
    const set = this.byKey.get(key);
    if (!set) return false;
    set.delete(listener);
    if (set.size > 0) return false;
    this.byKey.delete(key);
    return true;
  }

  emit(key: string, event: LiveSignal, onError: (error: unknown) => void): void {
    for (const listener of this.byKey.get(key) ?? []) {
      try {
        listener(event);
      } catch (error) {
        onError(error);
      }
    }
  }

  emitAll(event: LiveSignal, onError: (error: unknown) => void): void {
    for (const key of this.byKey.keys()) this.emit(key, event, onError);
  }
}

/** Same-process bus, for unit tests and single-process development. */
export class InProcessWebLiveBus implements WebLiveBus {
  private readonly registry = new ListenerRegistry();

  async publish(sessionId: string, event: LiveEvent): Promise<void> {
    this.registry.emit(sessionId, event, () => undefined);
  }

  async subscribe(sessionId: string, listener: LiveListener): Promise<Unsubscribe> {
    this.registry.add(sessionId, listener);
    return async () => void this.registry.remove(sessionId, listener);
  }

  async close(): Promise<void> {}
}

/** A keyed hash (FieldCipher fits): the same key in every process of a deployment, so names agree. */
export interface SessionHasher {
  digest(purpose: string, value: string): string;
}

/**
 * The Redis channel of a session. It is a keyed hash of the id, never the id itself: anyone able
 * to `PSUBSCRIBE *` on a shared Redis must not learn session ids (they are the cookie's secret half).
 */
export function liveChannel(hasher: SessionHasher, sessionId: string, prefix: string): string {
  return prefix + hasher.digest('web-live-session', sessionId);
}

export interface RedisWebLiveBusOptions {
  /** Channel prefix; tests use a unique one. */
  prefix?: string;
  logger?: Logger;
}

/**
 * Redis pub/sub bus. Two connections, opened on first use: a connection in subscriber mode cannot
 * publish, and a worker-only process never subscribes. ioredis re-subscribes after a reconnect.
 */
export class RedisWebLiveBus implements WebLiveBus {
  private publisher: Redis | null = null;
  private subscriber: Redis | null = null;
  private readonly registry = new ListenerRegistry();
  /** The SUBSCRIBE in flight (or done) per channel, so a second listener waits for the same confirmation. */
  private readonly subscribed = new Map<string, Promise<unknown>>();
  private readonly prefix: string;
  private readonly warn: (detail: object, message: string) => void;

  constructor(
    private readonly redisUrl: string,
    private readonly hasher: SessionHasher,
    options: RedisWebLiveBusOptions = {},
  ) {
    this.prefix = options.prefix ?? 'basirah:web:live:';
    const logger = options.logger;
    this.warn = (detail, message) => logger?.warn(detail, message);
  }

  async publish(sessionId: string, event: LiveEvent): Promise<void> {
    this.publisher ??= this.connect('publisher');
    await this.publisher.publish(this.channelOf(sessionId), JSON.stringify(event));
  }

  async subscribe(sessionId: string, listener: LiveListener): Promise<Unsubscribe> {
    const subscriber = this.subscriberConnection();
    const channel = this.channelOf(sessionId);
    if (this.registry.add(channel, listener)) this.subscribed.set(channel, subscriber.subscribe(channel));
    try {
      await this.subscribed.get(channel);
    } catch (error) {
      await this.release(channel, listener);
      throw error;
    }
    return async () => this.release(channel, listener);
  }

  async close(): Promise<void> {
    const connections = [this.publisher, this.subscriber].filter((c): c is Redis => c !== null);
    this.publisher = null;
    this.subscriber = null;
    await Promise.allSettled(connections.map((c) => c.quit()));
  }

  private async release(channel: string, listener: LiveListener): Promise<void> {
    if (!this.registry.remove(channel, listener)) return;
    this.subscribed.delete(channel);
    // Commands on one connection run in order, so a later SUBSCRIBE of the same channel still wins.
    await this.subscriber?.unsubscribe(channel).catch((error: unknown) => this.warn({ err: error }, 'web live: unsubscribe failed'));
  }

  private channelOf(sessionId: string): string {
    return liveChannel(this.hasher, sessionId, this.prefix);
  }

  private subscriberConnection(): Redis {
    if (this.subscriber) return this.subscriber;
    const subscriber = this.connect('subscriber');
    subscriber.on('message', (channel: string, message: string) => this.deliver(channel, message));
    let connected = false;
    subscriber.on('ready', () => {
      if (!connected) return void (connected = true);
      // Back after a lost connection. ioredis has sent the SUBSCRIBEs again before this event; a
      // PING is answered after them, and then every listener is told.
      subscriber.ping().then(
        () => this.registry.emitAll({ type: 'resubscribed' }, (error) => this.warn({ err: error }, 'web live: listener failed')),
        (error: unknown) => this.warn({ err: error }, 'web live: resubscription not confirmed'),
      );
    });
    this.subscriber = subscriber;
    return subscriber;
  }

  private deliver(channel: string, message: string): void {
    let json: unknown;
    try {
      json = JSON.parse(message);
    } catch {
      json = null;
    }
    const parsed = LiveEventSchema.safeParse(json);
    if (!parsed.success) {
      this.warn({}, 'web live: dropped a malformed event');
      return;
    }
    this.registry.emit(channel, parsed.data, (error) => this.warn({ err: error }, 'web live: listener failed'));
  }

  private connect(role: 'publisher' | 'subscriber'): Redis {
    const connection = new Redis(this.redisUrl, role === 'subscriber' ? SUBSCRIBER_OPTIONS : {});
    // Without a listener ioredis prints every reconnect error; it reconnects by itself.
    connection.on('error', (error: Error) => this.warn({ err: error, role }, 'web live: redis connection error'));
    return connection;
  }
}
