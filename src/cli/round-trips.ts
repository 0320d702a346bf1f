/*
 * CLI: `npm run bench:round-trips` — counts the MongoDB and Redis round trips one web-chat message
 * costs, end to end (WebSocket → store → engine → database → send → WebSocket). Small TCP proxies
 * in front of the database and Redis count the requests the app sends (a Lua script is one
 * request); an idle window of the same length is counted too and subtracted (BullMQ's polling,
 * the recovery sweep). Prints numbers.
 */
import { randomUUID } from 'node:crypto';
import * as net from 'node:net';
import * as path from 'node:path';
import WebSocket from 'ws';
import { loadConfig } from '../config/config';
import { ensureLocalServices } from '../infra/local-services';
import { createLogger } from '../logging/logger';
import { startApp } from '../runtime/app-runtime';

/** Three visitors of ten messages each: well inside the per-person (20 a minute) and per-session limits. */
const VISITORS = 3;
const PER_VISITOR = 10;
const MESSAGES = VISITORS * PER_VISITOR;
const SETTLE_MS = 300;
const QUESTION = 'ما هي ساعات العمل؟';

/** Counts MongoDB wire messages (each starts with a 16-byte header whose first field is its length). */
function mongoCounter(): (chunk: Buffer) => number {
  let pending = Buffer.alloc(0);
  return (chunk) => {
    pending = Buffer.concat([pending, chunk]);
    let count = 0;
    while (pending.length >= 4) {
      const length = pending.readInt32LE(0);
      if (pending.length < length) break;
      pending = pending.subarray(length);
      count += 1;
    }
    return count;
  };
}

/** Counts Redis requests: top-level RESP arrays (`*N` then N bulk strings), as a client sends them. */
function redisCounter(): (chunk: Buffer) => number {
  let pending = Buffer.alloc(0);
  const readLine = (from: number): [string, number] | null => {
    const end = pending.indexOf('\r\n', from);
    return end < 0 ? null : [pending.subarray(from, end).toString('latin1'), end + 2];
  };
  const commandEnd = (): number | null => {
    const header = readLine(0);
    if (!header) return null;
    const [first, afterHeader] = header;
    if (!first.startsWith('*')) return afterHeader; // an inline command
    let at = afterHeader;
    const parts = Number(first.slice(1));
    for (let i = 0; i < parts; i += 1) {
      const bulk = readLine(at);
      if (!bulk) return null;
      at = bulk[1] + Number(bulk[0].slice(1)) + 2;
      if (at > pending.length) return null;
    }
    return at;
  };
  return (chunk) => {
    pending = Buffer.concat([pending, chunk]);
    let count = 0;
    for (let end = commandEnd(); end !== null; end = commandEnd()) {
      pending = pending.subarray(end);
      count += 1;
    }
    return count;
  };
}

interface CountingProxy {
  port: number;
  count: () => number;
  close(): Promise<void>;
}

