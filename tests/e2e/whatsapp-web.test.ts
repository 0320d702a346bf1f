import { initialState } from '../../src/engine/state';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { InboundMessage } from '../../src/domain/messages';
import type { ChannelLimits, InboundSink } from '../../src/channels/channel';
import { createWhatsAppWebModule, type WhatsAppWebModule, type WhatsAppWebModuleDeps } from '../../src/channels/whatsapp-web/wweb.module';
import { buildApp } from '../../src/http/app';
import { I18nTranslator } from '../../src/i18n/translator';
import { createLogger } from '../../src/logging/logger';
import { LOCALES_DIR } from '../../src/nlu/training-data';
import { maskPhone } from '../../src/domain/phone';
import { conversationId } from '../../src/persistence/conversation.store';
import { eventually, startTestPipeline } from '../support/pipeline';
import { t } from '../support/engine-setup';
import { makeNationalId } from '../support/fixtures';
import { fakeClientFactory, makeWwebMessage, manualTimers, waChatId, type FakeWwebClient } from '../support/fake-wweb-client';

const TOKEN = 'staff-token-0123456789abcdefghij';
/** Pacing that keeps the test fast; the real pacing is checked in the unit tests. */
const FAST: ChannelLimits = { perSecond: 1000, perChatGapMs: 0, jitterMs: [0, 0], perMinute: null };
const translator = I18nTranslator.load(LOCALES_DIR);
const hint = t('ar', 'whatsapp:wweb.choose_number');

function moduleDeps(overrides: Partial<WhatsAppWebModuleDeps> & Pick<WhatsAppWebModuleDeps, 'sink'>): WhatsAppWebModuleDeps {
  return {
    config: { chromiumPath: '/nonexistent/chromium', maxPerMinute: 20 },
    dataDir: mkdtempSync(join(tmpdir(), 'basirah-wweb-')),
    translator,
    logger: createLogger('silent'),
    staffApiToken: TOKEN,
    random: () => 0.5,
    limits: FAST,
    printQr: () => undefined,
    ...overrides,
  };
}

