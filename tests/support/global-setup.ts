import * as path from 'path';
import { ensureLocalServices } from '../../src/infra/local-services';

/**
 * Jest global setup: integration tests need a MongoDB-compatible server and Redis. Servers named by
 * MONGODB_URI / REDIS_URL are used as given; otherwise project-local ones are provisioned under
 * `.local/` and their URLs exported, which test workers inherit because they start after this runs.
 */
export default async function globalSetup(): Promise<void> {
  const needMongo = !process.env.MONGODB_URI;
  const needRedis = !process.env.REDIS_URL;
  if (!needMongo && !needRedis) return;
  const urls = await ensureLocalServices({
    projectRoot: path.resolve(__dirname, '..', '..'),
    needMongo,
    needRedis,
    // stdout belongs to Jest's reporters.
    progress: (line) => process.stderr.write(`${line}\n`),
  });
  if (urls.mongoUri !== undefined) process.env.MONGODB_URI = urls.mongoUri;
  if (urls.redisUrl !== undefined) process.env.REDIS_URL = urls.redisUrl;
}
