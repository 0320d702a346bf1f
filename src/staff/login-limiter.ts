import type { Redis } from 'ioredis';
import { addressKey } from '../channels/web/web.flood';
import type { KeyHasher } from '../persistence/redis-coordination';
import { RedisScript } from '../persistence/redis-script';

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

// KEYS: name counter, name lock, address counter, address lock, known pair (this name has logged in
// from this address). ARGV: name limit, address limit, window, lock seconds. Counts one attempt
// before any password is checked; over a limit, locks that name or address and refuses. A known
// pair neither counts against nor is held by the address lock: one office (or a proxy) is one
// address, and a stranger spraying names from it must not lock out the staff who work there. The
// name's own lock still applies. Atomic, so parallel attempts cannot all pass.
const BEGIN = new RedisScript(`
local function over(counter, lock, limit)
  local n = redis.call('incr', counter)
  if n == 1 then redis.call('expire', counter, tonumber(ARGV[3])) end
  if n <= tonumber(limit) then return false end
  redis.call('set', lock, '1', 'EX', tonumber(ARGV[4]))
  redis.call('del', counter)
  return true
end
local known = redis.call('exists', KEYS[5]) == 1
if redis.call('exists', KEYS[2]) == 1 then return 0 end
if not known and redis.call('exists', KEYS[4]) == 1 then return 0 end
if over(KEYS[1], KEYS[2], ARGV[1]) then return 0 end
if known then return 1 end
if over(KEYS[3], KEYS[4], ARGV[2]) then return 0 end
return 1
`);

/** How long a name stays known at an address after a successful log-in from it. */
const KNOWN_PAIR_SECONDS = 90 * 86_400;

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
    const keys = [this.key('account', email), this.key('account-lock', email), this.key('address', address), this.key('address-lock', address), this.key('known', `${email}@${address}`)];
    return (await BEGIN.run(this.redis, keys.length, ...keys, accountFailures, addressFailures, windowSeconds, lockSeconds)) === 1;
  }

  /**
   * A successful log-in was not a failure: the name's count is forgotten, the address's given back
   * (unless the pair was known, which did not count it), and the pair is known from now on.
   */
  async recordSuccess(email: string, ip: string): Promise<void> {
    const addressKeyed = addressKey(ip);
    const known = this.key('known', `${email}@${addressKeyed}`);
    const wasKnown = (await this.redis.exists(known)) === 1;
    await this.redis.multi().del(this.key('account', email)).set(known, '1', 'EX', KNOWN_PAIR_SECONDS).exec();
    if (wasKnown) return;
    const address = this.key('address', addressKeyed);
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
