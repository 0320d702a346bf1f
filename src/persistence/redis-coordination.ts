import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { AttemptLimiter, ConversationLock } from '../engine/ports';

/** Redis keys never contain personal data: callers' keys (which hold sender ids) are hashed first. */
export type KeyHasher = (key: string) => string;

export class LockTimeoutError extends Error {
  readonly code = 'LOCK_TIMEOUT';
}

const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/**
 * One conversation handled at a time across processes: SET NX PX with a token, released only by
 * its owner. The lease outlives any normal turn; a crashed holder's lease simply expires.
 */
export class RedisConversationLock implements ConversationLock {
  constructor(
    private readonly redis: Redis,
    private readonly hash: KeyHasher,
    private readonly leaseMs = 30_000,
    private readonly waitMs = 15_000,
    /** Longest pause between two tries while the lock is busy. */
    private readonly maxPauseMs = 100,
  ) {}

  async withLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const redisKey = `basirah:lock:${this.hash(key)}`;
    const token = randomUUID();
    const deadline = Date.now() + this.waitMs;
    let pause = 5;
    while ((await this.redis.set(redisKey, token, 'PX', this.leaseMs, 'NX')) !== 'OK') {
      if (Date.now() > deadline) throw new LockTimeoutError('conversation is busy');
      await new Promise((resolve) => setTimeout(resolve, pause));
      pause = Math.min(pause * 2, this.maxPauseMs);
    }
    try {
      return await fn();
    } finally {
      await this.redis.eval(RELEASE, 1, redisKey, token);
    }
  }
}

/** Failure counters that expire by themselves (Redis TTL), used to lock status look-ups after wrong answers. */
export class RedisAttemptLimiter implements AttemptLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly hash: KeyHasher,
  ) {}

  private key(key: string): string {
    return `basirah:attempts:${this.hash(key)}`;
  }

  async fail(key: string, windowSeconds: number): Promise<number> {
    const k = this.key(key);
    const results = await this.redis.multi().incr(k).expire(k, windowSeconds, 'NX').exec();
    const count = results?.[0]?.[1];
    return typeof count === 'number' ? count : Number(count);
  }

  async count(key: string): Promise<number> {
    return Number((await this.redis.get(this.key(key))) ?? 0);
  }

  async reset(key: string): Promise<void> {
    await this.redis.del(this.key(key));
  }

  async remainingSeconds(key: string): Promise<number> {
    return Math.max(0, await this.redis.ttl(this.key(key)));
  }
}
