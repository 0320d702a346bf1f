import { randomUUID } from 'crypto';
import Redis from 'ioredis';
import { mongo } from 'mongoose';
import * as path from 'path';
import { ensureLocalServices, LOCAL_MONGO_URI, LOCAL_REDIS_URL } from '../../src/infra/local-services';

/** Set by tests/support/global-setup.ts (or by the developer, to use servers of their own). */
function requiredEnv(name: 'MONGODB_URI' | 'REDIS_URL'): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: global setup should have provisioned it`);
  return value;
}

const mongoUri = requiredEnv('MONGODB_URI');
const redisUrl = requiredEnv('REDIS_URL');
const runId = randomUUID().slice(0, 8);

describe('local services', () => {
  // `mongoose.mongo` is the very `mongodb` driver mongoose ships, so no undeclared dependency is needed.
  const client = new mongo.MongoClient(mongoUri, { serverSelectionTimeoutMS: 5000 });
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });

  afterAll(async () => {
    await client.close();
    redis.disconnect();
  });

  it('stores and reads back a document in a MongoDB-compatible server', async () => {
    const db = client.db(`local_services_${runId}`);
    try {
      await db.collection('probes').insertOne({ runId, note: 'مرحبا' });
      const found = await db.collection('probes').findOne({ runId });
      expect(found?.['note']).toBe('مرحبا');
    } finally {
      await db.dropDatabase();
    }
  });

  it('stores and reads back a key in Redis', async () => {
    const key = `test:local-services:${runId}`;
    await redis.connect();
    try {
      await redis.set(key, 'value', 'EX', 60);
      expect(await redis.get(key)).toBe('value');
    } finally {
      await redis.del(key);
    }
  });

  // Only meaningful when global setup provisioned the servers, not when the developer supplied their own.
  const provisionedLocally = mongoUri === LOCAL_MONGO_URI && redisUrl === LOCAL_REDIS_URL;
  (provisionedLocally ? it : it.skip)('reuses the running servers on a second call', async () => {
    const progress: string[] = [];
    const started = Date.now();
    const urls = await ensureLocalServices({
      projectRoot: path.resolve(__dirname, '..', '..'),
      needMongo: true,
      needRedis: true,
      progress: (line) => progress.push(line),
    });
    expect(urls).toEqual({ mongoUri: LOCAL_MONGO_URI, redisUrl: LOCAL_REDIS_URL });
    expect(progress).toEqual([]); // nothing was built, installed or started
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
