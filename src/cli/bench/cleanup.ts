import { Redis } from 'ioredis';
import { withDatabase } from './raw-mongo';

/**
 * Drops every database and deletes every Redis key the run created (its queue prefixes), also when
 * the run failed. Each step is tried even if another one failed.
 */
export async function cleanUp(mongoUri: string, redisUrl: string, databases: readonly string[], prefixes: readonly string[]): Promise<string[]> {
  const problems: string[] = [];
  for (const name of databases) {
    await withDatabase(mongoUri, name, (db) => db.dropDatabase()).catch((error: unknown) => problems.push(`drop ${name}: ${String(error)}`));
  }
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 3 });
  try {
    // BullMQ's keys start with the prefix; the mailbox's (send flags, per-sender counters) with basirah:<prefix>.
    for (const pattern of prefixes.flatMap((p) => [`${p}:*`, `basirah:${p}:*`])) {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
        cursor = next;
        if (keys.length > 0) await redis.del(...keys);
      } while (cursor !== '0');
    }
  } catch (error) {
    problems.push(`redis keys: ${String(error)}`);
  } finally {
    redis.disconnect();
  }
  return problems;
}
