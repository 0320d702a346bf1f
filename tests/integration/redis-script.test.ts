import { createHash, randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { RedisScript } from '../../src/persistence/redis-script';

/** Lua scripts by SHA1 on a real Redis: the text is sent once, then only its name. */
describe('RedisScript (real Redis)', () => {
  const redis = new Redis(process.env.REDIS_URL as string);
  afterAll(async () => redis.quit());

  it('loads a script Redis does not have with EVAL, then runs it by its SHA1 alone', async () => {
    // A text nobody has loaded (the comment makes it unique), so the first call meets NOSCRIPT.
    const source = `-- ${randomBytes(8).toString('hex')}\nreturn {KEYS[1], ARGV[1], redis.call('INCR', KEYS[1])}`;
    const sha = createHash('sha1').update(source).digest('hex');
    const key = `test:script:${randomBytes(4).toString('hex')}`;
    const script = new RedisScript(source);
    const evalsha = jest.spyOn(redis, 'evalsha');
    const evalText = jest.spyOn(redis, 'eval');
    try {
      expect(await redis.script('EXISTS', sha)).toEqual([0]);
      expect(await script.run(redis, 1, key, 'a')).toEqual([key, 'a', 1]);
      expect(await redis.script('EXISTS', sha)).toEqual([1]);
      expect([evalsha.mock.calls.length, evalText.mock.calls.length]).toEqual([1, 1]);
      for (let i = 2; i <= 5; i += 1) expect(await script.run(redis, 1, key, 'b')).toEqual([key, 'b', i]);
      expect([evalsha.mock.calls.length, evalText.mock.calls.length]).toEqual([5, 1]);
    } finally {
      evalsha.mockRestore();
      evalText.mockRestore();
      await redis.del(key);
    }
  });

  it('passes a script error through instead of retrying it as a missing script', async () => {
    const script = new RedisScript(`-- ${randomBytes(8).toString('hex')}\nreturn redis.error_reply('BAD input')`);
    await expect(script.run(redis, 0)).rejects.toThrow('BAD input');
    await expect(script.run(redis, 0)).rejects.toThrow('BAD input');
  });
});
