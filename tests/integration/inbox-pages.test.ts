import type { ChannelModule } from '../../src/channels/module';
import { startConsoleHarness, type ConsoleHarness } from '../support/console';
import { t } from '../support/engine-setup';
import { FakeTelegramApi } from '../support/fake-telegram-api';
import { chatOf, telegramBeneficiaries, type TelegramBeneficiaries } from '../support/inbox-chat';
import { makeNationalId } from '../support/fixtures';
import { eventually, startTestPipeline } from '../support/pipeline';
import { signedIn } from '../support/staff';
import { TEST_BOT_TOKEN, testTelegramModule } from '../support/telegram';

/**
 * The console's inbox pages on the real pipeline: a beneficiary on Telegram (fake Bot API) asks
 * for a person mid-request; staff work the chat through the pages' forms (the browser's way: the
 * session cookie, form bodies with the `_csrf` field), and what they do reaches the fake Bot API.
 */
type Run = Awaited<ReturnType<typeof startTestPipeline>>;
const NOON = new Date('2026-11-22T09:00:00Z');
/** A translation key left in the page instead of its text. */
const RAW_KEY = /\b(?:inbox|canned|language|channel|request_status|errors|nav)\.[a-z][a-z_-]*\b/;

let api: FakeTelegramApi;
let run: Run;
let telegram: ChannelModule;
let c: ConsoleHarness;
let type: TelegramBeneficiaries['type'];
let handoffOf: TelegramBeneficiaries['handoffOf'];

beforeAll(async () => {
  api = await FakeTelegramApi.start(TEST_BOT_TOKEN);
  run = await startTestPipeline('inbox-pages', (deps) => {
    telegram = testTelegramModule(api, deps.sink, deps.env);
    return [telegram];
  });
  await telegram.runtime?.start();
  c = await startConsoleHarness('inbox-pages', { pipeline: run });
  ({ type, handoffOf } = telegramBeneficiaries(api, run));
}, 90_000);

afterAll(async () => {
  await c.close();
  await telegram.runtime?.stop();
  await run.close();
  await api.close();
});

beforeEach(() => run.env.clock.set(NOON));

/** The visible part of a page: its <main>, without tags. */
function mainText(page: string): string {
  const main = /<main[^>]*>([\s\S]*)<\/main>/.exec(page)?.[1] ?? '';
  return main.replace(/<[^>]+>/g, ' ');
}

function fieldOf(page: string, name: string): string {
  const value = new RegExp(`name="${name}" value="([^"]+)"`).exec(page)?.[1];
  if (!value) throw new Error(`page has no ${name} field`);
  return value;
}

