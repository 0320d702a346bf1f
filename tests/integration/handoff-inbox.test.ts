import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { ChannelModule } from '../../src/channels/module';
import { followUpIds, followUpJobId, surveyIdOf } from '../../src/domain/followup';
import { addWorkingMinutes, formatRiyadhTime } from '../../src/domain/working-hours';
import { RedisHandoffEvents, type HandoffEvent } from '../../src/handoffs/handoff-events';
import { EXPECTED_ANSWER_WORKING_MINUTES } from '../../src/handoffs/handoff-timers';
import { buildApp } from '../../src/http/app';
import { createLogger } from '../../src/logging/logger';
import { STAFF_COOKIE } from '../../src/staff/staff.guard';
import { staffPlugin } from '../../src/staff/staff.plugin';
import { t } from '../support/engine-setup';
import { FakeTelegramApi } from '../support/fake-telegram-api';
import { chatOf, telegramBeneficiaries, type TelegramBeneficiaries } from '../support/inbox-chat';
import { makeNationalId } from '../support/fixtures';
import { eventually, startTestPipeline } from '../support/pipeline';
import { signedIn, startStaffHarness, type StaffHarness } from '../support/staff';
import { TEST_BOT_TOKEN, testTelegramModule } from '../support/telegram';

/**
 * The staff inbox end to end: a beneficiary on Telegram (fake Bot API) through the real pipeline
 * on Redis and FerretDB, and staff through the staff API on the same database and send path.
 * The engine's manual clock drives the inbox timers: a test moves it and promotes the job.
 */
type Run = Awaited<ReturnType<typeof startTestPipeline>>;
/** Sunday 12:00 in Riyadh: within working hours. */
const NOON = new Date('2026-11-22T09:00:00Z');

let api: FakeTelegramApi;
let run: Run;
let telegram: ChannelModule;
let h: StaffHarness;
let type: TelegramBeneficiaries['type'];
let handoffOf: TelegramBeneficiaries['handoffOf'];

beforeAll(async () => {
  api = await FakeTelegramApi.start(TEST_BOT_TOKEN);
  run = await startTestPipeline(
    'inbox',
    (deps) => {
      telegram = testTelegramModule(api, deps.sink, deps.env);
      return [telegram];
    },
    { followUps: { quietHours: null, reminderHours: [24, 72], surveyDelayMinutes: 60, promiseDays: 14, surveyReminderHours: 24 } },
  );
  await telegram.runtime?.start();
  h = await startStaffHarness('inbox', { pipeline: run });
  ({ type, handoffOf } = telegramBeneficiaries(api, run));
}, 90_000);

afterAll(async () => {
  await h.close();
  await telegram.runtime?.stop();
  await run.close();
  await api.close();
});

beforeEach(() => run.env.clock.set(NOON));

async function promote(id: string): Promise<void> {
  const record = await run.pipeline.followUps.scheduled.get(id);
  if (!record) throw new Error(`no record ${id}`);
  if (record.dueAt > run.env.clock.now()) run.env.clock.set(record.dueAt);
  const job = await run.pipeline.followUps.queue.queue.getJob(followUpJobId(record));
  if (!job) throw new Error(`record ${id} has no job`);
  await job.promote();
  await eventually(async () => {
    const now = await run.pipeline.followUps.scheduled.get(id);
    return now && (now.state !== 'scheduled' || now.version !== record.version) ? true : undefined;
  }, 15_000, `record ${id} to fire`);
}

