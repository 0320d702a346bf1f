import { randomBytes, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/http/app';
import { createWebChatModule } from '../../src/channels/web/web.module';
import { Redis } from 'ioredis';
import { RedisWebLiveBus, liveChannel, type LiveSignal } from '../../src/channels/web/web.live';
import { WEB_KEYS } from '../../src/channels/web/web.i18n';
import { toInbound } from '../../src/channels/web/web.socket';
import { I18nTranslator } from '../../src/i18n/translator';
import { createLogger } from '../../src/logging/logger';
import { LOCALES_DIR } from '../../src/nlu/training-data';
import { eventually, type TestPipeline } from '../support/pipeline';
import { startWebChat, type WebChatRun } from '../support/web-chat';
import { Peer } from '../support/web-peer';
import { t } from '../support/engine-setup';

const SECRET = randomBytes(32).toString('base64');
const translator = I18nTranslator.load(LOCALES_DIR);
const COOKIE = /^basirah_sid=([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43}); Path=\/; Max-Age=7776000; HttpOnly; SameSite=Lax$/;

let chat: WebChatRun;
let tp: TestPipeline;
let live: RedisWebLiveBus;
let app: FastifyInstance;
let baseUrl: string;

beforeAll(async () => {
  chat = await startWebChat('webhttp', SECRET);
  ({ tp, live, app } = chat);
  baseUrl = `127.0.0.1:${chat.port}`;
});

afterAll(async () => {
  await chat?.close();
});

interface Response {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  json<T = unknown>(): T;
}

/**
 * A GET over real HTTP rather than `app.inject()`: the page, its cookies and the WebSocket go
 * through the same listening server a browser uses (and light-my-request's ESM-only cookie@2
 * needs a Jest alias).
 */
async function get(target: FastifyInstance | string, url: string, headers: Record<string, string> = {}): Promise<Response> {
  const base = typeof target === 'string' ? target : `http://127.0.0.1:${(target.server.address() as AddressInfo).port}`;
  const res = await fetch(`${base}${url}`, { headers, redirect: 'manual' });
  const body = await res.text();
  return { statusCode: res.status, headers: Object.fromEntries(res.headers.entries()), body, json: <T,>() => JSON.parse(body) as T };
}

/** Loads the page and returns the session cookie it set. */
async function newSession(): Promise<{ cookie: string; id: string }> {
  const res = await get(app, '/');
  const match = COOKIE.exec(String(res.headers['set-cookie']));
  if (!match?.[1]) throw new Error(`no session cookie in ${String(res.headers['set-cookie'])}`);
  return { cookie: `basirah_sid=${match[1]}.${match[2]}`, id: match[1] };
}

async function history(cookie: string): Promise<Array<{ direction: string; text: string; options: Array<{ value: string; label: string }> }>> {
  const res = await get(app, '/api/web/history', { cookie });
  expect(res.statusCode).toBe(200);
  return res.json<{ messages: Array<{ direction: string; text: string; options: Array<{ value: string; label: string }> }> }>().messages;
}

describe('web chat page and API (fastify + real pipeline)', () => {
  it('serves the Arabic page right to left, with CSP and the other security headers', async () => {
    const res = await get(app, '/');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.body).toContain('<html lang="ar" dir="rtl">');
    expect(res.body).toContain('name="viewport"');
    expect(res.body).toContain(t('ar', 'web:placeholder'));
    expect(res.body).not.toMatch(/\{\{/);
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self' ws: wss:");
    expect(csp).toContain('frame-ancestors *');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('renders English left to right and Urdu right to left; an unknown language falls back to Arabic', async () => {
    const en = await get(app, '/?lng=en');
    expect(en.body).toContain('<html lang="en" dir="ltr">');
    expect(en.body).toContain(t('en', 'web:send'));
    const ur = await get(app, '/', { cookie: 'basirah_lng=ur' });
    expect(ur.body).toContain('<html lang="ur" dir="rtl">');
    const bad = await get(app, '/?lng=fr', { cookie: 'basirah_lng=<x>' });
    expect(bad.body).toContain('<html lang="ar" dir="rtl">');
  });

  it('issues a signed session cookie, keeps a valid one and replaces a tampered one', async () => {
    const { cookie, id } = await newSession();
    const again = await get(app, '/', { cookie: `other=1; ${cookie}` });
    expect(COOKIE.exec(String(again.headers['set-cookie']))?.[1]).toBe(id);

    const [, mac] = cookie.split('.');
    const forgedMac = `${cookie.slice(0, -1)}${cookie.endsWith('A') ? 'B' : 'A'}`;
    const otherId = `basirah_sid=${'A'.repeat(22)}.${mac}`;
    for (const tampered of [forgedMac, otherId, 'basirah_sid=garbage', `${cookie}.extra`]) {
      const res = await get(app, '/', { cookie: tampered });
      const issued = COOKIE.exec(String(res.headers['set-cookie']))?.[1];
      expect(issued).toBeDefined();
      expect(issued).not.toBe(id);
      expect(issued).not.toBe('A'.repeat(22));
    }
  });

  it('marks the cookie Secure when the site is served over HTTPS', async () => {
    const secure = createWebChatModule({
      sink: tp.pipeline.gateway,
      translator,
      logger: createLogger('silent'),
      sessionSecret: SECRET,
      history: async () => [],
      live,
      secureCookies: true,
    });
    const other = await buildApp({ ready: async () => ({ mongo: 'ok', redis: 'ok', channels: [] }), plugins: [secure.httpPlugin], logger: false });
    await other.listen({ host: '127.0.0.1', port: 0 });
    const res = await get(other, '/');
    expect(String(res.headers['set-cookie'])).toMatch(/; HttpOnly; SameSite=Lax; Secure$/);
    await other.close();
  });

  it("returns the session's history, with chosen options shown by their label, and nothing to other sessions", async () => {
    const { cookie, id } = await newSession();
    const sender = { channel: 'web' as const, account: 'site', sender: id };
    await tp.pipeline.gateway.accept({ ...sender, messageId: randomUUID(), text: 'السلام عليكم', receivedAt: new Date() });
    const greeted = await eventually(async () => {
      const items = await history(cookie);
      return items.some((m) => m.options.some((o) => o.value === 'intent:request_new')) ? items : undefined;
    }, 15_000, 'the welcome and menu');
    expect(greeted[0]).toMatchObject({ direction: 'in', text: 'السلام عليكم' });
    expect(greeted.map((m) => m.text).join('\n')).toContain(t('ar', 'answers.welcome'));

    await tp.pipeline.gateway.accept({ ...sender, messageId: randomUUID(), text: 'intent:request_new', receivedAt: new Date() });
    const asked = await eventually(async () => {
      const items = await history(cookie);
      return items.some((m) => m.text.includes(t('ar', 'request.ask.applicantName'))) ? items : undefined;
    }, 15_000, 'the first question');
    const choice = asked.filter((m) => m.direction === 'in')[1];
    expect(choice?.text).toBe(t('ar', 'menu.items.request_new'));

    const stranger = await newSession();
    expect(await history(stranger.cookie)).toEqual([]);
    const anonymous = await get(app, '/api/web/history');
    expect(anonymous.json()).toEqual({ messages: [] });
    expect(String(anonymous.headers['set-cookie'])).toMatch(COOKIE);
    expect(anonymous.headers['cache-control']).toBe('no-store');
  });

  it('serves the page words in each language with the same keys, and the native language names', async () => {
    const bodies = await Promise.all(
      (['ar', 'en', 'ur'] as const).map(async (lng) => {
        const res = await get(app, `/api/web/i18n?lng=${lng}`);
        expect(res.statusCode).toBe(200);
        return res.json<{ lng: string; dir: string; strings: Record<string, string>; languages: Record<string, string> }>();
      }),
    );
    for (const body of bodies) {
      expect(Object.keys(body.strings).sort()).toEqual([...WEB_KEYS].sort());
      for (const [key, value] of Object.entries(body.strings)) expect(value).not.toBe(key);
      expect(body.languages).toEqual({ ar: 'العربية', en: 'English', ur: 'اردو' });
    }
    expect(bodies.map((b) => b.dir)).toEqual(['rtl', 'ltr', 'rtl']);
    expect(bodies[1]?.strings['status.reconnecting']).toBe(t('en', 'web:status.reconnecting'));
    expect((await get(app, '/api/web/i18n?lng=fr')).statusCode).toBe(400);
  });

  it('serves chat.js, chat.css and widget.js with content types, cache headers and ETags', async () => {
    const js = await get(app, '/chat.js');
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.headers['cache-control']).toBe('public, no-cache');
    expect(js.body).toContain('textContent');
    expect(js.body).not.toContain('innerHTML');
    const css = await get(app, '/chat.css');
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    const widget = await get(app, '/widget.js');
    expect(widget.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(widget.headers['cache-control']).toBe('public, max-age=3600');
    expect(widget.headers['x-content-type-options']).toBe('nosniff');
    expect(widget.body).toContain(t('ar', 'web:widget.open'));
    expect(widget.body).not.toContain('__WIDGET_LABELS__');
    const cached = await get(app, '/widget.js', { 'if-none-match': String(widget.headers.etag) });
    expect(cached.statusCode).toBe(304);
  });
});

describe('web chat WebSocket', () => {
  it('validates frames, acknowledges stored messages, delivers replies and drops resends', async () => {
    const { cookie } = await newSession();
    const peer = await Peer.open(baseUrl, { cookie, origin: `http://${baseUrl}` });
    await peer.next('ready');

    peer.send('not json');
    expect(await peer.next('error')).toEqual({ type: 'error', code: 'invalid', clientId: null });
    const empty = randomUUID();
    peer.send({ type: 'message', clientId: empty, text: '   \n ' });
    expect(await peer.next('error')).toEqual({ type: 'error', code: 'empty', clientId: empty });
    const long = randomUUID();
    peer.send({ type: 'message', clientId: long, text: 'ب'.repeat(2001) });
    expect(await peer.next('error')).toEqual({ type: 'error', code: 'too_long', clientId: long });
    peer.send({ type: 'message', clientId: 'not-a-uuid', text: 'hello' });
    expect((await peer.next('error')).code).toBe('invalid');

    const hello = randomUUID();
    peer.send({ type: 'message', clientId: hello, text: 'السلام عليكم', lng: 'ar' });
    expect(await peer.next('ack')).toEqual({ type: 'ack', clientId: hello, duplicate: false });
    const menu = await peer.next('reply', (r) => r.options.some((o) => o.value === 'intent:request_new'));
    expect(menu.lang).toBe('ar');
    peer.send({ type: 'message', clientId: hello, text: 'السلام عليكم' });
    expect(await peer.next('ack')).toEqual({ type: 'ack', clientId: hello, duplicate: true });

    // The language button: a platform command (the engine then offers its language menu at any step).
    const language = randomUUID();
    peer.send({ type: 'language', clientId: language, lng: 'ar' });
    expect(await peer.next('ack')).toEqual({ type: 'ack', clientId: language, duplicate: false });
    const languages = await peer.next('reply', (r) => r.options.some((o) => o.value === 'lang:en'));
    expect(languages.text).toBe(t('ar', 'language.choose'));
    expect(languages.options.map((o) => o.label)).toEqual(['العربية', 'English', 'اردو']);
    expect(toInbound({ type: 'language', clientId: language }, 'session-1', 'site')).toMatchObject({
      channel: 'web',
      account: 'site',
      sender: 'session-1',
      messageId: `session-1:${language}`,
      text: '',
      command: 'language',
    });
    // Another session using the same clientId writes a different message, never a "duplicate" of this one.
    expect(toInbound({ type: 'language', clientId: language }, 'session-2', 'site').messageId).not.toBe(`session-1:${language}`);
    peer.socket.close();
  });

  it('closes an open chat for a resync (1012) when its live subscription was lost and is back, so the page reconnects and re-reads its history', async () => {
    const { cookie } = await newSession();
    const peer = await Peer.open(baseUrl, { cookie, origin: `http://${baseUrl}` });
    await peer.next('ready');
    const raw = new Redis(process.env.REDIS_URL as string);
    try {
      // A blip on the web process's subscriber connection alone, killed by its own client address.
      const stream = (live as unknown as { subscriber: { stream: { localPort: number } } }).subscriber.stream;
      await raw.call('CLIENT', 'KILL', 'ADDR', `127.0.0.1:${stream.localPort}`);
      expect(await peer.closed).toEqual({ code: 1012, reason: 'resync' });
    } finally {
      await raw.quit();
    }
    // The page's next connection is served as usual.
    const again = await Peer.open(baseUrl, { cookie, origin: `http://${baseUrl}` });
    await again.next('ready');
    again.socket.close();
  });

  it('refuses a handshake from another site (cross-site WebSocket hijacking)', async () => {
    const { cookie } = await newSession();
    await expect(Peer.open(baseUrl, { cookie, origin: 'https://evil.example' })).rejects.toThrow('HTTP 403');
  });
});

describe('web live bus on Redis', () => {
  /** The live bus of a web process and of a worker process on one fresh prefix, and a raw Redis client. */
  function twoProcesses(): { prefix: string; cipher: typeof tp.env.services.cipher; webProcess: RedisWebLiveBus; workerProcess: RedisWebLiveBus; raw: Redis } {
    const prefix = `t-live-${randomBytes(3).toString('hex')}:`;
    const cipher = tp.env.services.cipher;
    const webProcess = new RedisWebLiveBus(process.env.REDIS_URL as string, cipher, { prefix });
    const workerProcess = new RedisWebLiveBus(process.env.REDIS_URL as string, cipher, { prefix });
    return { prefix, cipher, webProcess, workerProcess, raw: new Redis(process.env.REDIS_URL as string) };
  }

  it('subscribes chats opened while its Redis connection is still starting (before: every such trial failed, ioredis #2037)', async () => {
    const prefix = `t-live-${randomBytes(3).toString('hex')}:`;
    const cipher = tp.env.services.cipher;
    for (let trial = 0; trial < 5; trial += 1) {
      const bus = new RedisWebLiveBus(process.env.REDIS_URL as string, cipher, { prefix });
      const publisher = new RedisWebLiveBus(process.env.REDIS_URL as string, cipher, { prefix });
      try {
        const sessions = Array.from({ length: 20 }, () => randomBytes(16).toString('base64url'));
        const received = new Map<string, LiveSignal[]>(sessions.map((s) => [s, []]));
        const subscriptions: Array<Promise<unknown>> = [];
        // One chat opens per turn of the event loop, as sockets arrive after a start: some land while the connection handshakes.
        for (const session of sessions) {
          subscriptions.push(bus.subscribe(session, (event) => received.get(session)?.push(event)));
          await new Promise((resolve) => setImmediate(resolve));
        }
        const outcomes = await Promise.allSettled(subscriptions);
        expect(outcomes.filter((o) => o.status === 'rejected')).toEqual([]);
        for (const session of sessions) await publisher.publish(session, { type: 'typing' });
        await eventually(() => ([...received.values()].every((events) => events.length === 1) ? true : undefined), 5_000, 'one event per chat');
      } finally {
        await Promise.all([bus.close(), publisher.close()]);
      }
    }
  });

  it('tells its listeners when its subscription was lost and is back, once published events reach them again', async () => {
    const { webProcess, workerProcess, raw } = twoProcesses();
    try {
      const sessionId = randomBytes(16).toString('base64url');
      const received: LiveSignal[] = [];
      await webProcess.subscribe(sessionId, (event) => received.push(event));
      await workerProcess.publish(sessionId, { type: 'typing' });
      await eventually(() => (received.length === 1 ? true : undefined), 5_000, 'first event');
      // A blip on this one connection only (a Redis restart or failover drops it the same way): killed by its own client address.
      const stream = (webProcess as unknown as { subscriber: { stream: { localPort: number } } }).subscriber.stream;
      await raw.call('CLIENT', 'KILL', 'ADDR', `127.0.0.1:${stream.localPort}`);
      // Published while nobody listens: pub/sub cannot bring it back, the outbound log (history) has it.
      await workerProcess.publish(sessionId, { type: 'reply', text: 'ردّ أثناء الانقطاع', options: [], lang: 'ar' });
      // Before this change nothing came: the open page never re-read its history and the reply was lost from view.
      await eventually(() => (received.some((e) => e.type === 'resubscribed') ? true : undefined), 5_000, 'the signal after the reconnection');
      // The signal comes once the subscription is back: what is published next arrives live.
      await workerProcess.publish(sessionId, { type: 'reply', text: 'بعد العودة', options: [], lang: 'ar' });
      await eventually(() => (received.at(-1)?.type === 'reply' ? true : undefined), 5_000, 'the next reply');
      expect(received.filter((e) => e.type !== 'reply' || e.text !== 'ردّ أثناء الانقطاع')).toEqual([
        { type: 'typing' },
        { type: 'resubscribed' },
        { type: 'reply', text: 'بعد العودة', options: [], lang: 'ar' },
      ]);
    } finally {
      await Promise.all([webProcess.close(), workerProcess.close(), raw.quit()]);
    }
  });

  it('carries events between processes on a channel named by a keyed hash, and drops malformed ones', async () => {
    const { prefix, cipher, webProcess, workerProcess, raw } = twoProcesses();
    try {
      const sessionId = randomBytes(16).toString('base64url');
      const channel = liveChannel(cipher, sessionId, prefix);
      expect(channel).not.toContain(sessionId);
      const received: LiveSignal[] = [];
      const unsubscribe = await webProcess.subscribe(sessionId, (event) => received.push(event));
      await raw.publish(channel, '{"type":"reply","text":42}');
      await workerProcess.publish(sessionId, { type: 'typing' });
      await workerProcess.publish(sessionId, { type: 'reply', text: 'مرحبا', options: [{ value: 'a', label: 'أ' }], lang: 'ar' });
      await workerProcess.publish(randomBytes(16).toString('base64url'), { type: 'typing' });
      await eventually(() => (received.length >= 2 ? true : undefined), 5_000, 'two events');
      expect(received).toEqual([{ type: 'typing' }, { type: 'reply', text: 'مرحبا', options: [{ value: 'a', label: 'أ' }], lang: 'ar' }]);
      await unsubscribe();
      expect(await raw.pubsub('NUMSUB', channel)).toEqual([channel, 0]);
    } finally {
      await Promise.all([webProcess.close(), workerProcess.close(), raw.quit()]);
    }
  });
});
