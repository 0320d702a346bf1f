import { conversationId } from '../../src/persistence/conversation.store';
import type { FastifyInstance } from 'fastify';
import type { ChannelModule } from '../../src/channels/module';
import type { InboundMessage } from '../../src/domain/messages';
import { buildApp } from '../../src/http/app';
import { FakeTelegramApi, makeTelegramUpdate, type FakeMessage, type RecordedCall, type TelegramUpdate } from '../support/fake-telegram-api';
import { makeNationalId } from '../support/fixtures';
import { t } from '../support/engine-setup';
import { eventually, startTestPipeline } from '../support/pipeline';
import { RefusingSink } from '../support/refusing-sink';
import { TEST_BOT_TOKEN, testTelegramModule } from '../support/telegram';

/**
 * The Telegram channel end to end: real telegraf HTTP calls against a fake Bot API on 127.0.0.1,
 * through the real pipeline (inbound record, BullMQ, engine, outbound log, send workers) on the
 * real FerretDB and Redis.
 */

const TOKEN = TEST_BOT_TOKEN;
const MENU_VALUES = ['request_new', 'request_status', 'services', 'documents', 'contact', 'human', 'volunteer', 'complaint', 'language'];

type Run = Awaited<ReturnType<typeof startTestPipeline>>;


const chatOf = (call: RecordedCall): number => Number(call.params.chat_id);
const toChat = (chatId: number, text?: string) => (c: RecordedCall): boolean => chatOf(c) === chatId && (text === undefined || c.params.text === text);
const keyboardOf = (call: RecordedCall): Array<{ text: string; callback_data?: string }> =>
  ((call.params.reply_markup as FakeMessage['reply_markup'])?.inline_keyboard ?? []).map((row) => {
    if (row.length !== 1) throw new Error('expected one button per row');
    return row[0] as { text: string; callback_data?: string };
  });

const fromChat = (chat: number) => (m: InboundMessage): boolean => m.sender === String(chat);
const isMessage = (update: TelegramUpdate) => (m: InboundMessage): boolean => m.messageId.endsWith(`:${(update.message as FakeMessage).message_id}`);

async function inboundOf(run: Run, chat: number, update: TelegramUpdate): Promise<number> {
  const digest = run.pipeline.log.externalDigest('telegram', `${chat}:${(update.message as FakeMessage).message_id}`);
  return run.env.services.mongo.collection('inbound_messages').countDocuments({ externalId: digest });
}

