import { randomBytes } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { ChannelModule } from '../../src/channels/module';
import { createWhatsAppCloudModule } from '../../src/channels/whatsapp-cloud/cloud.module';
import type { CloudSender } from '../../src/channels/whatsapp-cloud/cloud.sender';
import type { AppConfig } from '../../src/config/config';
import { buildApp } from '../../src/http/app';
import { createLogger } from '../../src/logging/logger';
import { CLOUD_PHONE_NUMBER_ID, cloudMessage, cloudStatus, makeCloudWebhook, sign, type CloudMessageFixture } from '../support/cloud-fixtures';
import { t } from '../support/engine-setup';
import { startFakeGraphApi, type FakeGraphApi, type GraphCall } from '../support/fake-graph-api';
import { makeNationalId } from '../support/fixtures';
import { eventually, startTestPipeline } from '../support/pipeline';
import { RefusingSink } from '../support/refusing-sink';

/**
 * WhatsApp Cloud API end to end: signed webhooks in over real HTTP to the fastify app (buildApp),
 * the real pipeline and engine on the real MongoDB-compatible server and Redis, replies out to a
 * fake Graph API on a local port. Real HTTP rather than app.inject(): light-my-request loads the
 * ESM-only `cookie` 2.x, which Jest cannot require.
 */

const secret = (prefix: string): string => `${prefix}-${randomBytes(12).toString('hex')}`;
const config: NonNullable<AppConfig['whatsappCloud']> = {
  token: secret('EAAG'),
  phoneNumberId: CLOUD_PHONE_NUMBER_ID,
  appSecret: secret('app-secret'),
  verifyToken: secret('verify'),
  apiRoot: '', // set once the fake Graph API listens
  templates: { followup: 'basirah_followup', survey: 'basirah_survey' },
};

let fake: FakeGraphApi;
let pipeline: Awaited<ReturnType<typeof startTestPipeline>>;
let cloud: ChannelModule;
/** Passes everything on to the gateway unless a test asks it to refuse something. */
let refusing: RefusingSink;
let app: FastifyInstance;
let base: string;

beforeAll(async () => {
  fake = await startFakeGraphApi({ token: config.token });
  config.apiRoot = fake.apiRoot;
  pipeline = await startTestPipeline('wacloud', ({ env, sink }) => [
    createWhatsAppCloudModule({
      config,
      sink: (refusing = new RefusingSink(() => sink)),
      translator: env.core.ports.translator,
      logger: createLogger('silent'),
      recordStatus: (externalId, status, at, error) => pipeline.pipeline.log.recordDeliveryStatus('whatsapp', externalId, status, at, error),
    }),
  ]);
  cloud = pipeline.modules[0] as ChannelModule;
  app = await buildApp({ ready: async () => ({ mongo: 'ok', redis: 'ok', channels: [] }), plugins: [pluginOf(cloud)], logger: false });
  base = await app.listen({ host: '127.0.0.1', port: 0 });
});

afterAll(async () => {
  await app?.close();
  await pipeline?.close();
  await fake?.close();
});

let nextNumber = 0;
/** A fresh beneficiary number (wa_id digits) per conversation. */
const newSender = (): string => `9665${String(10_000_000 + (nextNumber += 1)).slice(-8)}`;

interface HttpAnswer {
  statusCode: number;
  contentType: string | null;
  body: string;
}

async function http(url: string, init: RequestInit = {}): Promise<HttpAnswer> {
  const response = await fetch(url, init);
  return { statusCode: response.status, contentType: response.headers.get('content-type'), body: await response.text() };
}

/** Posts a raw webhook body, signed with the app secret unless another signature (or null: none) is given. */
function post(body: string, signature: string | null = sign(body, config.appSecret), root = base): Promise<HttpAnswer> {
  return http(`${root}/webhooks/whatsapp`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(signature ? { 'x-hub-signature-256': signature } : {}) },
    body,
  });
}
const deliver = (...messages: CloudMessageFixture[]) => post(JSON.stringify(makeCloudWebhook({ messages })));