it('lists a handoff opened mid-request, lets one agent claim it, replies once, seals notes, transfers, returns to the bot at the same step, and closes with a survey', async () => {
  const chat = 7101;
  await type(chat, 'ابي اقدم طلب', t('ar', 'request.ask.applicantName'));
  await type(chat, 'فاطمة أحمد الزهراني', t('ar', 'request.ask.nationalId'));
  await type(chat, 'موظف', t('ar', 'handoff.opened'));
  const id = await handoffOf(chat);

  const agent = await signedIn(h, ['agent']);
  const other = await signedIn(h, ['agent']);
  const supervisor = await signedIn(h, ['supervisor']);
  const as = (s: typeof agent) => ({ sessionId: s.sessionId, csrfToken: s.csrfToken });

  const list = (await h.call('GET', '/staff/api/handoffs', as(agent))).json();
  expect(list.handoffs.find((x: { id: string }) => x.id === id)).toMatchObject({ channel: 'telegram', language: 'ar', reason: 'requested', claimedBy: null, resumeStep: 'request.nationalId', request: null });

  expect((await h.call('POST', `/staff/api/handoffs/${id}/claim`, as(agent))).statusCode).toBe(204);
  const refused = await h.call('POST', `/staff/api/handoffs/${id}/claim`, as(other));
  expect([refused.statusCode, refused.json()]).toEqual([409, expect.objectContaining({ error: 'handoff-claimed', claimedBy: { id: agent.account.id, name: agent.account.name } })]);
  expect((await h.call('POST', `/staff/api/handoffs/${id}/reply`, { ...as(other), body: { text: 'hello' } })).json().error).toBe('handoff-not-yours');

  // The reply goes out through the person's own channel, once, even when the request is repeated.
  const text = 'مرحبا، معك سارة من الجمعية. كيف نقدر نساعدك؟';
  const sent = await h.call('POST', `/staff/api/handoffs/${id}/reply`, { ...as(agent), body: { text, clientId: 'reply-0001' } });
  expect([sent.statusCode, sent.json().duplicate]).toEqual([202, false]);
  await api.waitForCall('sendMessage', (c) => chatOf(c) === chat && String(c.params.text) === `${t('ar', 'handoff.staff_label')}\n${text}`);
  expect((await h.call('POST', `/staff/api/handoffs/${id}/reply`, { ...as(agent), body: { text, clientId: 'reply-0001' } })).json().duplicate).toBe(true);
  await type(chat, 'شكرا لكم', t('ar', 'handoff.ack'));
  expect(api.sentTexts(chat).filter((s) => s.endsWith(text)).length).toBe(1);

  // A note is readable to staff and sealed at rest.
  expect((await h.call('POST', `/staff/api/handoffs/${id}/notes`, { ...as(other), body: { text: 'تراجع الهوية 1012345678 لاحقا' } })).statusCode).toBe(201);
  const stored = await run.env.services.mongo.db?.collection('handoffs').findOne({ _id: id as never });
  expect(JSON.stringify(stored)).not.toContain('تراجع');
  const detail = (await h.call('GET', `/staff/api/handoffs/${id}`, as(agent))).json().handoff;
  // A number quoted in a note is masked for every reader, like the transcript (attack review, finding 7).
  expect(detail.notes[0]).toMatchObject({ text: 'تراجع الهوية ******5678 لاحقا', by: { id: other.account.id } });
  expect(detail.transcript.map((l: { from: string }) => l.from)).toEqual(expect.arrayContaining(['beneficiary', 'bot', 'staff']));
  expect(detail.transcript.find((l: { from: string }) => l.from === 'staff')).toMatchObject({ text: `${t('ar', 'handoff.staff_label')}\n${text}`, staff: { id: agent.account.id } });

  // Transfer to the supervisor, who hands the chat back to the bot: same step, same draft.
  expect((await h.call('POST', `/staff/api/handoffs/${id}/transfer`, { ...as(agent), body: { staffId: supervisor.account.id } })).statusCode).toBe(204);
  expect((await h.call('GET', `/staff/api/handoffs/${id}`, as(agent))).json().handoff.claimedBy.id).toBe(supervisor.account.id);
  // An hour after she last wrote (longer than DRAFT_RESUME_MINUTES): her next answer still answers the step.
  run.env.clock.set(new Date(NOON.getTime() + 60 * 60_000));
  const mark = api.calls().length;
  const back = await h.call('POST', `/staff/api/handoffs/${id}/return-to-bot`, as(supervisor));
  expect([back.statusCode, back.json()]).toEqual([200, { told: true }]);
  await api.waitForCall('sendMessage', (c) => c.seq > mark && chatOf(c) === chat && String(c.params.text) === t('ar', 'handoff.returned'));
  await api.waitForCall('sendMessage', (c) => c.seq > mark && chatOf(c) === chat && String(c.params.text).includes(t('ar', 'request.ask.nationalId')));
  run.env.clock.set(new Date(NOON.getTime() + 62 * 60_000));
  await type(chat, makeNationalId(7101), t('ar', 'request.ask.phone'));
  expect((await h.call('POST', `/staff/api/handoffs/${id}/close`, as(supervisor))).json().error).toBe('handoff-closed');

  // Another chat: closed by staff, the survey is scheduled.
  const second = 7102;
  await type(second, 'موظف', t('ar', 'handoff.opened'));
  const id2 = await handoffOf(second);
  expect((await h.call('POST', `/staff/api/handoffs/${id2}/claim`, as(agent))).statusCode).toBe(204);
  expect((await h.call('POST', `/staff/api/handoffs/${id2}/close`, as(agent))).json()).toEqual({ told: true });
  await api.waitForCall('sendMessage', (c) => chatOf(c) === second && String(c.params.text) === t('ar', 'handoff.closed_by_staff'));
  const survey = await run.pipeline.followUps.scheduled.get(followUpIds.survey(surveyIdOf({ type: 'handoff', id: id2 })));
  expect(survey?.state).toBe('scheduled');
  const actions = (await h.context.audit.query({ page: 1, pageSize: 50 })).entries.map((e) => e.action);
  expect(actions).toEqual(expect.arrayContaining(['handoff-claimed', 'handoff-replied', 'handoff-note', 'handoff-transferred', 'handoff-returned', 'handoff-closed']));
}, 90_000);

