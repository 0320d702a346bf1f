import { ChatHarness } from '../support/chat-harness';
import { makeNationalId } from '../support/fixtures';
import { startTestEngine, t, type TestEngine } from '../support/engine-setup';

let env: TestEngine;
let reference: string;
const nationalId = makeNationalId(8101);

beforeAll(async () => {
  env = await startTestEngine('status');
  const applicant = new ChatHarness(env.core.engine, 'applicant');
  await applicant.send('ابي اقدم طلب دعم');
  await applicant.send('هند سالم المطيري');
  await applicant.send(nationalId);
  await applicant.send('0551234567');
  await applicant.send(applicant.numberOf('relation:parent'));
  await applicant.send('عبدالله سالم المطيري');
  await applicant.send(applicant.numberOf('facility:dammam_reform'));
  await applicant.send(applicant.numberOf('support:family_social'));
  await applicant.send('الأسرة تحتاج دعما اجتماعيا ونفسيا للأبناء');
  await applicant.send(applicant.numberOf('summary:confirm'));
  await applicant.send(applicant.numberOf('attest:confirm'));
  reference = /BSR-\d{4}-\d{5}/.exec(applicant.text)?.[0] as string;
});
afterAll(async () => env.teardown());

describe('request status', () => {
  it('shows the applicant their own requests directly', async () => {
    const applicant = new ChatHarness(env.core.engine, 'applicant');
    await applicant.send('وين وصل طلبي');
    expect(applicant.last?.intent).toBe('request_status');
    expect(applicant.text).toContain(reference);
    expect(applicant.text).toContain(t('ar', 'status.name.submitted'));
  });

  it('gives a family member the status in plain words after the reference and the last four digits', async () => {
    await env.core.requests.setStatus(reference, 'rejected', 'الدخل أعلى من الحد', 'test', env.clock.now());
    const son = new ChatHarness(env.core.engine, 'son');
    await son.send('ابي اعرف حالة الطلب');
    expect(son.text).toContain(t('ar', 'status.ask_reference'));
    await son.send(reference.toLowerCase().replace(/-/g, ' '));
    expect(son.text).toContain(t('ar', 'status.ask_last_four'));
    await son.send(nationalId.slice(-4).replace(/\d/g, (d) => '٠١٢٣٤٥٦٧٨٩'[Number(d)] as string));
    expect(son.text).toContain(t('ar', 'status.name.rejected'));
    expect(son.text).toContain(t('ar', 'status.note.rejected', { note: 'الدخل أعلى من الحد' }));
  });

  it('reveals nothing on a wrong answer — an unknown reference reads the same — and locks after three', async () => {
    const stranger = new ChatHarness(env.core.engine, 'stranger');
    const wrong = nationalId.slice(-4) === '0000' ? '1111' : '0000';
    await stranger.send('حالة طلب');
    await stranger.send('BSR-2026-99999');
    await stranger.send(wrong);
    const unknownReply = stranger.text;
    await stranger.send(reference);
    await stranger.send(wrong);
    const wrongDigitsReply = stranger.text;
    expect(unknownReply).toBe(t('ar', 'status.mismatch', { left: 2 }));
    expect(wrongDigitsReply).toBe(t('ar', 'status.mismatch', { left: 2 }));
    // After a wrong answer the bot asks for the last four again (no need to retype the reference).
    await stranger.send(wrong);
    expect(stranger.text).toBe(t('ar', 'status.mismatch', { left: 1 }));
    await stranger.send(wrong);
    expect(stranger.text).toContain(t('ar', 'status.locked'));
    // The lock-out states the real time left: the first cool-down of a sender is 15 minutes.
    expect(stranger.text).toContain(t('ar', 'status.locked_wait', { minutes: 15 }));
    // Even the right answer is refused while locked.
    await stranger.send('حالة طلب');
    await stranger.send(reference);
    await stranger.send(nationalId.slice(-4));
    expect(stranger.text).toContain(t('ar', 'status.locked'));
    expect(stranger.text).not.toContain(t('ar', 'status.name.rejected'));
  });
});

describe('status look-up against guessing from many sessions', () => {
  it('locks a reference for everyone after 10 wrong answers spread over fresh senders; the applicant still sees it', async () => {
    const wrong = nationalId.slice(-4) === '0000' ? '1111' : '0000';
    for (let i = 0; i < 10; i += 1) {
      const guesser = new ChatHarness(env.core.engine, `fresh-session-${i}`);
      await guesser.send('حالة طلب');
      await guesser.send(reference);
      await guesser.send(wrong);
    }
    const lucky = new ChatHarness(env.core.engine, 'fresh-session-right');
    await lucky.send('حالة طلب');
    await lucky.send(reference);
    await lucky.send(nationalId.slice(-4));
    expect(lucky.text).toContain(t('ar', 'status.locked'));
    const applicant = new ChatHarness(env.core.engine, 'applicant');
    await applicant.send('وين وصل طلبي');
    expect(applicant.text).toContain(reference);
  });
});

