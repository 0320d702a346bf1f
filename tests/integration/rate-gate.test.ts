import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { TELEGRAM_LIMITS } from '../../src/channels/telegram/telegram.sender';
import { RedisRateGate } from '../../src/persistence/redis-rate-gate';

/** The send-slot gate on a real Redis (its Lua script), with the clock passed in. */
describe('RedisRateGate (real Redis)', () => {
  const redis = new Redis(process.env.REDIS_URL as string);
  const gate = new RedisRateGate(redis, (k) => k);
  afterAll(async () => redis.quit());

  const channel = (): string => `test-${randomBytes(4).toString('hex')}`;

  it("does not let one chat's own gap hold back the other chats (Telegram: a second per chat, 30 a second overall)", async () => {
    const ch = channel();
    const t0 = 1_000_000;
    expect(await gate.reserve(ch, 'chat-a', TELEGRAM_LIMITS, t0)).toEqual({ waitMs: 0, reserved: true });
    // Chat A's second bubble must wait its second, and takes no slot yet.
    expect(await gate.reserve(ch, 'chat-a', TELEGRAM_LIMITS, t0 + 10)).toEqual({ waitMs: 990, reserved: false });
    // Other chats go at the channel's pace (34 ms apart), not a second later.
    expect(await gate.reserve(ch, 'chat-b', TELEGRAM_LIMITS, t0 + 10)).toEqual({ waitMs: 24, reserved: true });
    expect(await gate.reserve(ch, 'chat-c', TELEGRAM_LIMITS, t0 + 10)).toEqual({ waitMs: 58, reserved: true });
    // When chat A's second is up, it gets the next channel slot.
    expect(await gate.reserve(ch, 'chat-a', TELEGRAM_LIMITS, t0 + 1000)).toEqual({ waitMs: 0, reserved: true });
    // A new chat then waits for the channel's pace after it; chat B for its own second (it sent at t0 + 34).
    expect(await gate.reserve(ch, 'chat-d', TELEGRAM_LIMITS, t0 + 1000)).toEqual({ waitMs: 34, reserved: true });
    expect(await gate.reserve(ch, 'chat-b', TELEGRAM_LIMITS, t0 + 1000)).toEqual({ waitMs: 34, reserved: false });
  });

  it('reserves nothing (and asks Redis nothing) for a channel with no platform limit', async () => {
    const ch = channel();
    const unlimited = { perSecond: Number.POSITIVE_INFINITY, perChatGapMs: 0, jitterMs: [0, 0] as [number, number], perMinute: null };
    expect(await gate.reserve(ch, 'x', unlimited, 5)).toEqual({ waitMs: 0, reserved: true });
    expect(await redis.exists(`basirah:rate:${ch}`)).toBe(0);
  });

  it('keeps a per-minute cap: the send past it waits for the next minute', async () => {
    const ch = channel();
    const capped = { perSecond: 1000, perChatGapMs: 0, jitterMs: [0, 0] as [number, number], perMinute: 2 };
    const t0 = 60_000 * 1000 + 5;
    expect((await gate.reserve(ch, 'a', capped, t0)).waitMs).toBe(0);
    expect((await gate.reserve(ch, 'b', capped, t0)).waitMs).toBe(1);
    expect(await gate.reserve(ch, 'c', capped, t0)).toEqual({ waitMs: 60_000 - 5, reserved: true });
  });
});
