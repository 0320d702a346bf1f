import type { Redis } from 'ioredis';
import { addressKey } from '../channels/web/web.flood';
import type { KeyHasher } from '../persistence/redis-coordination';

/**
 * Failed staff log-ins, counted in Redis per account name and per client address. Reaching a limit
 * inside the window locks that name (or address) out for a while. Names are counted whether or not
 * an account exists, so a lock-out tells an attacker nothing about which names are real. Keys hold
 * HMAC digests, never names or addresses.
 */
export interface LoginLimits {
  accountFailures: number;
  addressFailures: number;
  windowSeconds: number;
  lockSeconds: number;
}

/** 5 failures per name or 20 per address within 15 minutes lock that name or address out for 15 minutes. */
export const DEFAULT_LOGIN_LIMITS: LoginLimits = { accountFailures: 5, addressFailures: 20, windowSeconds: 900, lockSeconds: 900 };

// KEYS: counter, lock. ARGV: limit, window, lock seconds. Counts one failure; at the limit, locks.
const FAIL = `
local count = redis.call('incr', KEYS[1])
if count == 1 then redis.call('expire', KEYS[1], tonumber(ARGV[2])) end
if count >= tonumber(ARGV[1]) then
  redis.call('set', KEYS[2], '1', 'EX', tonumber(ARGV[3]))
  redis.call('del', KEYS[1])
end
return count
`;

export class LoginLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly hash: KeyHasher,
    private readonly limits: LoginLimits = DEFAULT_LOGIN_LIMITS,
  ) {}

  /** True while the name or the address is locked out: no password is checked then. */
  async isLocked(email: string, ip: string): Promise<boolean> {
    const locks = await this.redis.exists(this.key('account-lock', email), this.key('address-lock', addressKey(ip)));
    return locks > 0;
  }

  async recordFailure(email: string, ip: string): Promise<void> {
    const { accountFailures, addressFailures, windowSeconds, lockSeconds } = this.limits;
    await this.redis.eval(FAIL, 2, this.key('account', email), this.key('account-lock', email), accountFailures, windowSeconds, lockSeconds);
    const address = addressKey(ip);
    await this.redis.eval(FAIL, 2, this.key('address', address), this.key('address-lock', address), addressFailures, windowSeconds, lockSeconds);
  }

  /** A successful log-in forgets the name's earlier failures (not the address's). */
  async recordSuccess(email: string): Promise<void> {
    await this.redis.del(this.key('account', email));
  }

  /** Lifts a name's lock-out (after an admin reset its password). */
  async clear(email: string): Promise<void> {
    await this.redis.del(this.key('account', email), this.key('account-lock', email));
  }

  private key(kind: string, value: string): string {
    return `${this.prefix}:staff:login:${kind}:${this.hash(`staff-login:${kind.replace(/-lock$/, '')}:${value}`)}`;
  }
}