describe('WhatsApp Web channel through the real pipeline (fake whatsapp-web.js client)', () => {
  const clients = fakeClientFactory();
  const timers = manualTimers();
  /** Chats that have written to us, as the lead will derive from the inbound log. */
  const writtenFirst = new Set<string>();
  let pipe: Awaited<ReturnType<typeof startTestPipeline>>;
  let wweb: WhatsAppWebModule;

  beforeAll(async () => {
    pipe = await startTestPipeline('wweb', ({ sink }) => {
      const recording: InboundSink = {
        async accept(message: InboundMessage) {
          const outcome = await sink.accept(message);
          writtenFirst.add(message.sender);
          return outcome;
        },
      };
      wweb = createWhatsAppWebModule(
        moduleDeps({ sink: recording, clientFactory: clients.create, schedule: timers.schedule, hasWrittenFirst: async (chatId) => writtenFirst.has(chatId) }),
      );
      return [wweb];
    });
    await wweb.runtime?.start();
    clients.latest().link();
  });

  afterAll(async () => {
    await wweb.runtime?.stop();
    await pipe.close();
  });

  const inbound = () => pipe.env.services.mongo.collection<{ _id: string; status: string }>('inbound_messages');
  const outbound = () => pipe.env.services.mongo.collection<{ _id: string; status: string; error: string | null }>('outbound_messages');

  /** Every stored message handled and every reply sent or given up: nothing more will happen. */
  async function settled(): Promise<void> {
    await eventually(async () => {
      const [openIn, openOut] = await Promise.all([
        inbound().countDocuments({ status: 'pending' }),
        outbound().countDocuments({ status: { $in: ['pending', 'sending'] } }),
      ]);
      return openIn === 0 && openOut === 0 ? true : undefined;
    }, 15_000, 'pipeline to settle');
  }

  /** Sends a message and waits until `count` replies reached that chat in total, then for the pipeline to settle. */
  async function exchange(client: FakeWwebClient, chat: string, body: string, count: number): Promise<string[]> {
    client.receive(makeWwebMessage.text(chat, body));
    await eventually(() => (client.sentTo(chat).length >= count ? true : undefined), 15_000, `${count} replies to ${chat}`);
    await settled();
    return client.sentTo(chat);
  }

  it('answers a text with exactly one reply holding the menu as a numbered list, and "1" starts a request', async () => {
    const client = clients.latest();
    const chat = waChatId(1001);
    const first = await exchange(client, chat, 'القائمة', 1);
    expect(first).toHaveLength(1);
    const items = ['request_new', 'request_status', 'services', 'documents', 'contact', 'human', 'volunteer', 'complaint', 'language'];
    const menu = items.map((item, i) => `${i + 1}. ${t('ar', `menu.items.${item}`)}`).join('\n');
    expect(first[0]).toBe(`${t('ar', 'menu.title')}\n\n${hint}\n${menu}`);
    expect(client.typing).toContain(chat);
    // Only 'message' is listened to: 'message_create' also fires for our own replies (double replies).
    expect(client.listenerCount('message')).toBe(1);
    expect(client.listenerCount('message_create')).toBe(0);

    const after = await exchange(client, chat, '1', 2);
    expect(after.slice(1).join('\n')).toContain(t('ar', 'request.ask.applicantName'));
  });

  it('ignores our own messages, status updates, groups and history older than start-up minus the grace period', async () => {
    const client = clients.latest();
    const stored = await inbound().countDocuments();
    const quiet = [waChatId(2001), waChatId(2002), '120363041234567890@g.us', waChatId(2004)];
    client.receive(makeWwebMessage.fromMe(quiet[0] as string, 'السلام عليكم'));
    client.receive(makeWwebMessage.status(quiet[1] as string, 'السلام عليكم'));
    client.receive(makeWwebMessage.group(quiet[2] as string, 'السلام عليكم'));
    client.receive(makeWwebMessage.text(quiet[3] as string, 'السلام عليكم', { at: new Date(Date.now() - 3 * 60_000) }));
    // A normal message afterwards: once it is answered, the ones before it have been dealt with.
    await exchange(client, waChatId(2005), 'القائمة', 1);
    expect(await inbound().countDocuments()).toBe(stored + 1);
    for (const chat of quiet) expect(client.sentTo(chat)).toEqual([]);
    expect(client.sentTo('status@broadcast')).toEqual([]);
  });

  it('answers a message delivered twice (same id) once', async () => {
    const client = clients.latest();
    const chat = waChatId(3001);
    const message = makeWwebMessage.text(chat, 'القائمة');
    client.receive(message);
    client.receive(message);
    await eventually(() => (client.sentTo(chat).length >= 1 ? true : undefined), 15_000, 'the reply');
    await settled();
    client.receive(message);
    await settled();
    expect(client.sentTo(chat)).toHaveLength(1);
  });

  it('answers a photo politely in text, and offers the number WhatsApp vouches for at the phone step', async () => {
    const client = clients.latest();
    const chat = waChatId(60_112_233);
    client.receive(makeWwebMessage.image(chat));
    await eventually(() => (client.sentTo(chat).length >= 1 ? true : undefined), 15_000, 'the text-only answer');
    await settled();
    expect(client.sentTo(chat).join('\n')).toContain(t('ar', 'answers.text_only'));

    let sent = client.sentTo(chat).length;
    const step = async (body: string): Promise<string> => {
      const all = await exchange(client, chat, body, sent + 1);
      const fresh = all.slice(sent).join('\n');
      sent = all.length;
      return fresh;
    };
    expect(await step('ابي اقدم طلب دعم')).toContain(t('ar', 'request.ask.applicantName'));
    expect(await step('فاطمة أحمد الزهراني')).toContain(t('ar', 'request.ask.nationalId'));
    const phoneStep = await step(makeNationalId(6001));
    expect(phoneStep).toContain(t('ar', 'request.ask.phone_offer'));
    const useVerified = `1. ${t('ar', 'request.phone_use', { phone: maskPhone('+966560112233') })}`;
    expect(phoneStep.split('\n')).toContain(useVerified);
    await step('1');
    const stored = await pipe.env.core.ports.conversations.load({ channel: 'whatsapp', account: 'wweb', sender: chat });
    expect(stored?.state.draft?.phone).toBe('+966560112233');
  });

  it('refuses to write first to a chat that never wrote to us, directly and through the send queue', async () => {
    const client = clients.latest();
    const stranger = waChatId(7001);
    const outcome = await wweb.sender?.send({ account: 'wweb', recipient: stranger }, { text: 'مرحبًا' }, { language: 'ar', lastInboundAt: null, kind: 'proactive' });
    expect(outcome).toEqual({ type: 'failed', retryable: false, reason: 'not-contacted-first' });

    const ref = { channel: 'whatsapp' as const, account: 'wweb', sender: stranger };
    await pipe.pipeline.records.addReplies(ref, 'survey-7001', [{ text: 'مرحبًا' }], initialState('ar', 'detected'), new Date());
    await pipe.pipeline.resend(conversationId(pipe.env.services.cipher, ref), 'whatsapp');
    const doc = await eventually(async () => (await outbound().findOne({ _id: 'survey-7001:0', status: 'failed' })) ?? undefined, 15_000, 'refusal');
    expect(doc.error).toBe('not-contacted-first');
    expect(client.sentTo(stranger)).toEqual([]);
  });

  it('maps a failing sendMessage to a retryable failure', async () => {
    const client = clients.latest();
    const chat = waChatId(1001); // wrote in the first test
    client.failNextSends = 1;
    const outcome = await wweb.sender?.send({ account: 'wweb', recipient: chat }, { text: 'x' }, { language: 'ar', lastInboundAt: new Date(), kind: 'reply' });
    expect(outcome).toMatchObject({ type: 'failed', retryable: true });
    expect(outcome?.type === 'failed' && outcome.reason).toMatch(/send failed/);
  });

  it('rebuilds the client with exponential backoff after a disconnect, and works again', async () => {
    const before = clients.clients.length;
    const first = clients.latest();
    first.disconnect('CONFLICT');
    await eventually(() => (timers.pending.length === 1 ? true : undefined), 5_000, 'rebuild scheduled');
    expect(first.destroyed).toBe(true);
    expect(clients.clients).toHaveLength(before); // nothing rebuilt before the delay ran out
    expect(wweb.runtime?.health()).toMatchObject({ state: 'degraded' });
    const notReady = await wweb.sender?.send({ account: 'wweb', recipient: waChatId(1001) }, { text: 'x' }, { language: 'ar', lastInboundAt: null, kind: 'reply' });
    expect(notReady).toMatchObject({ type: 'failed', retryable: true, reason: expect.stringMatching(/not ready/) });

    timers.pending.shift()?.fire();
    expect(clients.clients).toHaveLength(before + 1);
    clients.latest().disconnect('TIMEOUT'); // fails again before linking: the next delay doubles
    await eventually(() => (timers.pending.length === 1 ? true : undefined), 5_000, 'second rebuild scheduled');
    timers.pending.shift()?.fire();
    expect(timers.delays.slice(-2)).toEqual([1000, 2000]);

    const third = clients.latest();
    expect(third.initialized).toBe(true);
    third.link();
    expect(wweb.runtime?.health()).toEqual({ channel: 'whatsapp', state: 'ready' });
    // Events from a replaced client change nothing.
    first.emit('ready');
    first.receive(makeWwebMessage.text(waChatId(8002), 'القائمة'));
    const replies = await exchange(third, waChatId(8001), 'القائمة', 1);
    expect(replies).toHaveLength(1);
    expect(first.sentTo(waChatId(8002))).toEqual([]);
    expect(third.sentTo(waChatId(8002))).toEqual([]);

    third.disconnect('CONFLICT'); // after a successful link the backoff starts over
    await eventually(() => (timers.pending.length === 1 ? true : undefined), 5_000, 'third rebuild scheduled');
    expect(timers.delays.at(-1)).toBe(1000);
    timers.pending.shift()?.fire();
    clients.latest().link();
  });
});

