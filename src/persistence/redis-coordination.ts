import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { AttemptLimiter, ConversationLock } from '../engine/ports';
import { RedisScript } from './redis-script';

/** Redis keys never contain personal data: callers' keys (which hold sender ids) are hashed first. */
export type KeyHasher = (key: string) => string;

export class LockTimeoutError extends Error {
  readonly code = 'LOCK_TIMEOUT';
}

const RELEASE = new RedisScript(`if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`);

/**
 * Takes the lock (KEYS[1]) and hands over the stamp (KEYS[2]) its last holder left: the stamp is
 * removed, so that if this holder never lets go properly (a crash, a lapsed lease) the next one
 * finds none. Returns the stamp ('' when there is none), or nil when the lock is busy.
 */
const ACQUIRE_STAMPED = new RedisScript(`
if not redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2], 'NX') then return false end
local stamp = redis.call('get', KEYS[2])
if stamp then redis.call('del', KEYS[2]) end
return stamp or ''
`);

/**
 * Lets go of the lock if still the owner, leaving the stamp ARGV[2] for the next holder (none
 * when ''). A holder whose lease lapsed removes whatever stamp is there: it may have written
 * after someone else left that stamp.
 */
const RELEASE_STAMPED = new RedisScript(`
if redis.call('get', KEYS[1]) ~= ARGV[1] then
  redis.call('del', KEYS[2])
  return 0
end
redis.call('del', KEYS[1])
if ARGV[2] ~= '' then redis.call('set', KEYS[2], ARGV[2], 'PX', ARGV[3]) end
return 1
`);

/** How long a stamp outlives its lock: longer than anyone keeps a cached copy of what it stamps. */
const STAMP_TTL_MS = 10 * 60_000;

/**
 * A lock whose holders pass each other a stamp: a short string naming the version of what the
 * lock guards, as the last holder left it. A holder that finds the stamp it left (or read) itself
 * knows nobody changed the guarded record since, without reading it again. The stamp is only
 * there when the previous holder let go properly.
 */
export interface StampedLock {
  /** Runs `work` holding the lock; `work` gets the stamp found (null when none) and returns the stamp to leave (null for none). */
  withStamp<T>(key: string, work: (stamp: string | null) => Promise<{ value: T; stamp: string | null }>): Promise<T>;
  /** Removes the stamp of `key`: the record changed without the lock. */
  dropStamp(key: string): Promise<void>;
}

/**
 * One conversation handled at a time across processes: SET NX PX with a token, released only by
 * its owner. The lease outlives any normal turn; a crashed holder's lease simply expires.
 */
export class RedisConversationLock implements ConversationLock, StampedLock {
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
    await this.acquire(() => this.redis.set(redisKey, token, 'PX', this.leaseMs, 'NX').then((ok) => ok === 'OK'));
    try {
      return await fn();
    } finally {
      await RELEASE.run(this.redis, 1, redisKey, token);
    }
  }

  async withStamp<T>(key: string, work: (stamp: string | null) => Promise<{ value: T; stamp: string | null }>): Promise<T> {
    const hashed = this.hash(key);
    const lockKey = `basirah:lock:${hashed}`;
    const stampKey = `basirah:stamp:${hashed}`;
    const token = randomUUID();
    let found: string | null = null;
    await this.acquire(async () => {
      const stamp = (await ACQUIRE_STAMPED.run(this.redis, 2, lockKey, stampKey, token, this.leaseMs)) as string | null;
      found = stamp === '' ? null : stamp;
      return stamp !== null;
    });
    let leave: string | null = null;
    try {
      const done = await work(found);
      leave = done.stamp;
      return done.value;
    } finally {
      await RELEASE_STAMPED.run(this.redis, 2, lockKey, stampKey, token, leave ?? '', STAMP_TTL_MS);
    }
  }

  async dropStamp(key: string): Promise<void> {
    await this.redis.del(`basirah:stamp:${this.hash(key)}`);
  }

  private async acquire(attempt: () => Promise<boolean>): Promise<void> {
    const deadline = Date.now() + this.waitMs;
    let pause = 5;
    while (!(await attempt())) {
      if (Date.now() > deadline) throw new LockTimeoutError('conversation is busy');
      await new Promise((resolve) => setTimeout(resolve, pause));
      pause = Math.min(pause * 2, this.maxPauseMs);
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
