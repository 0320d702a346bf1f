import { randomBytes, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import type { AcceptOutcome, InboundSink } from '../../src/channels/channel';
import { DEFAULT_FLOOD_LIMITS, RedisWebFloodGuard, type WebFloodLimits } from '../../src/channels/web/web.flood';
import { InProcessWebLiveBus } from '../../src/channels/web/web.live';
import { createWebChatModule } from '../../src/channels/web/web.module';
import { SessionSigner } from '../../src/channels/web/web.session';
import type { InboundMessage } from '../../src/domain/messages';
import { buildApp } from '../../src/http/app';
import { I18nTranslator } from '../../src/i18n/translator';
import { createLogger } from '../../src/logging/logger';
import { LOCALES_DIR } from '../../src/nlu/training-data';
import { FieldCipher } from '../../src/security/field-cipher';
import { eventually } from '../support/pipeline';
import { Peer } from '../support/web-peer';

/**
 * The web chat's flood control against the real Redis: message limits per session over all its
 * sockets and processes, per client address (X-Forwarded-For only from a trusted proxy), open
 * sockets per session and address, how fast an address mints sessions, and the error frames of
 * messages the gateway refuses. Two apps on one Redis prefix stand for two processes.
 */

const SECRET = randomBytes(32).toString('base64');
const signer = new SessionSigner(SECRET);
const translator = I18nTranslator.load(LOCALES_DIR);
const cipher = new FieldCipher([{ id: 'k1', key: randomBytes(32) }], randomBytes(32));
let redis: Redis;
const apps: FastifyInstance[] = [];
const peers: Peer[] = [];

beforeAll(() => {
  redis = new Redis(process.env.REDIS_URL as string);
});

afterEach(async () => {
  for (const peer of peers.splice(0)) peer.socket.terminate();
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

afterAll(async () => {
  await redis.quit();
});

/** Stores nothing; answers `accepted`, or what `answer` says. */
class CountingSink implements InboundSink {
  readonly accepted: InboundMessage[] = [];
  constructor(private readonly answer: (m: InboundMessage) => AcceptOutcome = () => 'accepted') {}
  async accept(message: InboundMessage): Promise<AcceptOutcome> {
    const outcome = this.answer(message);
    if (outcome === 'accepted') this.accepted.push(message);
    return outcome;
  }
}

interface Serve {
  limits?: Partial<WebFloodLimits>;
  prefix?: string;
  sink?: InboundSink;
  trustProxy?: false | number;
}

/** One web process: the chat module on fastify, flood counters in Redis under `prefix`. Returns its host:port. */
async function serve(options: Serve = {}): Promise<string> {
  const limits = { ...DEFAULT_FLOOD_LIMITS, ...options.limits };
  const web = createWebChatModule({
    sink: options.sink ?? new CountingSink(),
    translator,
    logger: createLogger('silent'),
    sessionSecret: SECRET,
    history: async () => [],
    live: new InProcessWebLiveBus(),
    secureCookies: false,
    flood: new RedisWebFloodGuard(redis, cipher, createLogger('silent'), limits, options.prefix ?? uniquePrefix()),
    socketCaps: limits,
  });
  const app = await buildApp({ ready: async () => ({ mongo: 'ok', redis: 'ok', channels: [] }), plugins: [web.httpPlugin], logger: false, trustProxy: options.trustProxy ?? false });
  apps.push(app);
  await app.listen({ host: '127.0.0.1', port: 0 });
  return `127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}

const uniquePrefix = (): string => `t-flood-${randomBytes(4).toString('hex')}:`;
const newCookie = (): { cookie: string; id: string } => {
  const id = signer.newId();
  return { cookie: `basirah_sid=${signer.sign(id)}`, id };
};

async function open(host: string, headers: Record<string, string> = {}): Promise<Peer> {
  const peer = await Peer.open(host, { origin: `http://${host}`, ...headers });
  peers.push(peer);
  return peer;
}

/** Sends `count` messages on a ready socket and returns the answers' kinds ('ack' or the error code). */
async function burst(peer: Peer, count: number): Promise<string[]> {
  const ids = Array.from({ length: count }, () => randomUUID());
  for (const clientId of ids) peer.send({ type: 'message', clientId, text: 'السلام عليكم' });
  const answers = await Promise.all(ids.map((id) => peer.answerTo(id)));
  return answers.map((a) => (a.type === 'ack' ? 'ack' : a.code));
}

const tally = (kinds: string[]): Record<string, number> => kinds.reduce<Record<string, number>>((acc, k) => ({ ...acc, [k]: (acc[k] ?? 0) + 1 }), {});

describe('web chat flood control', () => {
  it('limits a session over all its sockets in two processes, and over quick reconnects', async () => {
    const prefix = uniquePrefix();
    const limits = { sessionMessages: { limit: 5, windowMs: 60_000 } };
    const hosts = [await serve({ limits, prefix }), await serve({ limits, prefix })];
    const { cookie } = newCookie();
    const sockets = await Promise.all([0, 1, 0, 1].map((i) => open(hosts[i] as string, { cookie })));
    await Promise.all(sockets.map((s) => s.next('ready')));
    const kinds = (await Promise.all(sockets.map((s) => burst(s, 4)))).flat();
    expect(tally(kinds)).toEqual({ ack: 5, rate_limited: 11 });

    // 12 reconnects of a fresh session, one message each: the allowance is the session's, not the socket's.
    const other = newCookie();
    const reconnects: string[] = [];
    for (let i = 0; i < 12; i += 1) {
      const peer = await open(hosts[i % 2] as string, { cookie: other.cookie });
      await peer.next('ready');
      reconnects.push(...(await burst(peer, 1)));
      peer.socket.close();
    }
    expect(tally(reconnects)).toEqual({ ack: 5, rate_limited: 7 });

    // The counters are named by keyed digests: no session id and no address in Redis.
    const keys = await redis.keys(`${prefix}*`);
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) for (const secret of [cookie.slice(12, 34), other.id, '127.0.0.1']) expect(key).not.toContain(secret);
  }, 30_000);

  it('limits an address over many fresh sessions, trusting X-Forwarded-For only from a configured proxy', async () => {
    const limits = { sessionMessages: { limit: 5, windowMs: 60_000 }, ipMessages: { limit: 8, windowMs: 60_000 } };
    const behindProxy = await serve({ limits, trustProxy: 1 });
    const sendFrom = async (host: string, address: string, sessions: number, each: number): Promise<string[]> => {
      const results: string[] = [];
      for (let i = 0; i < sessions; i += 1) {
        const peer = await open(host, { cookie: newCookie().cookie, 'x-forwarded-for': address });
        await peer.next('ready');
        results.push(...(await burst(peer, each)));
      }
      return results;
    };
    expect(tally(await sendFrom(behindProxy, '203.0.113.7', 6, 3))).toEqual({ ack: 8, rate_limited: 10 });
    // Another family's address has its own allowance.
    expect(tally(await sendFrom(behindProxy, '198.51.100.9', 1, 3))).toEqual({ ack: 3 });

    // Without a trusted proxy the header is ignored: both "addresses" are the socket's peer, 127.0.0.1.
    const direct = await serve({ limits: { ...limits, ipMessages: { limit: 4, windowMs: 60_000 } } });
    const spoofed = [...(await sendFrom(direct, '192.0.2.1', 1, 3)), ...(await sendFrom(direct, '192.0.2.2', 1, 3))];
    expect(tally(spoofed)).toEqual({ ack: 4, rate_limited: 2 });
  }, 30_000);

  it('caps open sockets per session and per address, and frees a place when a socket closes', async () => {
    const host = await serve({ limits: { socketsPerSession: 3, socketsPerIp: 5 } });
    const { cookie } = newCookie();
    const same = await Promise.all([1, 2, 3].map(() => open(host, { cookie })));
    await Promise.all(same.map((s) => s.next('ready')));
    const fourth = await open(host, { cookie });
    expect(await fourth.closed).toEqual({ code: 4008, reason: 'too_many_sockets_session' });

    const others = await Promise.all([1, 2].map(() => open(host, { cookie: newCookie().cookie })));
    await Promise.all(others.map((s) => s.next('ready')));
    const sixth = await open(host, { cookie: newCookie().cookie });
    expect(await sixth.closed).toEqual({ code: 4008, reason: 'too_many_sockets_ip' });

    same[0]?.socket.close();
    await same[0]?.closed;
    // The server sees the close a moment later; then the place is free again.
    const admitted = await eventually(async () => {
      const peer = await open(host, { cookie: newCookie().cookie });
      const outcome = await Promise.race([peer.next('ready').then(() => 'ready'), peer.closed.then(() => 'closed')]);
      return outcome === 'ready' ? peer : undefined;
    }, 5_000, 'a free place');
    expect(admitted.socket.readyState).toBe(admitted.socket.OPEN);
  }, 30_000);

  it('limits how fast one address mints fresh sessions, by page loads and cookie-less sockets together', async () => {
    const host = await serve({ limits: { ipNewSessions: { limit: 3, windowMs: 60_000 } } });
    const cookies: Array<string | null> = [];
    for (let i = 0; i < 4; i += 1) cookies.push((await fetch(`http://${host}/`)).headers.get('set-cookie'));
    expect(cookies.map((c) => c !== null)).toEqual([true, true, true, false]);
    await expect(open(host)).rejects.toThrow('HTTP 429');
    // A visitor who already has a session is not affected.
    const peer = await open(host, { cookie: (cookies[0] as string).split(';')[0] as string });
    await peer.next('ready');
  }, 30_000);

  it('answers a message the gateway refuses with an error frame naming the reason and the wait; nothing is stored', async () => {
    const sink = new CountingSink((m) => (m.text === 'held' ? { type: 'refused', reason: 'backlog', retryAfterMs: 1500 } : m.text === 'fast' ? { type: 'refused', reason: 'too_fast', retryAfterMs: 30_000 } : 'accepted'));
    const host = await serve({ sink });
    const peer = await open(host, { cookie: newCookie().cookie });
    await peer.next('ready');
    const [held, fast, fine] = [randomUUID(), randomUUID(), randomUUID()];
    peer.send({ type: 'message', clientId: held, text: 'held' });
    peer.send({ type: 'message', clientId: fast, text: 'fast' });
    peer.send({ type: 'message', clientId: fine, text: 'fine' });
    expect(await peer.answerTo(held)).toEqual({ type: 'error', code: 'backlog', clientId: held, retryAfterMs: 1500 });
    expect(await peer.answerTo(fast)).toEqual({ type: 'error', code: 'too_fast', clientId: fast, retryAfterMs: 30_000 });
    expect(await peer.answerTo(fine)).toEqual({ type: 'ack', clientId: fine, duplicate: false });
    expect(sink.accepted.map((m) => m.text)).toEqual(['fine']);
  }, 30_000);
});