describe('Telegram channel, long polling', () => {
  let api: FakeTelegramApi;
  let run: Run;
  let telegram: ChannelModule;
  /** Passes everything on to the gateway unless a test asks it to refuse something. */
  let refusing: RefusingSink;

  beforeAll(async () => {
    api = await FakeTelegramApi.start(TOKEN);
    run = await startTestPipeline('tg', (deps) => {
      refusing = new RefusingSink(() => deps.sink, () => api.calls().length);
      telegram = testTelegramModule(api, refusing, deps.env);
      return [telegram];
    });
    await telegram.runtime?.start();
  }, 60_000);

  afterAll(async () => {
    await telegram.runtime?.stop();
    await run.close();
    await api.close();
  });

  /** Injects an update and resolves with the next sendMessage call to that chat whose text contains `expected`. */
  async function say(update: TelegramUpdate, chatId: number, expected: string): Promise<RecordedCall> {
    const mark = api.calls().length;
    api.injectUpdate(update);
    return api.waitForCall('sendMessage', (c) => c.seq > mark && chatOf(c) === chatId && String(c.params.text).includes(expected));
  }

  /** Presses the button with `value` on the message `question` and waits for the reply containing `expected`. */
  async function press(chatId: number, question: RecordedCall, value: string, expected: string): Promise<RecordedCall> {
    const update = makeTelegramUpdate.callback(chatId, value, question.result as FakeMessage);
    const queryId = (update.callback_query as { id: string }).id;
    const reply = await say(update, chatId, expected);
    await api.waitForCall('answerCallbackQuery', (c) => c.params.callback_query_id === queryId);
    const label = keyboardOf(question).find((b) => b.callback_data === value)?.text as string;
    const echo = await api.waitForCall('editMessageText', (c) => chatOf(c) === chatId && Number(c.params.message_id) === (question.result as FakeMessage).message_id);
    expect(echo.params.text).toBe(`${String(question.params.text)}\n\n${t('ar', 'telegram:choice_echo', { label })}`);
    expect(echo.params.reply_markup).toBeUndefined(); // the keyboard is gone
    return reply;
  }

  it('starts by removing any webhook, registers the command menu, and reports ready', async () => {
    const first = (m: string): number => api.calls(m)[0]?.seq ?? Infinity;
    expect(first('getMe')).toBeLessThan(first('deleteWebhook'));
    expect(first('deleteWebhook')).toBeLessThan(first('getUpdates'));
    expect(api.calls('setMyCommands').map((c) => c.params.language_code ?? 'default')).toEqual(['default', 'ar', 'en', 'ur']);
    expect(telegram.runtime?.health()).toEqual({ channel: 'telegram', state: 'ready' });
  });

  it('greets with the welcome and a menu of inline buttons, then files a whole request through buttons and a shared contact', async () => {
    const chat = 1001;
    await say(makeTelegramUpdate.text(chat, 'السلام عليكم'), chat, t('ar', 'answers.welcome'));
    const menu = await api.waitForCall('sendMessage', toChat(chat, t('ar', 'menu.title')));
    expect(keyboardOf(menu)).toEqual(MENU_VALUES.map((v) => ({ text: t('ar', `menu.items.${v}`), callback_data: `intent:${v}` })));
    // typing… is shown before the first reply
    const typing = await api.waitForCall('sendChatAction', (c) => chatOf(c) === chat && c.params.action === 'typing');
    expect(typing.seq).toBeLessThan(api.calls('sendMessage').find(toChat(chat))?.seq ?? 0);

    await press(chat, menu, 'intent:request_new', t('ar', 'request.ask.applicantName'));
    await say(makeTelegramUpdate.text(chat, 'فاطمة أحمد الزهراني'), chat, t('ar', 'request.ask.nationalId'));
    await say(makeTelegramUpdate.text(chat, makeNationalId(7101)), chat, t('ar', 'request.ask.phone'));
    const relation = await say(makeTelegramUpdate.contact(chat, '966501234567'), chat, t('ar', 'request.ask.relation'));
    expect(keyboardOf(relation).map((b) => b.callback_data)).toContain('relation:spouse');
    await press(chat, relation, 'relation:spouse', t('ar', 'request.ask.inmateName'));
    const facility = await say(makeTelegramUpdate.text(chat, 'محمد علي الزهراني'), chat, t('ar', 'request.ask.facility'));
    const support = await press(chat, facility, 'facility:dammam_general', t('ar', 'request.ask.supportType'));
    await press(chat, support, 'support:financial', t('ar', 'request.ask.description'));
    const beforeSummary = api.calls().length;
    api.injectUpdate(makeTelegramUpdate.text(chat, 'نحتاج مساعدة في إيجار البيت ومصاريف المدارس للأطفال'));
    const summary = await api.waitForCall('sendMessage', (c) => c.seq > beforeSummary && chatOf(c) === chat && keyboardOf(c).some((b) => b.callback_data === 'summary:confirm'));
    const attest = await press(chat, summary, 'summary:confirm', t('ar', 'request.attest_text'));
    const done = await press(chat, attest, 'attest:confirm', 'BSR-');

    const reference = /BSR-\d{4}-\d{5}/.exec(String(done.params.text))?.[0] as string;
    expect(done.params.text).toContain(t('ar', 'request.submitted', { reference }));
    const stored = await run.env.core.models.SupportRequest.findOne({ reference }).lean();
    expect(stored?.attestation.channel).toBe('telegram');
    expect(run.env.services.cipher.open(stored!.phoneSealed)).toBe('+966501234567');
    // every bubble went out once: no text was sent twice to this chat
    const texts = api.sentTexts(chat);
    expect(new Set(texts).size).toBe(texts.length);
  }, 120_000);

  it('moves the offset past each stored update, and a redelivery after a restart is not answered again', async () => {
    const chat = 2002;
    const update = makeTelegramUpdate.text(chat, 'السلام عليكم');
    await say(update, chat, t('ar', 'answers.welcome'));
    await api.waitForCall('getUpdates', (c) => c.params.offset === update.update_id + 1);

    // The bot restarts, and Telegram hands the same update out again (as if its offset had not been committed).
    await telegram.runtime?.stop();
    api.redeliver(update.update_id);
    const mark = api.calls().length;
    const restarted = testTelegramModule(api, refusing, run.env);
    await restarted.runtime?.start();
    telegram = restarted;
    await api.waitForCall('getUpdates', (c) => c.seq > mark && c.params.offset === update.update_id + 1);

    // A later message of the same chat is answered after anything the redelivery could have caused.
    await say(makeTelegramUpdate.text(chat, 'القائمة'), chat, t('ar', 'menu.title'));
    expect(api.sentTexts(chat).filter((text) => text === t('ar', 'answers.welcome'))).toHaveLength(1);
    const inbound = await run.env.services.mongo.collection('inbound_messages').countDocuments({ externalId: run.pipeline.log.externalDigest('telegram', `${chat}:${(update.message as FakeMessage).message_id}`) });
    expect(inbound).toBe(1);
  }, 60_000);

  it('waits out a 429 (retry_after) and retries a 500, delivering each message exactly once', async () => {
    const welcome = t('ar', 'answers.welcome');
    api.failNext('sendMessage', { status: 429, retry_after: 1 }, (p) => Number(p.chat_id) === 3003);
    api.failNext('sendMessage', { status: 500 }, (p) => Number(p.chat_id) === 3004);
    api.injectUpdate(makeTelegramUpdate.text(3003, 'السلام عليكم'));
    api.injectUpdate(makeTelegramUpdate.text(3004, 'السلام عليكم'));
    // The menu is the second bubble: once it is out, the first one is settled.
    await api.waitForCall('sendMessage', toChat(3003, t('ar', 'menu.title')));
    await api.waitForCall('sendMessage', toChat(3004, t('ar', 'menu.title')));
    const attempts = (chat: number): number[] => api.calls('sendMessage').filter(toChat(chat, welcome)).map((c) => c.status);
    expect(attempts(3003)).toEqual([429, 200]);
    expect(attempts(3004)).toEqual([500, 200]);
    const retried = api.calls('sendMessage').filter(toChat(3003, welcome));
    expect(retried[1]!.seq).toBeGreaterThan(retried[0]!.seq);
  }, 60_000);

  it("answers a photo and a voice note politely in the user's language", async () => {
    const chat = 4004;
    await say(makeTelegramUpdate.text(chat, 'Hello, good morning'), chat, t('en', 'answers.welcome'));
    await say(makeTelegramUpdate.photo(chat), chat, t('en', 'answers.text_only'));
    api.injectUpdate(makeTelegramUpdate.voice(chat));
    await api.waitForCalls('sendMessage', toChat(chat, t('en', 'answers.text_only')), 2);
    // Platform ids are stored as digests, so this chat's records are found by its conversation id.
    const conversation = conversationId(run.env.services.cipher, { channel: 'telegram', account: TOKEN.split(':')[0] as string, sender: String(chat) });
    const stored = await run.env.services.mongo.collection('inbound_messages').find({ conversationId: conversation }).sort({ receivedAt: 1 }).toArray();
    expect(stored.map((d) => d.attachment)).toEqual([null, 'image', 'voice']);
  }, 60_000);

  it('ignores group chats: nothing stored, nothing sent', async () => {
    const group = -100777;
    api.injectUpdate(makeTelegramUpdate.text(group, 'السلام عليكم', { chatType: 'supergroup', userId: 555 }));
    const after = makeTelegramUpdate.text(7007, 'السلام عليكم');
    await say(after, 7007, t('ar', 'answers.welcome'));
    await api.waitForCall('getUpdates', (c) => Number(c.params.offset) > after.update_id);
    expect(api.calls('sendMessage').filter(toChat(group))).toEqual([]);
    expect(await run.env.services.mongo.collection('inbound_messages').countDocuments({ externalId: { $regex: `^${group}:` } })).toBe(0);
  }, 30_000);

  it('holds the offset below a refused update, stores the other chats meanwhile, and stores the refused one (then its chat) in order', async () => {
    const held = 8101;
    const other = 8102;
    refusing.refuse(fromChat(held), 2, { reason: 'too_fast', retryAfterMs: 400 });
    const first = makeTelegramUpdate.text(held, 'السلام عليكم');
    const bystander = makeTelegramUpdate.text(other, 'السلام عليكم');
    const second = makeTelegramUpdate.text(held, 'القائمة');
    api.injectUpdate(first);
    api.injectUpdate(bystander);
    api.injectUpdate(second);

    await api.waitForCall('sendMessage', (c) => chatOf(c) === held && c.params.text === t('ar', 'menu.title'));
    await eventually(() => (api.calls('sendMessage').filter((c) => chatOf(c) === held && c.params.text === t('ar', 'menu.title')).length === 2 ? true : undefined), 20_000, 'the second menu');
    await api.waitForCall('getUpdates', (c) => Number(c.params.offset) === second.update_id + 1);

    // The first update was offered three times (two refusals), the second only after it was stored.
    expect(refusing.outcomesOf(isMessage(first))).toEqual(['refused', 'refused', 'accepted']);
    expect(refusing.outcomesOf(isMessage(second))).toEqual(['accepted']);
    const index = (update: TelegramUpdate, outcome: string): number => refusing.offers.findIndex((o) => isMessage(update)(o.message) && o.outcome === outcome);
    expect(index(bystander, 'accepted')).toBeLessThan(index(first, 'accepted'));
    expect(index(first, 'accepted')).toBeLessThan(index(second, 'accepted'));

    // No getUpdates call made before the refused update was stored confirmed it.
    const storedAt = refusing.offers[index(first, 'accepted')]?.at as number;
    const before = api.calls('getUpdates').filter((c) => c.seq < storedAt);
    expect(before.every((c) => Number(c.params.offset ?? 0) <= first.update_id)).toBe(true);

    // Each message is stored once and answered once.
    for (const [chat, update] of [[held, first], [other, bystander], [held, second]] as const) expect(await inboundOf(run, chat, update)).toBe(1);
    expect(api.calls('sendMessage').filter((c) => chatOf(c) === held && c.params.text === t('ar', 'answers.welcome'))).toHaveLength(1);
  }, 60_000);
});