/** A real HTTP request to the app on a loopback port (what staff tooling does). */
async function get(app: FastifyInstance, path: string, authorization?: string): Promise<Response> {
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('app is not listening');
  return fetch(`http://127.0.0.1:${address.port}${path}`, { headers: authorization ? { authorization } : {} });
}

describe('WhatsApp Web linking: QR route and health', () => {
  const accepted: InboundMessage[] = [];
  const sink: InboundSink = { accept: async (m) => (accepted.push(m), 'accepted') };
  let app: FastifyInstance;
  let wweb: WhatsAppWebModule;
  const clients = fakeClientFactory();

  beforeEach(async () => {
    wweb = createWhatsAppWebModule(moduleDeps({ sink, clientFactory: clients.create, schedule: manualTimers().schedule }));
    const health = () => wweb.runtime?.health() ?? { channel: 'whatsapp' as const, state: 'disabled' as const };
    app = await buildApp({ ready: async () => ({ mongo: 'ok', redis: 'ok', channels: [health()] }), plugins: [wweb.httpPlugin!], logger: false });
    await app.listen({ host: '127.0.0.1', port: 0 });
    await wweb.runtime?.start();
  });

  afterEach(async () => {
    await app.close();
    await wweb.runtime?.stop();
  });

  const getQr = (authorization?: string) => get(app, '/staff/whatsapp/qr', authorization);

  it('shows the QR code to staff only', async () => {
    const qr = clients.latest().showQr();
    expect((await getQr()).status).toBe(401);
    expect((await getQr(`Bearer ${TOKEN}x`)).status).toBe(401);
    expect((await getQr(`Bearer ${TOKEN.slice(0, -1)}`)).status).toBe(401);
    expect((await getQr(TOKEN)).status).toBe(401);
    const ok = await getQr(`Bearer ${TOKEN}`);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('cache-control')).toBe('no-store');
    expect(await ok.json()).toEqual({ state: 'qr', qr });
    expect(wweb.qr()).toEqual({ state: 'qr', qr });
    expect(wweb.runtime?.health()).toMatchObject({ state: 'starting' });

    const png = await get(app, '/staff/whatsapp/qr.png', `Bearer ${TOKEN}`);
    expect(png.status).toBe(200);
    expect(png.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await png.arrayBuffer()).subarray(1, 4).toString('latin1')).toBe('PNG');
    expect((await get(app, '/staff/whatsapp/qr.png')).status).toBe(401);

    clients.latest().link();
    expect(await (await getQr(`Bearer ${TOKEN}`)).json()).toEqual({ state: 'ready', qr: null });
  });

  it('answers 503 when no staff token is configured', async () => {
    const open = createWhatsAppWebModule(moduleDeps({ sink, clientFactory: clients.create, staffApiToken: undefined }));
    const bare = await buildApp({ ready: async () => ({ mongo: 'ok', redis: 'ok', channels: [] }), plugins: [open.httpPlugin!], logger: false });
    await bare.listen({ host: '127.0.0.1', port: 0 });
    const res = await get(bare, '/staff/whatsapp/qr', `Bearer ${TOKEN}`);
    expect(res.status).toBe(503);
    expect(((await res.json()) as { message: string }).message).toBe('set STAFF_API_TOKEN to use this route');
    await bare.close();
  });

  it('reports starting until ready, and failed (with a reason) on auth failure or logout', async () => {
    expect(wweb.runtime?.health()).toEqual({ channel: 'whatsapp', state: 'starting' });
    clients.latest().link();
    expect(wweb.runtime?.health()).toEqual({ channel: 'whatsapp', state: 'ready' });
    expect((await get(app, '/ready')).status).toBe(200);

    clients.latest().authFailure();
    expect(wweb.runtime?.health()).toMatchObject({ state: 'failed', detail: expect.stringMatching(/QR code/) });
    expect((await get(app, '/ready')).status).toBe(503);

    clients.latest().link();
    clients.latest().disconnect('LOGOUT');
    expect(wweb.runtime?.health()).toMatchObject({ state: 'failed', detail: expect.stringMatching(/unlinked/) });
    // The library reloads WhatsApp Web itself after a logout: the new QR code is offered, health stays failed until linked.
    const qr = clients.latest().showQr();
    expect(wweb.qr()).toEqual({ state: 'qr', qr });
    expect(wweb.runtime?.health()).toMatchObject({ state: 'failed' });
    clients.latest().link();
    expect(wweb.runtime?.health()).toEqual({ channel: 'whatsapp', state: 'ready' });
  });
});
