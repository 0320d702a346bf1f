import type { Redis } from 'ioredis';
import type { Logger } from '../../logging/logger';
import type { SessionHasher } from './web.live';
import { RedisScript } from '../../persistence/redis-script';

/**
 * Flood control at the web chat's edge, before anything is stored: message rates per session (all
 * its sockets together) and per client IP, and how fast one IP may mint fresh sessions. The Redis
 * guard holds across processes; its keys carry keyed digests only (a session id is the cookie's
 * secret half, an IP is personal data). The gateway behind it has its own per-sender limit and
 * backlog cap; this is the cheap first line that also sees IPs.
 */

/** At most `limit` events per fixed window of `windowMs`. */
export interface RateWindow {
  limit: number;
  windowMs: number;
}

export interface WebFloodLimits {
  sessionMessages: RateWindow;
  /** Generous: families behind one carrier NAT or one centre's Wi-Fi share an address. */
  ipMessages: RateWindow;
  ipNewSessions: RateWindow;
  /** Open sockets, counted per process (a socket lives in one process; see {@link SocketCaps}). */
  socketsPerSession: number;
  socketsPerIp: number;
}

export const DEFAULT_FLOOD_LIMITS: WebFloodLimits = {
  sessionMessages: { limit: 20, windowMs: 10_000 },
  ipMessages: { limit: 60, windowMs: 10_000 },
  ipNewSessions: { limit: 30, windowMs: 60_000 },
  socketsPerSession: 8,
  socketsPerIp: 40,
};

export type FloodVerdict = { ok: true } | { ok: false; retryAfterMs: number };

export interface WebFloodGuard {
  /** Counts one message of `sessionId` from `ip`; a message over the session's limit does not use the IP's allowance. */
  message(sessionId: string, ip: string): Promise<FloodVerdict>;
  /** Counts one fresh session minted for `ip`. */
  newSession(ip: string): Promise<FloodVerdict>;
}

interface Counter {
  key: string;
  window: RateWindow;
}

/** Increments the counters in order and stops at the first over its limit, answering its remaining window. */
const HIT = new RedisScript(`
for i, key in ipairs(KEYS) do
  local limit = tonumber(ARGV[2 * i - 1])
  local window = tonumber(ARGV[2 * i])
  local count = redis.call('incr', key)
  local ttl = redis.call('pttl', key)
  if ttl < 0 then
    redis.call('pexpire', key, window)
    ttl = window
  end
  if count > limit then return ttl end
end
return 0
`);

export class RedisWebFloodGuard implements WebFloodGuard {
  constructor(
    private readonly redis: Redis,
    private readonly hasher: SessionHasher,
    private readonly logger: Logger,
    private readonly limits: WebFloodLimits = DEFAULT_FLOOD_LIMITS,
    private readonly prefix = 'basirah:web:flood:',
  ) {}

  message(sessionId: string, ip: string): Promise<FloodVerdict> {
    return this.hit([
      { key: `${this.prefix}msg:s:${this.hasher.digest('web-flood-session', sessionId)}`, window: this.limits.sessionMessages },
      { key: `${this.prefix}msg:ip:${this.ipDigest(ip)}`, window: this.limits.ipMessages },
    ]);
  }

  newSession(ip: string): Promise<FloodVerdict> {
    return this.hit([{ key: `${this.prefix}new:ip:${this.ipDigest(ip)}`, window: this.limits.ipNewSessions }]);
  }

  private ipDigest(ip: string): string {
    return this.hasher.digest('web-flood-ip', ip);
  }

  private async hit(counters: Counter[]): Promise<FloodVerdict> {
    const args = counters.flatMap((c) => [String(c.window.limit), String(c.window.windowMs)]);
    try {
      const wait = Number(await HIT.run(this.redis, counters.length, ...counters.map((c) => c.key), ...args));
      return wait > 0 ? { ok: false, retryAfterMs: wait } : { ok: true };
    } catch (error) {
      // Fails open: the gateway's own limits still hold, and a Redis outage stops the pipeline anyway.
      this.logger.warn({ err: error }, 'web chat: flood counters unavailable; message let through');
      return { ok: true };
    }
  }
}

