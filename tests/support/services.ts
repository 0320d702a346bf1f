import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import mongoose from 'mongoose';
import { FieldCipher } from '../../src/security/field-cipher';
import type { Services } from '../../src/runtime/services';

/**
 * Real MongoDB-compatible server and Redis for integration tests (provisioned by global-setup),
 * with a unique database per test file and a fresh random key set.
 */
export interface TestKeys {
  key: string;
  hmac: string;
}

export function makeTestKeys(): TestKeys {
  return { key: randomBytes(32).toString('base64'), hmac: randomBytes(32).toString('base64') };
}

export async function connectTestServices(
  label: string,
  shared: { dbName?: string; keys?: TestKeys } = {},
): Promise<Services & { dbName: string; keys: TestKeys; drop(): Promise<void> }> {
  const mongoUri = process.env.MONGODB_URI;
  const redisUrl = process.env.REDIS_URL;
  if (!mongoUri || !redisUrl) throw new Error('global-setup did not provide MONGODB_URI / REDIS_URL');
  const dbName = shared.dbName ?? `t_${label}_${randomBytes(4).toString('hex')}`;
  const keys = shared.keys ?? makeTestKeys();
  const mongo = await mongoose.createConnection(mongoUri, { dbName, serverSelectionTimeoutMS: 10_000 }).asPromise();
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 3 });
  const cipher = new FieldCipher([{ id: 'test1', key: Buffer.from(keys.key, 'base64') }], Buffer.from(keys.hmac, 'base64'));
  return {
    mongo,
    redis,
    redisUrl,
    cipher,
    dbName,
    keys,
    async drop() {
      await mongo.dropDatabase();
    },
    async close() {
      await Promise.allSettled([mongo.close(), redis.quit()]);
    },
  };
}
