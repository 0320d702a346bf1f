import type { ChannelModule } from '../../src/channels/module';
import { followUpJobId, followUpIds, type FollowUpRecord } from '../../src/domain/followup';
import { parseQuietHours } from '../../src/domain/quiet-hours';
import { FakeTelegramApi, makeTelegramUpdate, type FakeMessage, type RecordedCall, type TelegramUpdate } from '../support/fake-telegram-api';
import { makeNationalId } from '../support/fixtures';
import { t } from '../support/engine-setup';
import { eventually, startTestPipeline } from '../support/pipeline';
import { chatOf, telegramBeneficiaries, type TelegramBeneficiaries } from '../support/inbox-chat';
import { TEST_BOT_TOKEN, testTelegramModule } from '../support/telegram';

/**
 * Follow-ups end to end on the real Redis (BullMQ delayed jobs) and FerretDB, delivered through
 * the Telegram channel to the fake Bot API. The engine's manual clock drives due times: a test
 * checks a job's due time and state, moves the clock, then promotes the job instead of waiting.
 */

type Run = Awaited<ReturnType<typeof startTestPipeline>>;
const HOUR = 3_600_000;
/** 12:00 Riyadh: outside quiet hours. */
const NOON = new Date('2026-11-22T09:00:00Z');

const buttonsOf = (call: RecordedCall): string[] =>
  ((call.params.reply_markup as FakeMessage['reply_markup'])?.inline_keyboard ?? []).flat().map((b) => b.callback_data ?? '');