it('lists the handoff, claims, replies once, notes, and returns to the bot at the same step, all through the pages', async () => {
  const chat = 7201;
  await type(chat, 'ابي اقدم طلب', t('ar', 'request.ask.applicantName'));
  await type(chat, 'فاطمة أحمد الزهراني', t('ar', 'request.ask.nationalId'));
  await type(chat, 'موظف', t('ar', 'handoff.opened'));
  const id = await handoffOf(chat);
  const agent = await signedIn(c.staff, ['agent']);
  const other = await signedIn(c.staff, ['agent']);
  const admin = await signedIn(c.staff, ['admin']);
  const as = (s: { sessionId: string }) => ({ sessionId: s.sessionId });

  // The open inbox, in Arabic, right-to-left; its list fragment (what htmx re-fetches on an event) too.
  const inbox = await c.get('/staff/inbox', as(agent));
  expect(inbox.statusCode).toBe(200);
  expect(inbox.body).toContain('<html lang="ar" dir="rtl">');
  expect(inbox.body).toContain(`href="/staff/inbox/${id}"`);
  expect(inbox.body).toMatch(/data-events="\/staff\/api\/handoffs\/events"/);
  for (const words of ['طلب التحدث مع موظف', 'تيليجرام', 'لم يتسلّمها أحد', 'لا يوجد طلب مفتوح']) expect(inbox.body).toContain(words);
  expect(mainText(inbox.body)).not.toMatch(RAW_KEY);
  expect((await c.get('/staff/inbox/list', as(agent))).body).toContain(`data-handoff-id="${id}"`);

  // Claim through the page's form: without the token refused, with it the chat is the agent's.
  expect((await c.post(`/staff/inbox/${id}/claim`, {}, as(agent))).statusCode).toBe(403);
  const page = (await c.get(`/staff/inbox/${id}`, as(agent))).body;
  const claimed = await c.post(`/staff/inbox/${id}/claim`, { _csrf: fieldOf(page, '_csrf') }, as(agent));
  expect([claimed.statusCode, claimed.headers.location]).toEqual([303, `/staff/inbox/${id}?done=claimed#reply-h`]);
  const late = await c.post(`/staff/inbox/${id}/claim`, { _csrf: other.csrfToken }, as(other));
  expect(late.statusCode).toBe(409);
  expect(late.body).toContain(`تسلّمها ${agent.account.name} قبلك.`);
  const notYours = await c.post(`/staff/inbox/${id}/reply`, { _csrf: other.csrfToken, text: 'hello', clientId: 'reply-other-1' }, as(other));
  expect([notYours.statusCode, notYours.body.includes(`هذه المحادثة عند ${agent.account.name}، ليست عندك.`)]).toEqual([409, true]);

  // Canned replies in the conversation's language are offered with the reply box.
  const created = await c.post('/staff/canned-replies', { _csrf: admin.csrfToken, language: 'ar', title: 'ترحيب', text: 'أهلا بك، معك موظف الجمعية.' }, as(admin));
  expect([created.statusCode, created.headers.location]).toEqual([303, '/staff/canned-replies?done=created']);
  await c.post('/staff/canned-replies', { _csrf: admin.csrfToken, language: 'en', title: 'Welcome', text: 'Hello' }, as(admin));
  const held = (await c.get(`/staff/inbox/${id}?done=claimed`, as(agent))).body;
  expect(held).toContain('data-text="أهلا بك، معك موظف الجمعية."');
  expect(held).not.toContain('data-text="Hello"');
  expect(mainText(held)).not.toMatch(RAW_KEY);

  // The reply reaches the person once, even when the same form is posted twice.
  const text = 'مرحبا، معك سارة من الجمعية.';
  const form = { _csrf: fieldOf(held, '_csrf'), clientId: fieldOf(held, 'clientId'), text };
  const sent = await c.post(`/staff/inbox/${id}/reply`, form, as(agent));
  expect([sent.statusCode, sent.headers.location]).toEqual([303, `/staff/inbox/${id}?done=replied#reply-h`]);
  await api.waitForCall('sendMessage', (call) => chatOf(call) === chat && String(call.params.text) === `${t('ar', 'handoff.staff_label')}\n${text}`);
  expect((await c.post(`/staff/inbox/${id}/reply`, form, as(agent))).statusCode).toBe(303);
  await type(chat, 'شكرا لكم', t('ar', 'handoff.ack'));
  expect(api.sentTexts(chat).filter((s) => s.endsWith(text)).length).toBe(1);

  // A note; the transcript marks the staff reply with its author.
  expect((await c.post(`/staff/inbox/${id}/notes`, { _csrf: agent.csrfToken, text: 'تحتاج متابعة' }, as(agent))).headers.location).toBe(`/staff/inbox/${id}?done=noted#note-h`);
  const transcript = (await c.get(`/staff/inbox/${id}/transcript`, as(agent))).body;
  expect(transcript).toContain(`الموظف: ${agent.account.name}`);
  expect(transcript).toContain('تحتاج متابعة');
  expect(transcript).toContain('شكرا لكم');

  // Back to the bot: the person is asked the step they were at, and their answer continues the request.
  const mark = api.calls().length;
  const back = await c.post(`/staff/inbox/${id}/return-to-bot`, { _csrf: agent.csrfToken }, as(agent));
  expect([back.statusCode, back.headers.location]).toEqual([303, '/staff/inbox?done=returned']);
  await api.waitForCall('sendMessage', (call) => call.seq > mark && chatOf(call) === chat && String(call.params.text) === t('ar', 'handoff.returned'));
  await type(chat, makeNationalId(7201), t('ar', 'request.ask.phone'));
  expect((await c.get('/staff/inbox', as(agent))).body).not.toContain(`href="/staff/inbox/${id}"`);
  const actions = (await c.staff.context.audit.query({ page: 1, pageSize: 50 })).entries.filter((e) => e.targetId === id).map((e) => e.action);
  expect(actions.sort()).toEqual(['handoff-claimed', 'handoff-note', 'handoff-replied', 'handoff-returned']);
}, 90_000);

