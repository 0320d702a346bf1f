import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mongoose from 'mongoose';
import WebSocket from 'ws';
import type { ChannelHealth } from '../../src/channels/channel';
import { loadConfig } from '../../src/config/config';
import { createLogger } from '../../src/logging/logger';
import { startApp, type RunningApp, type StartOptions } from '../../src/runtime/app-runtime';
import { t } from '../support/engine-setup';
import { eventually } from '../support/pipeline';
import { TEST_BOT_TOKEN } from '../support/telegram';

/** The whole service as `npm start` composes it (all roles in one process), on a random port. */
interface Service {
  app: RunningApp;
  base: string;
  close(): Promise<void>;
}

async function startService(env: Record<string, string>, options: StartOptions = {}): Promise<Service> {
  const dbName = `t_app_${randomBytes(4).toString('hex')}`;
  const config = loadConfig({
    MONGODB_URI: process.env.MONGODB_URI,
    REDIS_URL: process.env.REDIS_URL,
    MONGODB_DB: dbName,
    DATA_DIR: mkdtempSync(join(tmpdir(), 'basirah-app-')),
    PORT: '0',
    QUEUE_SHARDS: '2',
    QUEUE_PREFIX: `t-app-${randomBytes(3).toString('hex')}`,
    ...env,
  });
  const app = await startApp(config, createLogger('silent'), options);
  const address = app.http?.server.address();
  if (!address || typeof address !== 'object') throw new Error('not listening');
  return {
    app,
    base: `127.0.0.1:${address.port}`,
    async close() {
      await app.close();
      const conn = await mongoose.createConnection(process.env.MONGODB_URI as string, { dbName }).asPromise();
      await conn.dropDatabase();
      await conn.close();
    },
  };
}

/** A visitor loads the page and greets over the WebSocket; resolves once the welcome came back through the queues. */
async function greetOverWebChat(base: string): Promise<void> {
  const page = await fetch(`http://${base}/`);
  expect(await page.text()).toContain('dir="rtl"');
  const cookie = (page.headers.get('set-cookie') ?? '').split(';')[0] as string;
  expect(cookie).toMatch(/^basirah_sid=/);

  const socket = new WebSocket(`ws://${base}/ws`, { headers: { cookie, origin: `http://${base}` } });
  const frames: Array<{ type: string; text?: string; clientId?: string }> = [];
  const welcome = new Promise<void>((resolve, reject) => {
    socket.on('message', (data: Buffer) => {
      const frame = JSON.parse(data.toString()) as { type: string; text?: string };
      frames.push(frame);
      if (frame.type === 'reply' && frame.text === t('ar', 'answers.welcome')) resolve();
    });
    socket.on('error', reject);
  });
  await new Promise((resolve) => socket.once('open', resolve));
  const clientId = randomUUID();
  socket.send(JSON.stringify({ type: 'message', clientId, text: 'السلام عليكم' }));
  await welcome;
  expect(frames.find((f) => f.type === 'ack')?.clientId).toBe(clientId);
  socket.close();
}

describe('npm start composition (web, channels and workers in one process)', () => {
  let service: Service;
  beforeAll(async () => {
    service = await startService({});
  }, 60_000);
  afterAll(() => service.close());

  it('is ready, serves the Arabic page, and answers a visitor over the WebSocket through the queues', async () => {
    const ready = await fetch(`http://${service.base}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', mongo: 'ok', redis: 'ok' });
    await greetOverWebChat(service.base);
  }, 30_000);

  it('serves the staff console’s queues board, behind the guard (not a 404: it is registered)', async () => {
    const board = await fetch(`http://${service.base}/staff/queues/api/queues`);
    expect(board.status).toBe(401);
    expect(await board.json()).toMatchObject({ error: 'not-authenticated' });
  });
});

describe('a channel failing at start-up', () => {
  let service: Service;
  beforeAll(async () => {
    // A loopback port nothing listens on: the Bot API is unreachable.
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    service = await startService({ TELEGRAM_BOT_TOKEN: TEST_BOT_TOKEN, TELEGRAM_API_ROOT: `http://127.0.0.1:${port}` });
  }, 60_000);
  afterAll(() => service.close());

  const readiness = async (): Promise<{ status: number; telegram: ChannelHealth | undefined }> => {
    const response = await fetch(`http://${service.base}/ready`);
    const body = (await response.json()) as { channels: ChannelHealth[] };
    return { status: response.status, telegram: body.channels.find((c) => c.channel === 'telegram') };
  };

  it('reports Telegram failed in /ready (503) and retries it with backoff, while the web chat keeps answering', async () => {
    const failed = await eventually(async () => {
      const ready = await readiness();
      return ready.telegram?.state === 'failed' ? ready : undefined;
    }, 15_000, 'telegram failed');
    expect(failed.status).toBe(503);
    expect(failed.telegram?.detail).toMatch(/^start failed \(attempt \d+\): .+; (next try in \d+ s|retrying now)$/);

    await greetOverWebChat(service.base);

    // The default backoff starts at 1 s: the second attempt comes by itself.
    await eventually(async () => ((await readiness()).telegram?.detail?.includes('attempt 2') ? true : undefined), 10_000, 'a second attempt');
  }, 60_000);
});
