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

// KEYS: name counter, name lock, address counter, address lock. ARGV: name limit, address limit,
// window, lock seconds. Counts one attempt against both before any password is checked; over a
// limit, locks that name or address and refuses. Atomic, so parallel attempts cannot all pass.
const BEGIN = `
if redis.call('exists', KEYS[2]) == 1 or redis.call('exists', KEYS[4]) == 1 then return 0 end
local name = redis.call('incr', KEYS[1])
if name == 1 then redis.call('expire', KEYS[1], tonumber(ARGV[3])) end
local address = redis.call('incr', KEYS[3])
if address == 1 then redis.call('expire', KEYS[3], tonumber(ARGV[3])) end
if name > tonumber(ARGV[1]) then
  redis.call('set', KEYS[2], '1', 'EX', tonumber(ARGV[4]))
  redis.call('del', KEYS[1])
  return 0
end
if address > tonumber(ARGV[2]) then
  redis.call('set', KEYS[4], '1', 'EX', tonumber(ARGV[4]))
  redis.call('del', KEYS[3])
  return 0
end
return 1
`;

export class LoginLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly hash: KeyHasher,
    private readonly limits: LoginLimits = DEFAULT_LOGIN_LIMITS,
  ) {}

  /**
   * Takes one attempt for the name and the address, before the password is checked: false when
   * either is locked out (or this attempt goes over a limit and locks it). Counting attempts, not
   * failures, is what stops parallel requests from all being checked before the first one fails
   * (40 at once from one address were all checked, found in the attack review).
   */
  async begin(email: string, ip: string): Promise<boolean> {
    const { accountFailures, addressFailures, windowSeconds, lockSeconds } = this.limits;
    const address = addressKey(ip);
    const keys = [this.key('account', email), this.key('account-lock', email), this.key('address', address), this.key('address-lock', address)];
    return (await this.redis.eval(BEGIN, 4, ...keys, accountFailures, addressFailures, windowSeconds, lockSeconds)) === 1;
  }

  /** A successful log-in was not a failure: the name's count is forgotten and the address's given back. */
  async recordSuccess(email: string, ip: string): Promise<void> {
    await this.redis.del(this.key('account', email));
    const address = this.key('address', addressKey(ip));
    if ((await this.redis.decr(address)) <= 0) await this.redis.del(address);
  }

  /** Lifts a name's lock-out (after an admin reset its password). */
  async clear(email: string): Promise<void> {
    await this.redis.del(this.key('account', email), this.key('account-lock', email));
  }

  private key(kind: string, value: string): string {
    return `${this.prefix}:staff:login:${kind}:${this.hash(`staff-login:${kind.replace(/-lock$/, '')}:${value}`)}`;
  }
}