describe('handoff to staff', () => {
  it('opens a handoff, runs no flows while open, reminds at most every few minutes, resumes when staff close', async () => {
    const chat = new ChatHarness(env.core.engine, 'confused');
    env.clock.set(new Date('2026-11-22T20:00:00Z')); // Sunday 23:00 in Riyadh: outside working hours
    await chat.send('ابي اكلم موظف');
    expect(chat.last?.intent).toBe('human');
    expect(chat.text).toContain(t('ar', 'handoff.opened'));
    expect(chat.text).toContain(t('ar', 'handoff.off_hours'));
    const [open] = await env.core.handoffs.listOpen();
    expect(open?.reason).toBe('requested');

    await chat.send('ابي اقدم طلب دعم');
    // Reminded a moment ago: a short acknowledgement (never silence); the message is kept for staff.
    expect(chat.text).toBe(t('ar', 'handoff.ack'));
    env.clock.advance(6 * 60_000);
    await chat.send('هل من أحد؟');
    expect(chat.text).toBe(t('ar', 'handoff.waiting'));
    const stored = await env.core.models.Handoff.findById(open?.id).lean();
    expect(stored?.messages).toHaveLength(3);
    expect(JSON.stringify(stored)).not.toContain('هل من أحد');

    expect(await env.core.handoffs.close(open?.id as string, 'staff', env.clock.now())).toBe(true);
    await chat.send('ابي اقدم طلب دعم');
    expect(chat.last?.intent).toBe('request_new');
  });

  it('keeps a voice note sent during the handoff for staff, by its sealed platform reference', async () => {
    const chat = new ChatHarness(env.core.engine, 'voice-sender');
    await chat.send('ابي اكلم موظف');
    const open = (await env.core.handoffs.listOpen()).at(-1);
    await chat.send('', { attachment: 'voice', attachmentRef: 'tg-file-123' });
    const stored = await env.core.models.Handoff.findById(open?.id).lean();
    const last = stored?.messages.at(-1);
    expect(last?.attachment).toBe('voice');
    expect(env.services.cipher.open(last?.attachmentRefSealed as NonNullable<typeof last>['textSealed'])).toBe('tg-file-123');
    expect(JSON.stringify(stored)).not.toContain('tg-file-123');
  });

  it('lets the beneficiary leave the handoff with "إلغاء"', async () => {
    const chat = new ChatHarness(env.core.engine, 'leaver');
    env.clock.set(new Date('2026-11-22T07:00:00Z')); // Sunday 10:00 in Riyadh: working hours
    await chat.send('الإجراءات غير واضحة ابي احد يشرح لي');
    expect(chat.last?.intent).toBe('human');
    expect(chat.text).not.toContain(t('ar', 'handoff.off_hours'));
    await chat.send('إلغاء');
    expect(chat.text).toContain(t('ar', 'handoff.cancelled'));
  });

  it('lets /start or /menu leave the handoff too, so nobody is stuck in it', async () => {
    const chat = new ChatHarness(env.core.engine, 'stuck');
    await chat.send('ابي اكلم موظف');
    await chat.send('', { command: 'menu' });
    expect(chat.text).toContain(t('ar', 'handoff.cancelled'));
    await chat.send('ابي اقدم طلب دعم');
    expect(chat.last?.intent).toBe('request_new');
  });

  it('offers staff after two misunderstandings in a row', async () => {
    const chat = new ChatHarness(env.core.engine, 'lost');
    await chat.send('كم سعر الذهب اليوم');
    expect(chat.last?.intent).toBe('unknown');
    expect(chat.values).not.toContain('handoff:misunderstood');
    await chat.send('من فاز بالمباراة امس');
    // The offer keeps the main menu's numbers: "talk to staff" stays where it always is.
    const menu = new ChatHarness(env.core.engine, 'menu-reader');
    await menu.send('القائمة');
    expect(chat.values).toEqual(menu.values.map((v) => (v === 'intent:human' ? 'handoff:misunderstood' : v)));
    await chat.send(chat.numberOf('handoff:misunderstood'));
    expect(chat.last?.intent).toBe('human');
    const handoffs = await env.core.handoffs.listOpen();
    expect(handoffs.some((h) => h.reason === 'misunderstood')).toBe(true);
  });
});