/** Messages the fake Graph API accepted for one recipient, in order. */
const deliveredTo = (to: string): GraphCall[] => fake.calls().filter((c) => c.body.to === to && c.status === 200);
const waitFor = (to: string, match: (c: GraphCall) => boolean): Promise<GraphCall> => fake.waitForCall((c) => c.body.to === to && c.status === 200 && match(c));
const textIs = (text: string) => (c: GraphCall) => c.body.text?.body === text || c.body.interactive?.body.text === text;
/** A local port nothing listens on (taken, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function pluginOf(module: ChannelModule): NonNullable<ChannelModule['httpPlugin']> {
  if (!module.httpPlugin) throw new Error('the Cloud module has no HTTP plugin');
  return module.httpPlugin;
}
const inboundCount = (externalId: string) => pipeline.env.services.mongo.collection('inbound_messages').countDocuments({ externalId });

function rowsOf(call: GraphCall) {
  expect(call.body.type).toBe('interactive');
  expect(call.body.interactive?.type).toBe('list');
  return (call.body.interactive?.action.sections ?? []).flatMap((s) => s.rows);
}

describe('GET /webhooks/whatsapp (subscription check)', () => {
  const verify = (token: string, mode = 'subscribe'): Promise<HttpAnswer> =>
    http(`${base}/webhooks/whatsapp?${new URLSearchParams({ 'hub.mode': mode, 'hub.verify_token': token, 'hub.challenge': '1158201444' }).toString()}`);

  it('echoes the challenge as text for the right token', async () => {
    const res = await verify(config.verifyToken);
    expect(res.statusCode).toBe(200);
    expect(res.contentType).toMatch(/^text\/plain/);
    expect(res.body).toBe('1158201444');
  });

  it('answers 403 for a wrong token or mode, or a challenge that is not a plain token', async () => {
    expect((await verify(`${config.verifyToken}x`)).statusCode).toBe(403);
    expect((await verify(config.verifyToken, 'unsubscribe')).statusCode).toBe(403);
    expect((await http(`${base}/webhooks/whatsapp`)).statusCode).toBe(403);
    const reflected = new URLSearchParams({ 'hub.mode': 'subscribe', 'hub.verify_token': config.verifyToken, 'hub.challenge': '<script>' });
    expect((await http(`${base}/webhooks/whatsapp?${reflected.toString()}`)).statusCode).toBe(403);
  });
});

describe('POST /webhooks/whatsapp through the real pipeline', () => {
  it('answers a greeting with the welcome text, then the main menu as a list', async () => {
    const from = newSender();
    expect((await deliver(cloudMessage.text(from, 'السلام عليكم'))).statusCode).toBe(200);
    const menu = await waitFor(from, (c) => c.body.interactive?.type === 'list');
    const [welcome, second] = deliveredTo(from);
    expect(welcome?.body).toMatchObject({ messaging_product: 'whatsapp', type: 'text', text: { body: t('ar', 'answers.welcome') } });
    expect(welcome?.phoneNumberId).toBe(CLOUD_PHONE_NUMBER_ID);
    expect(second).toBe(menu);
    expect(menu.body.interactive?.body.text).toBe(t('ar', 'menu.title'));
    expect(menu.body.interactive?.action.button).toBe('الخيارات');
    const rows = rowsOf(menu);
    expect(rows).toHaveLength(9);
    expect(rows[0]).toEqual({ id: 'intent:request_new', title: t('ar', 'menu.items.request_new') });
    expect(rows.every((r) => r.id.startsWith('intent:') && Array.from(r.title).length <= 24)).toBe(true);
  });

  it('takes a chosen list row and a tapped reply button as the option values', async () => {
    const from = newSender();
    await deliver(cloudMessage.text(from, 'السلام عليكم'));
    await waitFor(from, (c) => c.body.interactive?.type === 'list');
    await deliver(cloudMessage.listReply(from, 'intent:request_new', t('ar', 'menu.items.request_new')));
    await waitFor(from, textIs(t('ar', 'request.ask.applicantName')));
    await deliver(cloudMessage.text(from, 'فاطمة أحمد الزهراني'));
    await waitFor(from, textIs(t('ar', 'request.ask.nationalId')));
    await deliver(cloudMessage.text(from, makeNationalId(7001)));
    // WhatsApp vouches for the sender's number, so the engine offers it: two options → reply buttons.
    const offer = await waitFor(from, textIs(t('ar', 'request.ask.phone_offer')));
    expect(offer.body.interactive?.type).toBe('button');
    const buttons = offer.body.interactive?.action.buttons ?? [];
    expect(buttons.map((b) => b.reply.id)).toEqual(['phone:use_verified', 'phone:other']);
    expect(buttons.every((b) => b.type === 'reply' && Array.from(b.reply.title).length <= 20)).toBe(true);
    await deliver(cloudMessage.buttonReply(from, 'phone:use_verified'));
    const relation = await waitFor(from, textIs(t('ar', 'request.ask.relation')));
    expect(rowsOf(relation).map((r) => r.id)).toContain('relation:spouse');
  });

  it('refuses a wrong or missing signature with 401 and stores nothing', async () => {
    const message = cloudMessage.text(newSender(), 'السلام عليكم');
    const body = JSON.stringify(makeCloudWebhook({ messages: [message] }));
    expect((await post(body, sign(body, 'not-the-app-secret'))).statusCode).toBe(401);
    expect((await post(body, `sha256=${'0'.repeat(64)}`)).statusCode).toBe(401);
    expect((await post(body, null)).statusCode).toBe(401);
    expect((await post(`${body} `, sign(body, config.appSecret))).statusCode).toBe(401);
    expect(await inboundCount(message.id)).toBe(0);
  });

  it('refuses malformed JSON and payloads off the schema with 400, even when signed, and stores nothing', async () => {
    const message = cloudMessage.text(newSender(), 'السلام عليكم');
    const body = JSON.stringify(makeCloudWebhook({ messages: [message] }));
    expect((await post(body.slice(0, -2))).statusCode).toBe(400);
    const offSchema = JSON.stringify(makeCloudWebhook({ messages: [{ ...message, text: { body: 42 } }] }));
    expect((await post(offSchema)).statusCode).toBe(400);
    expect(await inboundCount(message.id)).toBe(0);
  });

  it('answers a redelivered webhook once', async () => {
    const from = newSender();
    const body = JSON.stringify(makeCloudWebhook({ messages: [cloudMessage.text(from, 'السلام عليكم')] }));
    const [first, again] = await Promise.all([post(body), post(body)]);
    expect([first.statusCode, again.statusCode]).toEqual([200, 200]);
    expect((await post(body)).statusCode).toBe(200);
    // A later message's reply comes after anything the copies could have caused (one queue per conversation).
    await deliver(cloudMessage.text(from, 'شكرا'));
    await waitFor(from, textIs(t('ar', 'answers.thanks')));
    expect(deliveredTo(from).filter(textIs(t('ar', 'answers.welcome')))).toHaveLength(1);
    expect(deliveredTo(from).filter((c) => c.body.interactive?.body.text === t('ar', 'menu.title'))).toHaveLength(1);
  });

  it('waits out a 429 and delivers the reply once; records delivery statuses', async () => {
    const from = newSender();
    fake.failNext({ type: 'rate_limit', code: 130429, retryAfterSeconds: 1 });
    await deliver(cloudMessage.text(from, 'السلام عليكم'));
    const menu = await waitFor(from, (c) => c.body.interactive?.type === 'list');
    const tried = fake.calls().filter((c) => c.body.to === from);
    expect(tried.map((c) => c.status)).toEqual([429, 200, 200]);
    expect(deliveredTo(from).filter(textIs(t('ar', 'answers.welcome')))).toHaveLength(1);

    const wamid = menu.messageId as string;
    const outbound = await eventually(() => pipeline.env.services.mongo.collection('outbound_messages').findOne({ externalId: pipeline.pipeline.log.externalDigest('whatsapp', wamid), status: 'sent' }).then((d) => d ?? undefined));
    expect(outbound.channel).toBe('whatsapp');
    const statuses = JSON.stringify(makeCloudWebhook({ statuses: [cloudStatus(wamid, 'delivered', from), cloudStatus(wamid, 'read', from)] }));
    expect((await post(statuses)).statusCode).toBe(200);
    const recorded = await pipeline.env.services.mongo.collection('delivery_statuses').find({ externalId: pipeline.pipeline.log.externalDigest('whatsapp', wamid) }).sort({ status: 1 }).toArray();
    expect(recorded.map((d) => [d.channel, d.status, d.error])).toEqual([
      ['whatsapp', 'delivered', null],
      ['whatsapp', 'read', null],
    ]);
    expect((await post(statuses)).statusCode).toBe(200); // a redelivered receipt is no error
  });

  it('answers 500 when storage is down, so that WhatsApp redelivers', async () => {
    const failing = createWhatsAppCloudModule({
      config,
      sink: { accept: () => Promise.reject(new Error('MongoDB unreachable')) },
      translator: pipeline.env.core.ports.translator,
      logger: createLogger('silent'),
      recordStatus: () => Promise.resolve(),
    });
    const other = await buildApp({ ready: async () => ({ mongo: 'down', redis: 'ok', channels: [] }), plugins: [pluginOf(failing)], logger: false });
    const body = JSON.stringify(makeCloudWebhook({ messages: [cloudMessage.text(newSender(), 'السلام عليكم')] }));
    try {
      const res = await post(body, sign(body, config.appSecret), await other.listen({ host: '127.0.0.1', port: 0 }));
      expect(res.statusCode).toBe(500);
    } finally {
      await other.close();
    }
  });

  it('answers 429 to a batch holding a refused message; the redelivered batch stores the rest once, in order', async () => {
    const first = newSender();
    const second = newSender();
    const a1 = cloudMessage.text(first, 'السلام عليكم');
    const b1 = cloudMessage.text(second, 'السلام عليكم');
    const a2 = cloudMessage.text(first, 'القائمة');
    refusing.refuse((m) => m.sender === second, 1, { reason: 'overloaded', retryAfterMs: 1200 });
    const body = JSON.stringify(makeCloudWebhook({ messages: [a1, b1, a2] }));
    const stored = (): Promise<number[]> => Promise.all([a1, b1, a2].map((m) => inboundCount(pipeline.pipeline.log.externalDigest('whatsapp', m.id))));
    expect((await post(body)).statusCode).toBe(429);
    expect(await stored()).toEqual([1, 0, 0]);

    // Meta delivers the same POST again.
    expect((await post(body)).statusCode).toBe(200);
    expect(await stored()).toEqual([1, 1, 1]);
    expect(refusing.outcomesOf((m) => m.sender === first)).toEqual(['accepted', 'duplicate', 'accepted']);
    // Both of the first sender's messages are answered (a menu each), the second sender's once.
    const menus = (to: string): number => fake.calls().filter((c) => c.body.to === to && c.status === 200 && c.body.interactive?.type === 'list').length;
    await eventually(() => (menus(first) === 2 && menus(second) === 1 ? true : undefined), 20_000, 'the menus');
    expect([first, second].map((to) => deliveredTo(to).filter(textIs(t('ar', 'answers.welcome'))).length)).toEqual([1, 1]);
  }, 30_000);

  it('keeps fastify’s JSON parsing for other routes', async () => {
    const other = await buildApp({
      ready: async () => ({ mongo: 'ok', redis: 'ok', channels: [] }),
      plugins: [pluginOf(cloud), async (a) => void a.post('/echo', async (request) => ({ got: request.body }))],
      logger: false,
    });
    try {
      const root = await other.listen({ host: '127.0.0.1', port: 0 });
      const res = await http(`${root}/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' });
      expect(JSON.parse(res.body)).toEqual({ got: { a: 1 } });
    } finally {
      await other.close();
    }
  });
});

describe('the Cloud sender against the fake Graph API', () => {
  const sender = (): CloudSender => cloud.sender as CloudSender;
  const to = () => ({ account: CLOUD_PHONE_NUMBER_ID, recipient: newSender() });
  const reply = { text: 'هل تمت خدمتك؟', options: [{ value: 'survey:yes', label: 'نعم' }, { value: 'survey:no', label: 'لا' }] };
  const context = { language: 'ar' as const, kind: 'reply' as const, lastInboundAt: new Date() };

  it('sends a proactive message outside the 24-hour window as the approved template', async () => {
    const target = to();
    const outcome = await sender().send(target, reply, { language: 'en', kind: 'proactive', lastInboundAt: new Date(Date.now() - 25 * 3600_000) });
    expect(outcome.type).toBe('sent');
    const [call] = deliveredTo(target.recipient);
    expect(call?.body.template).toEqual({
      name: 'basirah_followup',
      language: { code: 'en' },
      components: [{ type: 'body', parameters: [{ type: 'text', text: 'هل تمت خدمتك؟ 1. نعم 2. لا' }] }],
    });
    const inside = to();
    await sender().send(inside, reply, { language: 'ar', kind: 'proactive', lastInboundAt: new Date(Date.now() - 3600_000) });
    expect(deliveredTo(inside.recipient)[0]?.body.interactive?.type).toBe('button');
  });

  it('maps Graph failures to send outcomes', async () => {
    fake.failNext(
      { type: 'rate_limit', code: 80007, httpStatus: 400 },
      { type: 'rate_limit', code: 131056, httpStatus: 400, retryAfterSeconds: 7 },
      { type: 'server_error', status: 503 },
      { type: 'refused', status: 400, code: 131026, message: '(#131026) Message undeliverable' },
    );
    expect(await sender().send(to(), reply, context)).toEqual({ type: 'rate_limited', retryAfterMs: 2000 });
    expect(await sender().send(to(), reply, context)).toEqual({ type: 'rate_limited', retryAfterMs: 7000 });
    expect(await sender().send(to(), reply, context)).toEqual({ type: 'failed', retryable: true, reason: 'graph 503 code 131000' });
    expect(await sender().send(to(), reply, context)).toEqual({ type: 'failed', retryable: false, reason: 'graph 400 code 131026: (#131026) Message undeliverable' });
  });

  it('reports a refused token as a non-retryable failure and the channel as degraded', async () => {
    const wrong = createWhatsAppCloudModule({
      config: { ...config, token: 'EAAG-wrong-token' },
      sink: { accept: () => Promise.resolve('accepted' as const) },
      translator: pipeline.env.core.ports.translator,
      logger: createLogger('silent'),
      recordStatus: () => Promise.resolve(),
    });
    expect(wrong.runtime?.health().state).toBe('ready');
    const outcome = await wrong.sender?.send(to(), reply, context);
    expect(outcome).toMatchObject({ type: 'failed', retryable: false });
    expect(wrong.runtime?.health()).toMatchObject({ channel: 'whatsapp', state: 'degraded' });
  });

  it('reports an unreachable Graph API as a retryable failure', async () => {
    const offline = createWhatsAppCloudModule({
      config: { ...config, apiRoot: `http://127.0.0.1:${await closedPort()}/v21.0` },
      sink: { accept: () => Promise.resolve('accepted' as const) },
      translator: pipeline.env.core.ports.translator,
      logger: createLogger('silent'),
      recordStatus: () => Promise.resolve(),
    });
    expect(await offline.sender?.send(to(), reply, context)).toEqual({ type: 'failed', retryable: true, reason: 'network error: ECONNREFUSED' });
  });
});

describe('staff replies to a WhatsApp Cloud chat and the 24-hour window', () => {
  it('sends a staff reply as free text inside the window, refuses it once the window has closed, and sends again after the person writes', async () => {
    const clock = pipeline.env.clock;
    // The Cloud sender reads the wall clock; the engine's manual clock follows it here.
    clock.set(new Date());
    const from = newSender();
    await deliver(cloudMessage.text(from, 'السلام عليكم'));
    await deliver(cloudMessage.text(from, 'أريد التحدث مع شخص'));
    await waitFor(from, textIs(t('ar', 'handoff.opened')));
    const records = pipeline.pipeline.records;
    const conversationId = records.idOf({ channel: 'whatsapp', account: CLOUD_PHONE_NUMBER_ID, sender: from });
    const handoffId = await eventually(async () => {
      const doc = await records.load(conversationId);
      const mode = doc ? records.stateOf(doc).state.mode : null;
      return mode?.type === 'handoff' ? mode.handoffId : undefined;
    }, 10_000, 'the chat to be with staff');

    const desk = pipeline.pipeline.handoffDesk(pipeline.env.core.engine);
    const agent = { staffId: 'staff-wa-agent', overrides: false };
    expect(await desk.claim(handoffId, agent)).toMatchObject({ ok: true });
    const first = 'أهلاً، معك سارة من الجمعية. كيف أستطيع مساعدتك؟';
    expect(await desk.reply(handoffId, agent, first, 'c1')).toMatchObject({ ok: true, duplicate: false });
    // Staff replies go out under the staff label, as free text.
    const staffText = (text: string) => textIs(`${t('ar', 'handoff.staff_label')}\n${text}`);
    const sent = await waitFor(from, staffText(first));
    expect(sent.body.type).toBe('text');

    // 25 hours after the person's last message: WhatsApp accepts only templates, and a staff reply has none.
    clock.advance(25 * 3600_000);
    const late = 'هل ما زلت هنا؟';
    expect(await desk.reply(handoffId, agent, late, 'c2')).toEqual({ refused: 'outside-messaging-window', reason: 'outside_24h_window' });
    // Refused before anything was written: no bubble in the outbox or the log, nothing to send later.
    const doc = await records.load(conversationId);
    expect((doc?.outbox ?? []).some((b) => b.id.startsWith(`staff-${handoffId}-c2`))).toBe(false);
    expect(await pipeline.pipeline.log.hasOutbound(`staff-${handoffId}-c2:0`)).toBe(false);
    expect(deliveredTo(from).filter(staffText(late))).toHaveLength(0);

    // The person writes again (the chat stays with staff): the window reopens and the reply goes out once.
    await deliver(cloudMessage.text(from, 'نعم أنا هنا'));
    await eventually(async () => {
      const now = await records.load(conversationId);
      const at = now ? records.stateOf(now).state.lastInboundAt : null;
      return at !== null && Date.parse(at) === clock.now().getTime() ? true : undefined;
    }, 10_000, 'the new message to be handled');
    expect(await desk.reply(handoffId, agent, late, 'c2')).toMatchObject({ ok: true, duplicate: false });
    await waitFor(from, staffText(late));
    // Sent once, even though the same request (client id c2) was refused before.
    expect(deliveredTo(from).filter(staffText(late))).toHaveLength(1);
  });
});