function countingProxy(target: { host: string; port: number }, makeCounter: () => (chunk: Buffer) => number): Promise<CountingProxy> {
  let total = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(target);
    const counter = makeCounter();
    sockets.add(client).add(upstream);
    client.on('data', (chunk: Buffer) => {
      total += counter(chunk);
      upstream.write(chunk);
    });
    upstream.pipe(client);
    const end = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const address = server.address() as net.AddressInfo;
      resolve({
        port: address.port,
        count: () => total,
        close: () =>
          new Promise((done) => {
            for (const s of sockets) s.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}

async function chat(port: number): Promise<{ send(text: string): Promise<number>; close(): void }> {
  // The chat page's history call is what gives a visitor a session cookie.
  const headers = { 'x-forwarded-for': `10.9.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}` };
  const response = await fetch(`http://127.0.0.1:${port}/api/web/history`, { headers });
  await response.arrayBuffer();
  const cookie = (response.headers.getSetCookie().find((c) => c.startsWith('basirah_sid=')) ?? '').split(';', 1)[0] ?? '';
  const socket = new WebSocket(`ws://127.0.0.1:${port}/ws`, { headers: { cookie, ...headers } });
  let replies = 0;
  let last = Date.now();
  let failure: Error | null = null;
  await new Promise<void>((resolve, reject) => {
    socket.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as { type: string };
      if (frame.type === 'ready') resolve();
      if (frame.type === 'reply') {
        replies += 1;
        last = Date.now();
      }
      if (frame.type === 'error') failure = new Error(`the bot refused a message: ${data.toString()}`);
    });
    socket.once('error', reject);
    socket.once('close', (code) => reject(new Error(`socket closed (${code}) before ready`)));
  });
  return {
    async send(text) {
      const before = replies;
      socket.send(JSON.stringify({ type: 'message', clientId: randomUUID(), text }));
      while (replies === before || Date.now() - last < SETTLE_MS) {
        if (failure) throw failure;
        await new Promise((r) => setTimeout(r, 20));
      }
      return replies - before;
    },
    close: () => socket.close(),
  };
}

async function main(): Promise<void> {
  const urls = await ensureLocalServices({ projectRoot: path.resolve(__dirname, '..', '..'), needMongo: true, needRedis: true, progress: (l) => process.stderr.write(`${l}\n`) });
  const mongoUrl = new URL(urls.mongoUri as string);
    const mongo = await countingProxy({ host: mongoUrl.hostname, port: Number(mongoUrl.port) }, mongoCounter);
  const redisUrl = new URL(urls.redisUrl as string);
  const redis = await countingProxy({ host: redisUrl.hostname, port: Number(redisUrl.port) }, redisCounter);
  const redisCount = async (): Promise<number> => redis.count();
  const database = `rt_${process.pid}`;
  const config = loadConfig({
    NODE_ENV: 'development',
    MONGODB_URI: `mongodb://127.0.0.1:${mongo.port}/?directConnection=true`,
    MONGODB_DB: database,
    REDIS_URL: `redis://127.0.0.1:${redis.port}`,
    QUEUE_PREFIX: `rt${process.pid}`,
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'error',
    // This script is the visitor's proxy: it names a private address, so other traffic from this machine does not count against it.
    TRUST_PROXY: '127.0.0.1',
  });
  process.stderr.write('starting the app (trains the classifier)…\n');
  const app = await startApp(config, createLogger('error'));
  process.stderr.write('app started\n');
  try {
    const port = (app.http?.server.address() as net.AddressInfo).port;
    const clients = [];
    for (let v = 0; v < VISITORS; v += 1) {
      const client = await chat(port);
      await client.send(QUESTION); // warm-up: the conversation exists from here on
      clients.push(client);
    }
    const start = { mongo: mongo.count(), redis: await redisCount(), at: Date.now() };
    let bubbles = 0;
    for (const client of clients) for (let i = 0; i < PER_VISITOR; i += 1) bubbles += await client.send(QUESTION);
    const busy = { mongo: mongo.count() - start.mongo, redis: (await redisCount()) - start.redis, ms: Date.now() - start.at };
    const idleStart = { mongo: mongo.count(), redis: await redisCount() };
    await new Promise((r) => setTimeout(r, busy.ms));
    const idle = { mongo: mongo.count() - idleStart.mongo, redis: (await redisCount()) - idleStart.redis };
    for (const client of clients) client.close();
    const per = (n: number): string => (n / MESSAGES).toFixed(1);
    process.stdout.write(
      `round trips per web-chat message (${MESSAGES} messages, ${(bubbles / MESSAGES).toFixed(1)} reply bubbles each, idle background subtracted):\n` +
        `  MongoDB: ${per(busy.mongo - idle.mongo)}   (raw ${per(busy.mongo)}, idle ${per(idle.mongo)})\n` +
        `  Redis:   ${per(busy.redis - idle.redis)}   (raw ${per(busy.redis)}, idle ${per(idle.redis)})\n`,
    );
  } finally {
    await app.close();
    const { mongo: driver } = await import('mongoose');
    const cleanup = new driver.MongoClient(urls.mongoUri as string);
    await cleanup.db(database).dropDatabase().catch(() => undefined);
    await cleanup.close();
    await Promise.all([mongo.close(), redis.close()]);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
