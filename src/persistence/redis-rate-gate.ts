import type { Redis } from 'ioredis';
import type { ChannelLimits } from '../channels/channel';
import type { KeyHasher } from './redis-coordination';

/**
 * Reserves the next send slot for a channel and a chat, across processes. Returns how long the
 * caller must wait before sending (0 when it may send now). Slots are reserved atomically in Lua,
 * so two processes never both take the same slot.
 */
const RESERVE = `
local now = tonumber(ARGV[1])
local gap = tonumber(ARGV[2])
local chatGap = tonumber(ARGV[3])
local minuteCap = tonumber(ARGV[4])
local at = now
local nextGlobal = tonumber(redis.call('get', KEYS[1]) or '0')
if nextGlobal > at then at = nextGlobal end
local nextChat = tonumber(redis.call('get', KEYS[2]) or '0')
if nextChat > at then at = nextChat end
if minuteCap > 0 then
  local bucket = math.floor(at / 60000)
  local key = KEYS[3] .. ':' .. bucket
  local used = tonumber(redis.call('get', key) or '0')
  if used >= minuteCap then
    at = (bucket + 1) * 60000
    key = KEYS[3] .. ':' .. (bucket + 1)
  end
  redis.call('incr', key)
  redis.call('pexpire', key, 180000)
end
redis.call('set', KEYS[1], at + gap, 'PX', 120000)
if chatGap > 0 then redis.call('set', KEYS[2], at + chatGap, 'PX', 120000) end
return at - now
`;

export class RedisRateGate {
  constructor(
    private readonly redis: Redis,
    private readonly hash: KeyHasher,
    private readonly random: () => number = Math.random,
  ) {}

  /** Milliseconds to wait before this send may go out. */
  async reserve(channel: string, chatKey: string, limits: ChannelLimits, nowMs: number = Date.now()): Promise<number> {
    const [lo, hi] = limits.jitterMs;
    const jitter = hi > 0 ? Math.round(lo + this.random() * (hi - lo)) : 0;
    const gap = Math.ceil(1000 / limits.perSecond) + jitter;
    const wait = await this.redis.eval(
      RESERVE,
      3,
      `basirah:rate:${channel}`,
      `basirah:rate:${channel}:chat:${this.hash(chatKey)}`,
      `basirah:rate:${channel}:minute`,
      String(nowMs),
      String(gap),
      String(limits.perChatGapMs),
      String(limits.perMinute ?? 0),
    );
    return Math.max(0, Number(wait));
  }
}