it('keeps staff without an inbox role (committee) out, lets researchers in, and keeps agents out of the canned replies admin page', async () => {
  const chat = 7202;
  await type(chat, 'موظف', t('ar', 'handoff.opened'));
  const id = await handoffOf(chat);
  const committee = await signedIn(c.staff, ['committee']);
  const agent = await signedIn(c.staff, ['agent']);
  for (const path of ['/staff/inbox', '/staff/inbox/list', `/staff/inbox/${id}`]) {
    const page = await c.get(path, { sessionId: committee.sessionId });
    expect([path, page.statusCode, page.body.includes('صلاحياتك لا تسمح بفتح هذه الصفحة.')]).toEqual([path, 403, true]);
  }
  expect((await c.post(`/staff/inbox/${id}/claim`, { _csrf: committee.csrfToken }, { sessionId: committee.sessionId })).statusCode).toBe(403);
  expect((await c.get('/staff/dashboard', { sessionId: committee.sessionId })).body).not.toContain('href="/staff/inbox"');
  // A social researcher works the inbox (the bot tells people the social research officer will answer).
  const researcher = await signedIn(c.staff, ['researcher']);
  expect((await c.get('/staff/dashboard', { sessionId: researcher.sessionId })).body).toContain('href="/staff/inbox"');
  expect((await c.get(`/staff/inbox/${id}`, { sessionId: researcher.sessionId })).statusCode).toBe(200);
  expect((await c.get('/staff/canned-replies', { sessionId: agent.sessionId })).statusCode).toBe(403);
  expect((await c.post('/staff/canned-replies', { _csrf: agent.csrfToken, language: 'ar', title: 'x', text: 'y' }, { sessionId: agent.sessionId })).statusCode).toBe(403);
  // An action on a chat nobody holds says so; a missing chat is a 404 page.
  const notHeld = await c.post(`/staff/inbox/${id}/return-to-bot`, { _csrf: agent.csrfToken }, { sessionId: agent.sessionId });
  expect([notHeld.statusCode, notHeld.body.includes('لم يتسلّم أحد هذه المحادثة بعد؛ تسلّمها أولًا.')]).toEqual([409, true]);
  // A reply refused (the chat is not the agent's) is not lost: the typed text comes back to copy.
  const typed = 'السلام عليكم، سأتابع طلبك مع اللجنة وأعود إليك اليوم <قبل العصر>';
  // (a query string on the form's URL does not lose it either: second review)
  const refusedReply = await c.post(`/staff/inbox/${id}/reply?from=card`, { _csrf: agent.csrfToken, text: typed, clientId: 'refused-reply-1' }, { sessionId: agent.sessionId });
  expect(refusedReply.statusCode).toBe(409);
  expect(refusedReply.body).toMatch(/<details open class="unsent">[\s\S]*<textarea readonly[^>]*>السلام عليكم، سأتابع طلبك مع اللجنة وأعود إليك اليوم &lt;قبل العصر&gt;<\/textarea>/);
  expect((await c.get('/staff/inbox/b7f0c1a2-0000-4000-8000-00000000dead', { sessionId: agent.sessionId })).statusCode).toBe(404);
  for (const lng of ['en', 'ur']) {
    const page = await c.get(`/staff/inbox/${id}?lng=${lng}`, { sessionId: agent.sessionId });
    expect([lng, RAW_KEY.test(mainText(page.body))]).toEqual([lng, false]);
  }
}, 60_000);

it('lets an admin edit and delete canned replies through the page', async () => {
  const admin = await signedIn(c.staff, ['admin']);
  const s = { sessionId: admin.sessionId };
  await c.post('/staff/canned-replies', { _csrf: admin.csrfToken, language: 'ur', title: 'خوش آمدید', text: 'السلام علیکم' }, s);
  const [reply] = await c.staff.handoffs.canned.list('ur');
  if (!reply) throw new Error('no canned reply');
  const page = await c.get('/staff/canned-replies', s);
  expect(page.body).toContain('السلام علیکم');
  expect(mainText(page.body)).not.toMatch(RAW_KEY);
  expect((await c.post(`/staff/canned-replies/${reply.id}`, { _csrf: admin.csrfToken, language: 'ur', title: 'خوش آمدید', text: 'وعلیکم السلام' }, s)).headers.location).toBe('/staff/canned-replies?done=updated');
  expect((await c.staff.handoffs.canned.list('ur'))[0]?.text).toBe('وعلیکم السلام');
  expect((await c.post(`/staff/canned-replies/${reply.id}`, { _csrf: admin.csrfToken, language: 'ur', title: '', text: '' }, s)).statusCode).toBe(400);
  expect((await c.post(`/staff/canned-replies/${reply.id}/delete`, { _csrf: admin.csrfToken }, s)).headers.location).toBe('/staff/canned-replies?done=deleted');
  expect((await c.post(`/staff/canned-replies/${reply.id}/delete`, { _csrf: admin.csrfToken }, s)).statusCode).toBe(404);
}, 60_000);

it('shows a staff reply in the transcript while it waits to be sent (Telegram said: retry later)', async () => {
  const chat = 7203;
  await type(chat, 'موظف', t('ar', 'handoff.opened'));
  const id = await handoffOf(chat);
  const agent = await signedIn(c.staff, ['agent']);
  const s = { sessionId: agent.sessionId };
  expect((await c.post(`/staff/inbox/${id}/claim`, { _csrf: agent.csrfToken }, s)).statusCode).toBe(303);
  const text = 'لحظات وأرجع لك بالتفاصيل.';
  const clientId = 'reply-held-7203';
  api.failNext('sendMessage', { status: 429, retry_after: 60 }, (params) => String(params.text).endsWith(text));
  expect((await c.post(`/staff/inbox/${id}/reply`, { _csrf: agent.csrfToken, clientId, text }, s)).statusCode).toBe(303);
  // Refused by Telegram and given back: the reply is in the conversation's outbox only, with no outbound-log row.
  await eventually(async () => (api.calls('sendMessage').some((call) => call.status === 429 && chatOf(call) === chat) && !(await c.staff.log.hasOutbound(`staff-${id}-${clientId}:0`)) ? true : undefined), 15_000, 'the refused send given back');
  const transcript = (await c.get(`/staff/inbox/${id}/transcript`, s)).body;
  expect(transcript).toMatch(new RegExp(`<li class="line from-staff">[^]*?${text}`));
  expect(api.sentTexts(chat).some((sent) => sent.endsWith(text))).toBe(false);
}, 60_000);
