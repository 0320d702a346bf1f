import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { Redis } from 'ioredis';
import { buildApp } from '../../src/http/app';
import { INBOUND_QUEUE } from '../../src/jobs/inbound.queue';
import { queueNamesOf } from '../../src/runtime/pipeline';
import { queuesBoard } from '../../src/staff/pages/queues.page';
import { STAFF_ROLES, type StaffRole } from '../../src/staff/roles';
import { guardDepsOf, STAFF_COOKIE } from '../../src/staff/staff.guard';
import { I18nTranslator } from '../../src/i18n/translator';
import { startConsoleHarness, type ConsoleHarness } from '../support/console';
import { eventually } from '../support/pipeline';
import { signedIn } from '../support/staff';

/**
 * The queues board (bull-board under /staff/queues, src/staff/pages/queues.page.ts) through
 * fastify's inject(): every route — page, static file, JSON API, unknown path — is for admins
 * only, the board is read-only, and it observes the pipeline's real queues under its prefix.
 */

let c: ConsoleHarness;
let redis: Redis;
/** A producer of the test's own on the pipeline's turn queue, to put a job where the board must see it. */
let producer: Queue;
const sessions = new Map<StaffRole, { sessionId: string; csrfToken: string }>();
/** The board's script, as its page names it (read as an admin). */
let scriptPath: string;

beforeAll(async () => {
  c = await startConsoleHarness('queues');
  redis = new Redis(process.env.REDIS_URL as string);
  producer = new Queue(INBOUND_QUEUE, { connection: redis, prefix: c.staff.queues.prefix });
  for (const role of STAFF_ROLES) sessions.set(role, await signedIn(c.staff, [role]));
  const page = await call('GET', '/staff/queues', 'admin');
  const src = /<script defer src="(static\/js\/main\.[\w.]+\.js)">/.exec(page.body)?.[1];
  if (!src) throw new Error(`the board's page names no main script: ${page.statusCode}`);
  scriptPath = `/staff/queues/${src}`;
});

afterAll(async () => {
  await producer?.close();
  await c?.close();
  const keys = c ? await redis.keys(`${c.staff.queues.prefix}:*`) : [];
  if (keys.length > 0) await redis.del(...keys);
  await redis?.quit();
});

function call(method: InjectOptions['method'], url: string, role?: StaffRole, options: { csrf?: boolean; headers?: Record<string, string> } = {}): Promise<LightMyRequestResponse> {
  const session = role ? sessions.get(role) : undefined;
  const headers: Record<string, string> = { ...options.headers };
  if (session) headers.cookie = `${STAFF_COOKIE}=${session.sessionId}`;
  if (session && options.csrf !== false) headers['x-csrf-token'] = session.csrfToken;
  return c.app.inject({ method, url, headers, ...(method === 'GET' || method === 'HEAD' ? {} : { payload: {} }) });
}

/** Every kind of route the board has, and a path it does not. */
const paths = (): string[] => [
  '/staff/queues',
  '/staff/queues/',
  `/staff/queues/queue/${INBOUND_QUEUE}`,
  scriptPath,
  '/staff/queues/static/locales/en-US/messages.json',
  '/staff/queues/api/queues',
  '/staff/queues/api/redis/stats',
  `/staff/queues/api/queues/${INBOUND_QUEUE}/no-such-job`,
  '/staff/queues/no/such/path',
];

/** State-changing calls of bull-board's API (pause, retry, clean, add, obliterate …). */
const ACTIONS: Array<[InjectOptions['method'], string]> = [
  ['PUT', `/staff/queues/api/queues/${INBOUND_QUEUE}/pause`],
  ['PUT', '/staff/queues/api/queues/pause'],
  ['PUT', `/staff/queues/api/queues/${INBOUND_QUEUE}/retry/failed`],
  ['PUT', `/staff/queues/api/queues/${INBOUND_QUEUE}/clean/completed`],
  ['PUT', `/staff/queues/api/queues/${INBOUND_QUEUE}/obliterate`],
  ['POST', `/staff/queues/api/queues/${INBOUND_QUEUE}/add`],
  ['PATCH', `/staff/queues/api/queues/${INBOUND_QUEUE}/1/update-data`],
];

describe('queues board: access', () => {
  it('answers 401 to every route without a session, state-changing ones too', async () => {
    for (const path of paths()) {
      const res = await call('GET', path);
      expect([path, res.statusCode, res.json()]).toEqual([path, 401, expect.objectContaining({ error: 'not-authenticated' })]);
      expect(res.body).not.toContain('__UI_CONFIG__');
    }
    for (const [method, path] of ACTIONS) expect([method, path, (await call(method, path)).statusCode]).toEqual([method, path, 401]);
  });

  it('answers 403 to every route for each role but admin', async () => {
    const others = STAFF_ROLES.filter((r) => r !== 'admin');
    expect(others).toEqual(expect.arrayContaining(['agent', 'researcher', 'supervisor']));
    for (const role of others) {
      for (const path of paths()) {
        const res = await call('GET', path, role);
        expect([role, path, res.statusCode, res.json()]).toEqual([role, path, 403, expect.objectContaining({ error: 'forbidden-role' })]);
      }
      for (const [method, path] of ACTIONS) expect([role, method, path, (await call(method, path, role)).statusCode]).toEqual([role, method, path, 403]);
    }
  });

  it('links admins, and only admins, to the board from the console', async () => {
    const admin = await c.get('/staff/dashboard', { sessionId: sessions.get('admin')?.sessionId as string });
    expect(admin.body).toContain('<a href="/staff/queues">الطوابير</a>');
    const english = await c.get('/staff/dashboard?lng=en', { sessionId: sessions.get('admin')?.sessionId as string });
    expect(english.body).toContain('<a href="/staff/queues">Queues</a>');
    for (const role of STAFF_ROLES.filter((r) => r !== 'admin')) {
      const page = await c.get('/staff/dashboard', { sessionId: sessions.get(role)?.sessionId as string });
      expect([role, page.body.includes('/staff/queues')]).toEqual([role, false]);
    }
  });
});