describe('follow-ups and satisfaction surveys', () => {
  let api: FakeTelegramApi;
  let run: Run;
  let telegram: ChannelModule;
  let people: TelegramBeneficiaries;

  beforeAll(async () => {
    api = await FakeTelegramApi.start(TEST_BOT_TOKEN);
    run = await startTestPipeline(
      'fu',
      (deps) => {
        telegram = testTelegramModule(api, deps.sink, deps.env);
        return [telegram];
      },
      { followUps: { quietHours: parseQuietHours('22:00-08:00'), reminderHours: [24, 72], surveyDelayMinutes: 0, promiseDays: 14, surveyReminderHours: 24 } },
    );
    await telegram.runtime?.start();
    people = telegramBeneficiaries(api, run);
  }, 60_000);

  afterAll(async () => {
    await telegram.runtime?.stop();
    await run.close();
    await api.close();
  });

  beforeEach(() => run.env.clock.set(NOON));

  const followUps = () => run.pipeline.followUps;
  const jobOf = (record: FollowUpRecord) => followUps().queue.queue.getJob(followUpJobId(record));

  const say = (update: TelegramUpdate, chat: number, expected: string): Promise<RecordedCall> => people.say(update, chat, expected);
  const type = (chat: number, text: string, expected: string): Promise<RecordedCall> => people.type(chat, text, expected);
  const press = (chat: number, question: RecordedCall, value: string, expected: string) => say(makeTelegramUpdate.callback(chat, value, question.result as FakeMessage), chat, expected);

  async function record(id: string): Promise<FollowUpRecord> {
    const found = await followUps().scheduled.get(id);
    if (!found) throw new Error(`no scheduled record ${id}`);
    return found;
  }

  /** Moves the clock to the record's due time and runs its job now (as BullMQ would when the delay ends). */
  async function promote(id: string): Promise<void> {
    const r = await record(id);
    if (r.dueAt > run.env.clock.now()) run.env.clock.set(r.dueAt);
    const job = await jobOf(r);
    if (!job) throw new Error(`record ${id} v${r.version} has no job`);
    await job.promote();
    await eventually(async () => ((await record(id)).version !== r.version || (await record(id)).state !== 'scheduled' ? true : undefined), 15_000, `record ${id} to move on`);
  }

  async function draftIdOf(chat: number): Promise<string> {
    const convId = run.pipeline.records.idOf({ channel: 'telegram', account: TEST_BOT_TOKEN.split(':')[0] as string, sender: String(chat) });
    const doc = await run.pipeline.records.load(convId);
    const id = doc ? run.pipeline.records.stateOf(doc).state.draft?.id : undefined;
    if (!id) throw new Error('no draft');
    return id;
  }

  /** Files a whole request as a person would, typing and tapping; returns its reference. */
  async function fileRequest(chat: number, seed: number): Promise<string> {
    await type(chat, 'السلام عليكم، أبغى أقدم طلب دعم', t('ar', 'request.ask.applicantName'));
    await type(chat, 'فاطمة أحمد الزهراني', t('ar', 'request.ask.nationalId'));
    await type(chat, makeNationalId(seed), t('ar', 'request.ask.phone'));
    const relation = await say(makeTelegramUpdate.contact(chat, '966501234567'), chat, t('ar', 'request.ask.relation'));
    await press(chat, relation, 'relation:spouse', t('ar', 'request.ask.inmateName'));
    const facility = await type(chat, 'محمد علي الزهراني', t('ar', 'request.ask.facility'));
    const support = await press(chat, facility, 'facility:dammam_general', t('ar', 'request.ask.supportType'));
    await press(chat, support, 'support:financial', t('ar', 'request.ask.description'));
    const mark = api.calls().length;
    api.injectUpdate(makeTelegramUpdate.text(chat, 'نحتاج مساعدة في إيجار البيت ومصاريف المدارس للأطفال'));
    const summary = await api.waitForCall('sendMessage', (c) => c.seq > mark && chatOf(c) === chat && buttonsOf(c).includes('summary:confirm'));
    const attest = await press(chat, summary, 'summary:confirm', t('ar', 'request.attest_text'));
    const done = await press(chat, attest, 'attest:confirm', 'BSR-');
    return /BSR-\d{4}-\d{5}/.exec(String(done.params.text))?.[0] as string;
  }

  it('reminds about an unfinished request after 24 h of silence, once, debounced by new messages, and resumes at the same step', async () => {
    const chat = 4101;
    await type(chat, 'ابي اقدم طلب', t('ar', 'request.ask.applicantName'));
    const draftId = await draftIdOf(chat);
    const first = await record(followUpIds.reminder(draftId, 1));
    expect(first.state).toBe('scheduled');
    expect(first.dueAt.toISOString()).toBe(new Date(NOON.getTime() + 24 * HOUR).toISOString());
    expect((await record(followUpIds.reminder(draftId, 2))).dueAt.toISOString()).toBe(new Date(NOON.getTime() + 72 * HOUR).toISOString());
    const job = await jobOf(first);
    expect(job?.opts.delay).toBe(24 * HOUR);
    // Scheduling the same thing again changes nothing: one record, one job.
    await followUps().planner.draftStarted({ conversationId: first.conversationId, channel: 'telegram' }, draftId);
    expect((await followUps().scheduled.ofCase(draftId)).length).toBe(2);
    expect((await record(first._id)).version).toBe(1);

    // Two hours later she answers the question: the reminder moves to 24 h after that message.
    run.env.clock.set(new Date(NOON.getTime() + 2 * HOUR));
    await type(chat, 'كمل', t('ar', 'request.ask.applicantName'));
    await type(chat, 'فاطمة أحمد الزهراني', t('ar', 'request.ask.nationalId'));
    const sentBefore = api.sentTexts(chat).length;
    await promote(first._id);
    const moved = await record(first._id);
    expect(moved).toMatchObject({ state: 'scheduled', version: 2, reason: 'wrote_since' });
    expect(moved.dueAt.toISOString()).toBe(new Date(NOON.getTime() + 26 * HOUR).toISOString());
    expect(api.sentTexts(chat).length).toBe(sentBefore);

    // Silent for 24 h: the reminder goes out once, with continue and cancel.
    const mark = api.calls().length;
    await promote(first._id);
    const reminder = await api.waitForCall('sendMessage', (c) => c.seq > mark && chatOf(c) === chat && String(c.params.text) === t('ar', 'followups.reminder'));
    expect(buttonsOf(reminder)).toEqual(['resume:continue', 'resume:cancel']);
    expect((await record(first._id)).state).toBe('sent');
    // The job runs again (BullMQ is at-least-once), twice at once: nothing more is sent.
    await Promise.all([followUps().fire(first._id, 2), followUps().fire(first._id, 2)]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(api.sentTexts(chat).filter((text) => text === t('ar', 'followups.reminder')).length).toBe(1);

    // Answering in words resumes the draft at the step where she stopped.
    await type(chat, 'نعم أكمل', t('ar', 'request.ask.nationalId'));
  }, 120_000);

  it('cancels the reminders when the person cancels the request', async () => {
    const chat = 4102;
    await type(chat, 'أريد تقديم طلب مساعدة', t('ar', 'request.ask.applicantName'));
    const draftId = await draftIdOf(chat);
    await type(chat, 'إلغاء', t('ar', 'request.cancelled'));
    await eventually(async () => ((await followUps().scheduled.ofCase(draftId)).every((r) => r.state === 'cancelled') ? true : undefined), 10_000, 'reminders cancelled');
    const records = await followUps().scheduled.ofCase(draftId);
    expect(records.map((r) => r.reason)).toEqual(['cancelled', 'cancelled']);
    for (const r of records) expect(await jobOf(r)).toBeUndefined();
  }, 60_000);

  it('a reminder answered with «إلغاء» cancels the draft; one due at night waits for the morning', async () => {
    const chat = 4103;
    await type(chat, 'ابغى اسجل طلب', t('ar', 'request.ask.applicantName'));
    const draftId = await draftIdOf(chat);
    const id = followUpIds.reminder(draftId, 1);
    // Due at 12:00 next day; the clock says 23:30 Riyadh a day and a half later: quiet hours.
    run.env.clock.set(new Date('2026-11-23T20:30:00Z'));
    const r = await record(id);
    await (await jobOf(r))?.promote();
    await eventually(async () => ((await record(id)).version === 2 ? true : undefined), 15_000, 'postponed');
    const postponed = await record(id);
    expect(postponed.reason).toBe('quiet_hours');
    expect(postponed.dueAt.toISOString()).toBe('2026-11-24T05:00:00.000Z'); // 08:00 Riyadh
    const mark = api.calls().length;
    await promote(id);
    await api.waitForCall('sendMessage', (c) => c.seq > mark && chatOf(c) === chat && String(c.params.text) === t('ar', 'followups.reminder'));
    // Said in a sentence, the reminder's "cancel" option still cancels.
    await type(chat, 'لا ابي ألغي', t('ar', 'request.cancelled'));
    await eventually(async () => ((await record(followUpIds.reminder(draftId, 2))).state === 'cancelled' ? true : undefined), 10_000, 'second reminder cancelled');
  }, 60_000);

  it('tells the beneficiary of each status change, keeps the two-week promise, and surveys after a closed request', async () => {
    const chat = 4104;
    const reference = await fileRequest(chat, 4104);
    const planner = followUps().planner;

    let mark = api.calls().length;
    expect(await planner.changeRequestStatus(reference, 'committee', null, 'test')).toBe('changed');
    expect(await planner.changeRequestStatus(reference, 'committee', null, 'test')).toBe('unchanged');
    const news = await api.waitForCall('sendMessage', (c) => c.seq > mark && chatOf(c) === chat && String(c.params.text).includes(t('ar', 'followups.status_header', { reference })));
    expect(String(news.params.text)).toContain(t('ar', 'status.explain.committee'));
    expect(String(news.params.text)).toContain(t('ar', 'followups.next.committee'));
    const promise = (await followUps().scheduled.ofCase(reference)).find((r) => r.kind === 'promise') as FollowUpRecord;
    expect(promise.dueAt.toISOString()).toBe(new Date(NOON.getTime() + 14 * 24 * HOUR).toISOString());

    // Fourteen days later, undecided: "still being studied", and a task for staff.
    mark = api.calls().length;
    await promote(promise._id);
    await api.waitForCall('sendMessage', (c) => c.seq > mark && chatOf(c) === chat && String(c.params.text) === t('ar', 'followups.promise', { reference }));
    expect((await followUps().tasks.listOpen()).map((task) => task._id)).toContain(`promise_overdue-${reference}`);

    // Rejected with a reason: told with the reason; the survey follows (SURVEY_DELAY_MINUTES=0).
    mark = api.calls().length;
    await planner.changeRequestStatus(reference, 'rejected', 'الدخل أعلى من الحد المعتمد', 'test');
    const rejected = await api.waitForCall('sendMessage', (c) => c.seq > mark && chatOf(c) === chat && String(c.params.text).includes(t('ar', 'status.explain.rejected')));
    expect(String(rejected.params.text)).toContain('الدخل أعلى من الحد المعتمد');
    const survey = await api.waitForCall('sendMessage', (c) => c.seq > mark && chatOf(c) === chat && String(c.params.text) === t('ar', 'followups.survey.invite_request', { reference }));
    expect(buttonsOf(survey)).toEqual(['rate:1', 'rate:2', 'rate:3', 'rate:4', 'rate:5']);

    // A question first (handled normally), then the rating as a button, then a comment.
    await type(chat, 'وش المستندات المطلوبة؟', '');
    const low = await press(chat, survey, 'rate:2', t('ar', 'followups.survey.thanks_low'));
    expect(buttonsOf(low)).toEqual(['survey:talk', 'survey:skip']);
    await type(chat, 'ما أحد رد على اتصالاتي', t('ar', 'followups.survey.comment_thanks'));
    const stored = await followUps().surveys.get(`request-${reference}`);
    expect(stored).toMatchObject({ rating: 2, channel: 'telegram', language: 'ar', supportType: 'financial' });
    expect(stored && followUps().surveys.commentOf(stored)).toBe('ما أحد رد على اتصالاتي');
    expect(JSON.stringify(stored?.commentSealed)).not.toContain('اتصالاتي');
    expect((await followUps().tasks.listOpen()).map((task) => task._id)).toContain(`low_satisfaction-request-${reference}`);
    // The survey's reminder is no longer due once answered.
    await promote(followUpIds.surveyReminder(`request-${reference}`));
    expect((await record(followUpIds.surveyReminder(`request-${reference}`))).reason).toBe('answered');
  }, 180_000);

  it('surveys after staff close a handoff; a rating in words is taken and "skip" ends it', async () => {
    const chat = 4105;
    await type(chat, 'أريد التحدث مع شخص', '');
    const open = await eventually(async () => (await followUps().handoffs.followUpFacts((await run.env.core.handoffs.listOpen()).find((h) => h.channel === 'telegram')?.id ?? '')) ?? undefined, 10_000, 'handoff');
    await run.env.core.handoffs.close(open.id, 'test', run.env.clock.now());
    const mark = api.calls().length;
    await followUps().planner.handoffClosed(open);
    await api.waitForCall('sendMessage', (c) => c.seq > mark && chatOf(c) === chat && String(c.params.text) === t('ar', 'followups.survey.invite_handoff', { reference: '' }));
    await type(chat, 'ممتاز والله', t('ar', 'followups.survey.thanks'));
    await type(chat, 'تخطي', t('ar', 'followups.survey.done'));
    expect((await followUps().surveys.get(`handoff-${open.id}`))?.rating).toBe(5);
    // At most one survey per handoff.
    await followUps().planner.handoffClosed(open);
    expect((await followUps().scheduled.ofCase(`handoff-${open.id}`)).filter((r) => r.kind === 'survey').length).toBe(1);
  }, 60_000);

  it('never sends the second reminder before the first (both could be due at 08:00 after quiet hours)', async () => {
    const chat = 4107;
    await type(chat, 'ابي اقدم طلب', t('ar', 'request.ask.applicantName'));
    const draftId = await draftIdOf(chat);
    const second = followUpIds.reminder(draftId, 2);
    await promote(second);
    expect(await record(second)).toMatchObject({ state: 'scheduled', reason: 'after_previous', version: 2 });
    expect(api.sentTexts(chat).filter((text) => text === t('ar', 'followups.reminder')).length).toBe(0);
  }, 60_000);

  it('opens the two-week task when it comes due even while the person talks with staff, and tells them later', async () => {
    const chat = 4108;
    const reference = await fileRequest(chat, 4108);
    await followUps().planner.changeRequestStatus(reference, 'committee', null, 'test');
    const promise = (await followUps().scheduled.ofCase(reference)).find((r) => r.kind === 'promise') as FollowUpRecord;
    run.env.clock.set(new Date(NOON.getTime() + 13 * 24 * HOUR));
    await type(chat, 'أبغى أكلم موظف', '');
    await promote(promise._id);
    expect((await followUps().tasks.listOpen()).map((task) => task._id)).toContain(`promise_overdue-${reference}`);
    expect(await record(promise._id)).toMatchObject({ state: 'scheduled', reason: 'with_staff' });
  }, 120_000);

  it('puts the sweep scheduler back after Redis lost it', async () => {
    await followUps().queue.queue.removeJobScheduler('followup-sweep');
    expect(await followUps().queue.hasSweep()).toBe(false);
    await followUps().ensureSchedulers();
    expect(await followUps().queue.hasSweep()).toBe(true);
  });

  it('re-arms from MongoDB what Redis lost, and sends it once', async () => {
    const chat = 4106;
    await type(chat, 'ابي اقدم طلب', t('ar', 'request.ask.applicantName'));
    const draftId = await draftIdOf(chat);
    const id = followUpIds.reminder(draftId, 1);
    const before = await record(id);
    // Redis loses everything of the follow-up queue (a restart without persistence, a flush):
    // every delayed job and the sweep's own scheduler.
    const redis = run.env.services.redis;
    const lost = await redis.keys(`${run.prefix}:basirah-followups:*`);
    expect(lost.length).toBeGreaterThan(0);
    await redis.del(...lost);
    expect(await jobOf(before)).toBeUndefined();
    expect(await followUps().queue.hasSweep()).toBe(false);
    // A worker process puts the sweep's scheduler back; the sweep re-arms from MongoDB what is due soon.
    await followUps().ensureSchedulers();
    expect(await followUps().queue.hasSweep()).toBe(true);
    run.env.clock.set(new Date(before.dueAt.getTime() - 5 * 60_000));
    expect(await followUps().planner.sweep()).toBeGreaterThanOrEqual(1);
    const rearmed = await jobOf(before);
    expect(rearmed?.id).toBe(followUpJobId(before));
    // A second sweep finds the alarm set and adds nothing. It runs once the queue is idle: the first
    // sweep also re-armed other tests' records already due, whose jobs run at once, and a job that
    // postpones its record writes the new version a moment before arming it (a CI run caught that
    // moment: one record counted).
    await eventually(async () => {
      const counts = await followUps().queue.queue.getJobCounts('active', 'wait', 'prioritized');
      return (counts.active ?? 0) + (counts.wait ?? 0) + (counts.prioritized ?? 0) === 0 ? true : undefined;
    }, 15_000, 'the follow-up queue to be idle');
    expect(await jobOf(before)).toBeDefined();
    expect(await followUps().planner.sweep()).toBe(0);
    const mark = api.calls().length;
    await promote(id);
    await api.waitForCall('sendMessage', (c) => c.seq > mark && chatOf(c) === chat && String(c.params.text) === t('ar', 'followups.reminder'));
    expect(api.sentTexts(chat).filter((text) => text === t('ar', 'followups.reminder')).length).toBe(1);
  }, 60_000);
});
