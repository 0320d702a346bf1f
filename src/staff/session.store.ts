import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Clock } from '../engine/ports';
import { isStaffRole, type StaffRole } from './roles';

/**
 * Server-side staff sessions in Redis. The cookie carries only a random 256-bit id; Redis keys
 * carry its SHA-256, so a copy of Redis (a dump, a replica) holds no usable session ids. Each
 * session ends after an idle time and, however active, after an absolute time, both measured with
 * the injected clock; Redis expiry only cleans up. A set per staff member lists their sessions, so
 * an admin can end all of them at once.
 */
export interface StaffSession {
  staffId: string;
  roles: StaffRole[];
  csrfToken: string;
  createdAt: number;
  lastSeenAt: number;
}

export interface SessionTimeouts {
  idleMs: number;
  absoluteMs: number;
}

const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;

export class StaffSessionStore {
  constructor(
    private readonly redis: Redis,
    /** QUEUE_PREFIX: deployments and test files sharing one Redis stay apart. */
    private readonly prefix: string,
    readonly timeouts: SessionTimeouts,
    private readonly clock: Clock,
  ) {}

  /** A new session with a fresh id and CSRF token; the id is returned once, for the cookie. */
  async create(staffId: string, roles: readonly StaffRole[]): Promise<{ id: string; session: StaffSession }> {
    const id = randomBytes(32).toString('base64url');
    const now = this.clock.now().getTime();
    const session: StaffSession = { staffId, roles: [...roles], csrfToken: randomBytes(32).toString('base64url'), createdAt: now, lastSeenAt: now };
    const key = this.sessionKey(id);
    const ttl = this.ttlMs(session, now);
    await this.redis
      .multi()
      .hset(key, { staffId, roles: roles.join(','), csrfToken: session.csrfToken, createdAt: String(now), lastSeenAt: String(now) })
      .pexpire(key, ttl)
      .sadd(this.indexKey(staffId), digest(id))
      .pexpire(this.indexKey(staffId), this.timeouts.absoluteMs)
      .exec();
    return { id, session };
  }

  /** The live session for a cookie value, its last-seen time moved on; null when unknown, malformed or timed out (then removed). */
  async resolve(id: string | undefined): Promise<StaffSession | null> {
    if (id === undefined || !SESSION_ID.test(id)) return null;
    const key = this.sessionKey(id);
    const session = parseSession(await this.redis.hgetall(key));
    if (!session) return null;
    const now = this.clock.now().getTime();
    const ttl = this.ttlMs(session, now);
    if (now - session.lastSeenAt >= this.timeouts.idleMs || ttl <= 0) {
      await this.destroy(id, session.staffId);
      return null;
    }
    await this.redis.multi().hset(key, 'lastSeenAt', String(now)).pexpire(key, ttl).exec();
    return { ...session, lastSeenAt: now };
  }

  async destroy(id: string, staffId: string): Promise<void> {
    if (!SESSION_ID.test(id)) return;
    await this.redis.multi().del(this.sessionKey(id)).srem(this.indexKey(staffId), digest(id)).exec();
  }

  /** Ends every session of a staff member; returns how many were live. */
  async endAll(staffId: string): Promise<number> {
    const index = this.indexKey(staffId);
    const digests = await this.redis.smembers(index);
    const keys = digests.map((d) => this.keyOfDigest(d));
    const ended = keys.length > 0 ? await this.redis.del(...keys) : 0;
    await this.redis.del(index);
    return ended;
  }

  /** Time left before the session must end: the idle window from now, cut by the absolute limit. */
  private ttlMs(session: StaffSession, now: number): number {
    return Math.min(this.timeouts.idleMs, session.createdAt + this.timeouts.absoluteMs - now);
  }

  private sessionKey(id: string): string {
    return this.keyOfDigest(digest(id));
  }

  private keyOfDigest(idDigest: string): string {
    return `${this.prefix}:staff:session:${idDigest}`;
  }

  private indexKey(staffId: string): string {
    return `${this.prefix}:staff:sessions-of:${staffId}`;
  }
}

function digest(id: string): string {
  return createHash('sha256').update(id, 'utf8').digest('base64url');
}

function parseSession(hash: Record<string, string>): StaffSession | null {
  const { staffId, roles, csrfToken, createdAt, lastSeenAt } = hash;
  if (!staffId || roles === undefined || !csrfToken || !createdAt || !lastSeenAt) return null;
  return {
    staffId,
    roles: roles.split(',').filter(isStaffRole),
    csrfToken,
    createdAt: Number(createdAt),
    lastSeenAt: Number(lastSeenAt),
  };
}