describe('queues board: for admins', () => {
  it('serves the page under its own CSP, with the title and back link from locales/', async () => {
    const res = await call('GET', '/staff/queues', 'admin');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['x-frame-options']).toBe('DENY');
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self';");
    expect(csp).not.toMatch(/script-src[^;]*unsafe/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.body).toContain('<base href="/staff/queues/" />');
    const config = JSON.parse(/<script id="__UI_CONFIG__" type="application\/json">([^<]*)<\/script>/.exec(res.body)?.[1] ?? 'null') as { boardTitle: string; miscLinks: Array<{ text: string; url: string }> };
    expect(config.boardTitle).toBe('طوابير بصيرة');
    expect(config.miscLinks).toEqual([{ text: 'العودة إلى اللوحة', url: '/staff/dashboard' }]);
    expect((await call('GET', `/staff/queues/queue/${INBOUND_QUEUE}`, 'admin')).statusCode).toBe(200);
    const script = await call('GET', scriptPath, 'admin');
    expect(script.statusCode).toBe(200);
    expect(script.headers['content-type']).toContain('javascript');
    const missing = await call('GET', '/staff/queues/no/such/path', 'admin');
    expect([missing.statusCode, missing.json()]).toEqual([404, expect.objectContaining({ error: 'not-found' })]);
  });

  it('lists the pipeline’s queues, read-only, with the jobs under the pipeline’s prefix', async () => {
    expect(c.staff.queues.names).toEqual(queueNamesOf([]));
    await producer.add('turns', { conversationId: 'board-test' });
    const res = await call('GET', '/staff/queues/api/queues', 'admin');
    expect(res.statusCode).toBe(200);
    const { queues } = res.json() as { queues: Array<{ name: string; readOnlyMode: boolean; allowRetries: boolean; counts: Record<string, number> }> };
    expect(queues.map((q) => q.name)).toEqual([...c.staff.queues.names]);
    expect(queues.map((q) => q.name)).toEqual(['basirah-turns', 'basirah-send', 'basirah-followups', 'basirah-maintenance']);
    for (const q of queues) expect([q.name, q.readOnlyMode, q.allowRetries]).toEqual([q.name, true, false]);
    expect(queues.find((q) => q.name === INBOUND_QUEUE)?.counts.waiting).toBe(1);
  });

  it('names every queue the pipeline made (each producer wrote its queue’s meta key under the prefix)', async () => {
    const { prefix, names } = c.staff.queues;
    const made = await eventually(async () => {
      const keys = await redis.keys(`${prefix}:*:meta`);
      return keys.length >= names.length ? keys : undefined;
    });
    expect(made.map((k) => k.slice(prefix.length + 1, -':meta'.length)).sort()).toEqual([...names].sort());
  });

  it('refuses every state-changing call: 405 with the token, 403 without it or from another site; nothing changes', async () => {
    const before = await producer.getJobCounts();
    for (const [method, path] of ACTIONS) {
      const res = await call(method, path, 'admin');
      expect([method, path, res.statusCode, res.json()]).toEqual([method, path, 405, expect.objectContaining({ error: 'read-only' })]);
      const tokenless = await call(method, path, 'admin', { csrf: false });
      expect([method, path, tokenless.statusCode, tokenless.json()]).toEqual([method, path, 403, expect.objectContaining({ error: 'csrf-failed' })]);
      const foreign = await call(method, path, 'admin', { headers: { origin: 'https://evil.example' } });
      expect([method, path, foreign.statusCode]).toEqual([method, path, 403]);
    }
    expect(await producer.isPaused()).toBe(false);
    expect(await producer.getJobCounts()).toEqual(before);
  });
});

describe('queues board: observers', () => {
  it('write nothing to Redis: no meta key, no scheduler, no worker, even for queues no producer made', async () => {
    const prefix = `t-observe-${randomBytes(3).toString('hex')}`;
    const names = queueNamesOf(['whatsapp']);
    const app = await buildApp({
      logger: false,
      plugins: [queuesBoard({ guard: guardDepsOf(c.staff.context.auth, undefined), queues: { prefix, names, redisUrl: process.env.REDIS_URL as string }, translator: I18nTranslator.load(`${__dirname}/../../locales`) })],
      ready: async () => ({ mongo: 'ok', redis: 'ok', channels: [] }),
    });
    try {
      const res = await app.inject({ method: 'GET', url: '/staff/queues/api/queues', headers: { cookie: `${STAFF_COOKIE}=${sessions.get('admin')?.sessionId}` } });
      expect(res.statusCode).toBe(200);
      expect((res.json() as { queues: Array<{ name: string }> }).queues.map((q) => q.name)).toEqual(names);
      expect(names).toContain('basirah-send-whatsapp');
      const observed = new Queue('basirah-send-whatsapp', { connection: redis, prefix, skipMetasUpdate: true });
      expect(await observed.getWorkersCount()).toBe(0);
      await observed.close();
      expect(await redis.keys(`${prefix}:*`)).toEqual([]);
    } finally {
      await app.close();
      const left = await redis.keys(`${prefix}:*`);
      if (left.length > 0) await redis.del(...left);
    }
  });
});