describe('Telegram channel, webhook mode', () => {
  const url = 'https://bot.example.org/telegram/webhook';
  const secret = 'webhook-secret-for-tests-0123456789';
  let api: FakeTelegramApi;
  let run: Run;
  let telegram: ChannelModule;
  let refusing: RefusingSink;
  let app: FastifyInstance;
  let base: string;

  beforeAll(async () => {
    api = await FakeTelegramApi.start(TOKEN);
    run = await startTestPipeline('tgwh', (deps) => {
      refusing = new RefusingSink(() => deps.sink);
      telegram = testTelegramModule(api, refusing, deps.env, { url, secret });
      return [telegram];
    });
    await telegram.runtime?.start();
    app = await buildApp({ ready: async () => ({ mongo: 'ok', redis: 'ok', channels: [] }), plugins: [telegram.httpPlugin!], logger: false });
    base = await app.listen({ host: '127.0.0.1', port: 0 });
  }, 60_000);

  afterAll(async () => {
    await app.close();
    await telegram.runtime?.stop();
    await run.close();
    await api.close();
  });

  const inboundCount = (): Promise<number> => run.env.services.mongo.collection('inbound_messages').countDocuments();
  // Real HTTP rather than app.inject(): light-my-request loads the ESM-only `cookie` 2.x, which Jest cannot require.
  const post = async (body: unknown, headers: Record<string, string> = { 'x-telegram-bot-api-secret-token': secret }, root = base): Promise<{ statusCode: number; retryAfter?: string }> => {
    const response = await fetch(`${root}/telegram/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    await response.arrayBuffer();
    const retryAfter = response.headers.get('retry-after');
    return { statusCode: response.status, ...(retryAfter ? { retryAfter } : {}) };
  };

  it('registers the webhook with its secret and never polls', async () => {
    expect(api.webhook).toEqual({ url, secret_token: secret, allowed_updates: ['message', 'callback_query'], max_connections: 1 });
    expect(api.calls('getUpdates')).toEqual([]);
    expect(api.calls('deleteWebhook')).toEqual([]);
  });

  it('refuses a wrong or missing secret with 401 and stores nothing', async () => {
    const update = makeTelegramUpdate.text(5005, 'السلام عليكم');
    expect((await post(update, { 'x-telegram-bot-api-secret-token': 'webhook-secret-for-tests-0123456780' })).statusCode).toBe(401);
    expect((await post(update, { 'x-telegram-bot-api-secret-token': 'short' })).statusCode).toBe(401);
    expect((await post(update, {})).statusCode).toBe(401);
    expect(await inboundCount()).toBe(0);
  });

  it('refuses broken JSON with 400, acknowledges an authentic but unreadable update (no redelivery loop), and stores neither', async () => {
    expect((await post('{"update_id": 1, "message": ')).statusCode).toBe(400);
    expect((await post({ update_id: 'one' })).statusCode).toBe(200);
    expect((await post({ update_id: 2, message: { text: 'no chat' } })).statusCode).toBe(200);
    expect(await inboundCount()).toBe(0);
  });

  it('answers 200 only once the update is stored, and the reply is sent', async () => {
    const response = await post(makeTelegramUpdate.text(5006, 'السلام عليكم'));
    expect(response.statusCode).toBe(200);
    expect(await inboundCount()).toBe(1);
    await api.waitForCall('sendMessage', toChat(5006, t('ar', 'answers.welcome')));
    const menu = await api.waitForCall('sendMessage', toChat(5006, t('ar', 'menu.title')));
    // a button pressed through the webhook is answered and echoed as well
    const press = makeTelegramUpdate.callback(5006, 'intent:request_new', menu.result as FakeMessage);
    api.markDelivered(press);
    expect((await post(press)).statusCode).toBe(200);
    await api.waitForCall('answerCallbackQuery', (c) => c.params.callback_query_id === (press.callback_query as { id: string }).id);
    await api.waitForCall('sendMessage', (c) => chatOf(c) === 5006 && String(c.params.text).includes(t('ar', 'request.ask.applicantName')));
  }, 30_000);

  it('answers 500 when the update could not be stored, so Telegram delivers it again', async () => {
    const failing = testTelegramModule(api, { accept: () => Promise.reject(new Error('database unreachable')) }, run.env, { url, secret });
    const other = await buildApp({ ready: async () => ({ mongo: 'ok', redis: 'ok', channels: [] }), plugins: [failing.httpPlugin!], logger: false });
    try {
      const root = await other.listen({ host: '127.0.0.1', port: 0 });
      expect((await post(makeTelegramUpdate.text(5007, 'hello'), undefined, root)).statusCode).toBe(500);
    } finally {
      await other.close();
    }
  });

  it('answers 429 with Retry-After to a refused update and stores nothing; the redelivery is stored and answered once', async () => {
    const chat = 8201;
    refusing.refuse(fromChat(chat), 1, { reason: 'too_fast', retryAfterMs: 2500 });
    const update = makeTelegramUpdate.text(chat, 'السلام عليكم');

    const refused = await post(update);
    expect(refused).toEqual({ statusCode: 429, retryAfter: '3' });
    expect(await inboundOf(run, chat, update)).toBe(0);

    // Telegram delivers an update again until it gets a 2xx.
    expect((await post(update)).statusCode).toBe(200);
    expect(await inboundOf(run, chat, update)).toBe(1);
    await api.waitForCall('sendMessage', (c) => chatOf(c) === chat && c.params.text === t('ar', 'menu.title'));
    expect(api.calls('sendMessage').filter((c) => chatOf(c) === chat && c.params.text === t('ar', 'answers.welcome'))).toHaveLength(1);
  }, 30_000);

  it('does not answer a refused button press: it is answered and echoed when Telegram delivers it again', async () => {
    const chat = 8202;
    expect((await post(makeTelegramUpdate.text(chat, 'السلام عليكم'))).statusCode).toBe(200);
    const menu = await api.waitForCall('sendMessage', (c) => chatOf(c) === chat && c.params.text === t('ar', 'menu.title'));
    const press = makeTelegramUpdate.callback(chat, 'intent:request_new', menu.result as FakeMessage);
    api.markDelivered(press);
    const queryId = (press.callback_query as { id: string }).id;
    refusing.refuse((m) => m.messageId === `cb:${queryId}`, 1);
    expect((await post(press)).statusCode).toBe(429);
    expect(api.calls('answerCallbackQuery').filter((c) => c.params.callback_query_id === queryId)).toEqual([]);
    expect((await post(press)).statusCode).toBe(200);
    await api.waitForCall('answerCallbackQuery', (c) => c.params.callback_query_id === queryId);
    await api.waitForCall('sendMessage', (c) => chatOf(c) === chat && String(c.params.text).includes(t('ar', 'request.ask.applicantName')));
  }, 30_000);
  it('answers 429 when the real gateway refuses a flooding chat, and stores every update it acknowledged', async () => {
    const chat = 8203;
    const answers: Array<{ statusCode: number; retryAfter?: string }> = [];
    const updates = Array.from({ length: 24 }, (_, i) => makeTelegramUpdate.text(chat, `رسالة ${i + 1}`));
    for (const update of updates) answers.push(await post(update));
    const codes = answers.map((a) => a.statusCode);
    // About 20 a minute per sender get through; the rest are left for Telegram to deliver again.
    expect(codes.filter((c) => c === 200).length).toBeGreaterThanOrEqual(10);
    expect(codes.filter((c) => c === 429).length).toBeGreaterThanOrEqual(4);
    expect(codes.every((c) => c === 200 || c === 429)).toBe(true);
    for (const [i, update] of updates.entries()) expect(await inboundOf(run, chat, update)).toBe(codes[i] === 200 ? 1 : 0);
    expect(Number(answers.find((a) => a.statusCode === 429)?.retryAfter)).toBeGreaterThan(0);
  }, 30_000);
});
