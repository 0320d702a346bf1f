import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mongoose from 'mongoose';
import WebSocket from 'ws';
import { loadConfig } from '../../src/config/config';
import { createLogger } from '../../src/logging/logger';
import { startApp, type RunningApp } from '../../src/runtime/app-runtime';
import { t } from '../support/engine-setup';

/** The whole service as `npm start` composes it (all roles in one process), on a random port. */
const dbName = `t_app_${randomBytes(4).toString('hex')}`;
let app: RunningApp;
let base: string;

beforeAll(async () => {
  const config = loadConfig({
    MONGODB_URI: process.env.MONGODB_URI,
    REDIS_URL: process.env.REDIS_URL,
    MONGODB_DB: dbName,
    DATA_DIR: mkdtempSync(join(tmpdir(), 'basirah-app-')),
    PORT: '0',
    QUEUE_SHARDS: '2',
    QUEUE_PREFIX: `t-app-${randomBytes(3).toString('hex')}`,
  });
  app = await startApp(config, createLogger('silent'));
  const address = app.http?.server.address();
  if (!address || typeof address !== 'object') throw new Error('not listening');
  base = `127.0.0.1:${address.port}`;
}, 60_000);

afterAll(async () => {
  await app.close();
  const conn = await mongoose.createConnection(process.env.MONGODB_URI as string, { dbName }).asPromise();
  await conn.dropDatabase();
  await conn.close();
});

describe('npm start composition (web, channels and workers in one process)', () => {
  it('is ready, serves the Arabic page, and answers a visitor over the WebSocket through the queues', async () => {
    const ready = await fetch(`http://${base}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', mongo: 'ok', redis: 'ok' });

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
  }, 30_000);
});