it('tells the person the wait is longer when nobody claims within HANDOFF_CLAIM_MINUTES, and puts a silent agent’s chat back in the queue with a supervisor task', async () => {
  const chat = 7103;
  await type(chat, 'موظف', t('ar', 'handoff.opened'));
  const id = await handoffOf(chat);
  const claimTimer = await run.pipeline.followUps.scheduled.get(followUpIds.handoffClaim(id));
  expect(claimTimer?.dueAt.toISOString()).toBe(new Date(NOON.getTime() + 15 * 60_000).toISOString());
  const mark = api.calls().length;
  await promote(followUpIds.handoffClaim(id));
  const due = claimTimer?.dueAt as Date;
  const expected = t('ar', 'handoff.wait_longer', { time: formatRiyadhTime(addWorkingMinutes(due, EXPECTED_ANSWER_WORKING_MINUTES), 'ar', due) });
  await api.waitForCall('sendMessage', (c) => c.seq > mark && chatOf(c) === chat && String(c.params.text) === expected);

  const agent = await signedIn(h, ['agent']);
  expect((await h.call('POST', `/staff/api/handoffs/${id}/claim`, { sessionId: agent.sessionId, csrfToken: agent.csrfToken })).statusCode).toBe(204);
  const silentId = followUpIds.handoffSilent(id, 1);
  expect((await run.pipeline.followUps.scheduled.get(silentId))?.state).toBe('scheduled');
  await promote(silentId);
  const after = (await h.call('GET', `/staff/api/handoffs/${id}`, { sessionId: agent.sessionId })).json().handoff;
  expect(after.claimedBy).toBeNull();
  expect(after.transfers.map((x: { action: string }) => x.action)).toEqual(['claim', 'timeout']);
  const tasks = await run.pipeline.followUps.tasks.listOpen();
  expect(tasks.find((task) => task.kind === 'handoff_silent' && task.detail.handoffId === id)).toBeDefined();
  // The supervisor's task list says who went silent.
  const supervisor = await signedIn(h, ['supervisor']);
  const listed = (await h.call('GET', '/staff/api/tasks', { sessionId: supervisor.sessionId })).json().tasks as Array<{ kind: string; handoffId: string | null; staffId: string | null }>;
  expect(listed.find((task) => task.kind === 'handoff_silent' && task.handoffId === id)?.staffId).toBe(agent.account.id);
}, 60_000);

