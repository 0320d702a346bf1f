import { randomBytes, randomUUID } from 'crypto';
import Redis from 'ioredis';
import { mongo } from 'mongoose';
import * as path from 'path';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import { ensureLocalServices, LOCAL_MONGO_URI, LOCAL_REDIS_URL } from '../../src/infra/local-services';
import { findPostgresBin, POSTGRES_HOST, POSTGRES_ROLE } from '../../src/infra/postgres';

/** Set by tests/support/global-setup.ts (or by the developer, to use servers of their own). */
function requiredEnv(name: 'MONGODB_URI' | 'REDIS_URL'): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: global setup should have provisioned it`);
  return value;
}

const mongoUri = requiredEnv('MONGODB_URI');
const redisUrl = requiredEnv('REDIS_URL');
const runId = randomUUID().slice(0, 8);

/**
 * The PostgreSQL cluster behind the running local FerretDB, from that process's environment: it
 * may have been provisioned by another checkout on this machine (the port is fixed), whose
 * `.local` is not this one.
 */
function ferretDbCluster(): { port: string; password: string; env: string[] } {
  const listen = `--listen-addr=${new URL(LOCAL_MONGO_URI).host}`;
  for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    let cmdline: string[];
    try {
      cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    } catch {
      continue;
    }
    if (!cmdline.includes(listen) || !cmdline.includes('--handler=postgresql')) continue;
    const env = fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
    const url = env.find((e) => e.startsWith('FERRETDB_POSTGRESQL_URL='))?.slice('FERRETDB_POSTGRESQL_URL='.length);
    if (!url) break;
    const parsed = new URL(url);
    return { port: parsed.port, password: decodeURIComponent(parsed.password), env };
  }
  throw new Error(`no local FerretDB process (${listen}) found`);
}

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

  (provisionedLocally ? it : it.skip)('gives each FerretDB table one GIN index per looked-up key (its _id and the first key of each index, never two of one), without a pending list', async () => {
    const dbName = `gin_${runId}`;
    const db = client.db(dbName);
    try {
      await db.collection('things').insertOne({ _id: 'a' as never, owner: 'x', at: new Date() });
      await db.collection('things').createIndex({ owner: 1, at: 1 });
      await db.collection('things').createIndex({ at: -1 });
      const cluster = ferretDbCluster();
      const psql = findPostgresBin();
      if (!psql) throw new Error('psql is missing although the local cluster runs');
      const sql = `SELECT pg_get_indexdef(i.indexrelid, 1, true) || ' ' || array_to_string(c.reloptions, ',') FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace WHERE n.nspname = '${dbName}' AND t.relname LIKE 'things%' AND c.relname LIKE 'basirah_gin_%' ORDER BY 1`;
      const out = execFileSync(`${psql}/psql`, ['-X', '-A', '-t', '-h', POSTGRES_HOST, '-p', cluster.port, '-U', POSTGRES_ROLE, '-d', 'postgres', '-c', sql], {
        env: { ...process.env, PGPASSWORD: cluster.password },
        encoding: 'utf8',
      });
      expect(out.trim().split('\n')).toEqual(["(_jsonb -> '_id'::text) fastupdate=off", "(_jsonb -> 'at'::text) fastupdate=off", "(_jsonb -> 'owner'::text) fastupdate=off"]);
    } finally {
      await db.dropDatabase();
    }
  });

  (provisionedLocally ? it : it.skip)('keeps FerretDB documents under 8 KB whole in their row (not compressed, no TOAST table) and runs FerretDB with a lean Go runtime', async () => {
    const dbName = `inline_${runId}`;
    const db = client.db(dbName);
    try {
      // About 5 KB of ciphertext-like text: over PostgreSQL's default 2 KB threshold, so by default compressed and moved out of line.
      const sealed = randomBytes(3_600).toString('base64');
      await db.collection('things').insertOne({ _id: 'a' as never, sealed });
      const cluster = ferretDbCluster();
      const psql = findPostgresBin();
      if (!psql) throw new Error('psql is missing although the local cluster runs');
      const table = `(SELECT t.oid FROM pg_class t JOIN pg_namespace n ON n.oid = t.relnamespace WHERE n.nspname = '${dbName}' AND t.relname LIKE 'things%' AND t.relkind = 'r')`;
      const run = (query: string): string =>
        execFileSync(`${psql}/psql`, ['-X', '-A', '-t', '-h', POSTGRES_HOST, '-p', cluster.port, '-U', POSTGRES_ROLE, '-d', 'postgres', '-c', query], {
          env: { ...process.env, PGPASSWORD: cluster.password },
          encoding: 'utf8',
        }).trim();
      const relname = run(`SELECT relname FROM pg_class WHERE oid = ${table}`);
      expect(run(`SELECT array_to_string(reloptions, ','), pg_relation_size(reltoastrelid) FROM pg_class WHERE oid = ${table}`)).toBe('toast_tuple_target=8160|0');
      // Stored as is: the value takes at least its own length (compressed, it would take less).
      expect(run(`SELECT pg_column_size(_jsonb) >= length('${sealed}') FROM "${dbName}"."${relname}"`)).toBe('t');
      expect(cluster.env).toEqual(expect.arrayContaining(['GOGC=400', 'GOMEMLIMIT=512MiB', 'GOMAXPROCS=1']));
    } finally {
      await db.dropDatabase();
    }
  });
});
