import { join } from 'node:path';
import { Redis } from 'ioredis';
import mongoose, { type Connection } from 'mongoose';
import type { AppConfig } from '../config/config';
import { ensureLocalServices } from '../infra/local-services';
import { FieldCipher } from '../security/field-cipher';
import { loadOrCreateDevSecrets, type Secrets } from '../security/dev-secrets';

/** The project folder (two levels above this file in src/ and in dist/). */
export const PROJECT_ROOT = join(__dirname, '..', '..');

export interface Services {
  mongo: Connection;
  redis: Redis;
  /** The Redis URL in use (configured or provisioned), for BullMQ's own connections. */
  redisUrl: string;
  /** Web chat cookie secret and staff API token: configured, or development ones from the data folder. */
  sessionSecret?: string;
  staffApiToken?: string;
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
  const secrets = resolveSecrets(config, progress);
  const cipher = FieldCipher.fromStrings(secrets.encryptionKeys, secrets.hmacKey);
  const mongo = await mongoose.createConnection(mongoUri, { dbName: config.mongoDb, serverSelectionTimeoutMS: 10_000 }).asPromise();
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 3, lazyConnect: true });
  await redis.connect();
  return {
    mongo,
    redis,
    redisUrl,
    cipher,
    sessionSecret: secrets.sessionSecret,
    staffApiToken: secrets.staffApiToken,
    async close() {
      await Promise.allSettled([mongo.close(), redis.quit()]);
    },
  };
}

/** Configured secrets; in development, missing ones come from the generated file in the data folder. */
function resolveSecrets(config: AppConfig, warn: (line: string) => void): Secrets {
  const configured = { encryptionKeys: config.encryptionKeys, hmacKey: config.hmacKey, sessionSecret: config.sessionSecret, staffApiToken: config.staffApiToken };
  if (configured.encryptionKeys && configured.hmacKey && configured.sessionSecret && configured.staffApiToken) return configured as Secrets;
  const dev = loadOrCreateDevSecrets(dataDirOf(config), warn);
  return {
    encryptionKeys: configured.encryptionKeys ?? dev.encryptionKeys,
    hmacKey: configured.hmacKey ?? dev.hmacKey,
    sessionSecret: configured.sessionSecret ?? dev.sessionSecret,
    staffApiToken: configured.staffApiToken ?? dev.staffApiToken,
  };
}

/** The folder for local state (development keys, WhatsApp session). */
export function dataDirOf(config: Pick<AppConfig, 'dataDir'>): string {
  return config.dataDir ?? join(PROJECT_ROOT, '.local', 'data');
}