it('relays inbox events published by another connection to every subscriber, and over the SSE route', async () => {
  const logger = createLogger('silent');
  const prefix = run.prefix;
  const one = new RedisHandoffEvents(run.env.services.redis, prefix, logger);
  const two = new RedisHandoffEvents(run.env.services.redis, prefix, logger);
  const seen: HandoffEvent[][] = [[], []];
  await one.subscribe((e) => seen[0]?.push(e));
  await two.subscribe((e) => seen[1]?.push(e));

  // A web process of its own, listening, with its own subscriber connection.
  const web: FastifyInstance = await buildApp({
    logger: false,
    plugins: [staffPlugin(h.context, { publicBaseUrl: undefined, reports: h.reports, cases: h.cases, handoffs: { ...h.handoffs, events: two, eventStreamMaxMs: 10_000 } })],
    ready: async () => ({ mongo: 'ok', redis: 'ok', channels: [] }),
  });
  await web.listen({ host: '127.0.0.1', port: 0 });
  const agent = await signedIn(h, ['agent']);
  const chunks: string[] = [];
  let stream: ReturnType<typeof httpRequest> | null = null;
  const ready = new Promise<void>((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: (web.server.address() as AddressInfo).port, path: '/staff/api/handoffs/events', headers: { cookie: `${STAFF_COOKIE}=${agent.sessionId}` } }, (res) => {
      expect(res.headers['content-type']).toContain('text/event-stream');
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        chunks.push(chunk);
        if (chunk.includes(': ready')) resolve();
      });
    });
    req.on('error', reject);
    req.end();
    stream = req;
  });
  await ready;

  const event: HandoffEvent = { type: 'handoff.claimed', handoffId: 'b7f0c1a2-0000-4000-8000-000000000001', at: NOON.toISOString() };
  await run.pipeline.handoffEvents.publish(event);
  await eventually(() => (seen[0]?.length && seen[1]?.length ? true : undefined), 5_000, 'both subscribers');
  expect(seen).toEqual([[event], [event]]);
  await eventually(() => (chunks.join('').includes(`event: handoff.claimed\ndata: ${JSON.stringify(event)}`) ? true : undefined), 5_000, 'the SSE event');

  // Without a session the stream is refused like every other route.
  expect((await h.call('GET', '/staff/api/handoffs/events')).statusCode).toBe(401);
  (stream as ReturnType<typeof httpRequest> | null)?.destroy();
  await web.close();
  await one.close();
  await two.close();
}, 60_000);

it('lets inbox roles read canned replies per language and only admins write them', async () => {
  const admin = await signedIn(h, ['admin']);
  const agent = await signedIn(h, ['agent']);
  const committee = await signedIn(h, ['committee']);
  const researcher = await signedIn(h, ['researcher']);
  const s = (x: typeof admin) => ({ sessionId: x.sessionId, csrfToken: x.csrfToken });
  const body = { language: 'ar', title: 'ترحيب', text: 'أهلا بك، معك موظف الجمعية.' };
  expect((await h.call('POST', '/staff/api/canned-replies', { ...s(agent), body })).statusCode).toBe(403);
  const created = await h.call('POST', '/staff/api/canned-replies', { ...s(admin), body });
  expect(created.statusCode).toBe(201);
  const cannedId = created.json().cannedReply.id as string;
  await h.call('POST', '/staff/api/canned-replies', { ...s(admin), body: { language: 'en', title: 'Welcome', text: 'Hello, a staff member is with you.' } });
  const arabic = (await h.call('GET', '/staff/api/canned-replies?language=ar', s(agent))).json().cannedReplies;
  expect(arabic).toEqual([expect.objectContaining({ id: cannedId, title: 'ترحيب' })]);
  expect((await h.call('GET', '/staff/api/canned-replies', s(committee))).statusCode).toBe(403);
  // Social researchers take over chats too (the policy sends unclear cases to them).
  expect((await h.call('GET', '/staff/api/canned-replies?language=ar', s(researcher))).statusCode).toBe(200);
  expect((await h.call('PUT', `/staff/api/canned-replies/${cannedId}`, { ...s(agent), body })).statusCode).toBe(403);
  expect((await h.call('PUT', `/staff/api/canned-replies/${cannedId}`, { ...s(admin), body: { ...body, text: 'أهلا وسهلا' } })).json().cannedReply.text).toBe('أهلا وسهلا');
  expect((await h.call('DELETE', `/staff/api/canned-replies/${cannedId}`, s(admin))).statusCode).toBe(204);
  expect((await h.call('DELETE', `/staff/api/canned-replies/${cannedId}`, s(admin))).statusCode).toBe(404);
});
