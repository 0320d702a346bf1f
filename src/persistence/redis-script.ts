import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * A Lua script that Redis runs by its SHA1 (EVALSHA), sent whole (EVAL) only when Redis does not
 * have it yet: first use, or after a restart or `SCRIPT FLUSH`. With EVAL on every call, each web
 * message sent about ten script texts over the socket, and Redis hashed each one again.
 */
export class RedisScript {
  private readonly sha: string;

  constructor(private readonly source: string) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  /** As `redis.eval(script, numKeys, ...keysAndArgs)`. */
  async run(redis: Redis, numKeys: number, ...keysAndArgs: Array<string | number>): Promise<unknown> {
    try {
      return await redis.evalsha(this.sha, numKeys, ...keysAndArgs);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return redis.eval(this.source, numKeys, ...keysAndArgs);
    }
  }
}