/** The same windows in this process's memory: for a single process without Redis (unit tests, tools). */
export class InProcessWebFloodGuard implements WebFloodGuard {
  private readonly windows = new Map<string, { count: number; resetAt: number }>();

  constructor(
    private readonly limits: WebFloodLimits = DEFAULT_FLOOD_LIMITS,
    private readonly now: () => number = Date.now,
  ) {}

  async message(sessionId: string, ip: string): Promise<FloodVerdict> {
    return this.hit([
      { key: `s:${sessionId}`, window: this.limits.sessionMessages },
      { key: `ip:${ip}`, window: this.limits.ipMessages },
    ]);
  }

  async newSession(ip: string): Promise<FloodVerdict> {
    return this.hit([{ key: `new:${ip}`, window: this.limits.ipNewSessions }]);
  }

  private hit(counters: Counter[]): FloodVerdict {
    const now = this.now();
    if (this.windows.size > 10_000) for (const [key, w] of this.windows) if (w.resetAt <= now) this.windows.delete(key);
    for (const { key, window } of counters) {
      let current = this.windows.get(key);
      if (!current || current.resetAt <= now) {
        current = { count: 0, resetAt: now + window.windowMs };
        this.windows.set(key, current);
      }
      current.count += 1;
      if (current.count > window.limit) return { ok: false, retryAfterMs: current.resetAt - now };
    }
    return { ok: true };
  }
}

/**
 * Open sockets per session and per IP in this process. Counts are per process on purpose: a
 * socket lives and dies with its process, and a cross-process count would leak on every crash.
 * With N web processes behind a balancer the effective caps are at most N times these.
 */
export class SocketCaps {
  private readonly bySession = new Map<string, number>();
  private readonly byIp = new Map<string, number>();

  constructor(private readonly limits: Pick<WebFloodLimits, 'socketsPerSession' | 'socketsPerIp'>) {}

  /** Takes a place for a socket, or says which cap is full. Call the returned release on close. */
  open(sessionId: string, ip: string): { ok: true; release: () => void } | { ok: false; cap: 'session' | 'ip' } {
    if ((this.bySession.get(sessionId) ?? 0) >= this.limits.socketsPerSession) return { ok: false, cap: 'session' };
    if ((this.byIp.get(ip) ?? 0) >= this.limits.socketsPerIp) return { ok: false, cap: 'ip' };
    bump(this.bySession, sessionId, 1);
    bump(this.byIp, ip, 1);
    let released = false;
    return {
      ok: true,
      release: () => {
        if (released) return;
        released = true;
        bump(this.bySession, sessionId, -1);
        bump(this.byIp, ip, -1);
      },
    };
  }
}

function bump(map: Map<string, number>, key: string, by: number): void {
  const next = (map.get(key) ?? 0) + by;
  if (next <= 0) map.delete(key);
  else map.set(key, next);
}

/**
 * The address the web limits count: an IPv4 address as it is (also when written IPv4-mapped,
 * `::ffff:10.0.0.1`), an IPv6 address by its /64 network. One home or phone gets a whole /64 from
 * its provider, so counting single IPv6 addresses would give one visitor endless fresh allowances.
 */
export function addressKey(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped?.[1]) return mapped[1];
  if (!ip.includes(':')) return ip;
  const [head = '', tail = ''] = ip.toLowerCase().split('%')[0]?.split('::') ?? [];
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === '' ? [] : tail.split(':');
  const zeros = Array<string>(Math.max(0, 8 - headGroups.length - tailGroups.length)).fill('0');
  const groups = ip.includes('::') ? [...headGroups, ...zeros, ...tailGroups] : headGroups;
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

