import { join } from 'node:path';
import { Redis } from 'ioredis';
import mongoose, { type Connection } from 'mongoose';
import type { AppConfig } from '../config/config';
import { ensureLocalServices } from '../infra/local-services';
import { FieldCipher } from '../security/field-cipher';
import { loadOrCreateDevSecrets } from '../security/dev-secrets';

/** The project folder (two levels above this file in src/ and in dist/). */
export const PROJECT_ROOT = join(__dirname, '..', '..');

export interface Services {
  mongo: Connection;
  redis: Redis;
  /** The Redis URL in use (configured or provisioned), for BullMQ's own connections. */
  redisUrl: string;
  cipher: FieldCipher;
  close(): Promise<void>;
}

/**
 * Connects to MongoDB and Redis (provisioning local FerretDB and Redis when no URI is configured)
 * and builds the field cipher (a generated development key when none is configured).
 */
export async function connectServices(config: AppConfig, progress: (line: string) => void): Promise<Services> {
  const local = await ensureLocalServices({
    projectRoot: PROJECT_ROOT,
    needMongo: !config.mongoUri,
    needRedis: !config.redisUrl,
    progress,
  });
  const mongoUri = config.mongoUri ?? local.mongoUri;
  const redisUrl = config.redisUrl ?? local.redisUrl;
  if (!mongoUri || !redisUrl) throw new Error('MongoDB or Redis could not be provisioned: set MONGODB_URI and REDIS_URL.');
  const cipher = buildCipher(config, progress);
  const mongo = await mongoose.createConnection(mongoUri, { dbName: config.mongoDb, serverSelectionTimeoutMS: 10_000 }).asPromise();
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 3, lazyConnect: true });
  await redis.connect();
  return {
    mongo,
    redis,
    redisUrl,
    cipher,
    async close() {
      await Promise.allSettled([mongo.close(), redis.quit()]);
    },
  };
}

function buildCipher(config: AppConfig, warn: (line: string) => void): FieldCipher {
  if (config.encryptionKeys && config.hmacKey) return FieldCipher.fromStrings(config.encryptionKeys, config.hmacKey);
  const secrets = loadOrCreateDevSecrets(config.dataDir ?? join(PROJECT_ROOT, '.local', 'data'), warn);
  return FieldCipher.fromStrings(secrets.encryptionKeys, secrets.hmacKey);
}
