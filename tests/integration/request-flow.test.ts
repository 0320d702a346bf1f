import { backfillApplicantDigests, createModels } from '../../src/persistence/models';
import { MongoRequestRepository } from '../../src/persistence/request.repository';
import { connectTestServices } from '../support/services';
import { ChatHarness } from '../support/chat-harness';
import { makeNationalId } from '../support/fixtures';
import { startTestEngine, t, type TestEngine } from '../support/engine-setup';

let env: TestEngine;
beforeAll(async () => {
  env = await startTestEngine('request');
});
afterAll(async () => env.teardown());

/** Walks a fresh beneficiary to the summary with valid answers. */
async function fillToSummary(chat: ChatHarness, nationalId: string): Promise<void> {
  await chat.send('ابي اقدم طلب دعم');
  expect(chat.last?.intent).toBe('request_new');
  expect(chat.text).toContain(t('ar', 'request.ask.applicantName'));
  await chat.send('فاطمة أحمد الزهراني');
  expect(chat.last?.intent).toBeNull();
  expect(chat.text).toContain(t('ar', 'request.ask.nationalId'));
  await chat.send(nationalId);
  expect(chat.text).toContain(t('ar', 'request.ask.phone'));
  await chat.send('٠٥٠ ١٢٣ ٤٥٦٧');
  expect(chat.values).toContain('relation:spouse');
  await chat.send(chat.numberOf('relation:spouse'));
  expect(chat.text).toContain(t('ar', 'request.ask.inmateName'));
  await chat.send('محمد علي الزهراني');
  await chat.send(chat.numberOf('facility:dammam_general'));
  await chat.send(chat.numberOf('support:financial'));
  await chat.send('نحتاج مساعدة في إيجار البيت ومصاريف المدارس للأطفال');
  expect(chat.values).toContain('summary:confirm');
}

describe('support request, step by step (real MongoDB-compatible server and Redis)', () => {
  it('collects, summarises, attests and stores a request with a BSR reference', async () => {
    const chat = new ChatHarness(env.core.engine, 'mother-1');
    const nationalId = makeNationalId(1001);
    await fillToSummary(chat, nationalId);
    expect(chat.text).toContain('******' + nationalId.slice(-4));
    expect(chat.text).not.toContain(nationalId);
    await chat.send(chat.numberOf('summary:confirm'));
    expect(chat.text).toContain(t('ar', 'request.attest_text'));
    await chat.send(chat.numberOf('attest:confirm'));
    const reference = /BSR-2026-\d{5}/.exec(chat.text)?.[0];
    expect(reference).toBeDefined();
    expect(chat.text).toContain(t('ar', 'request.submitted', { reference: reference as string }));

    const doc = await env.core.models.SupportRequest.findOne({ reference }).lean();
    expect(doc?.status).toBe('submitted');
    expect(doc?.attestation.wordingVersion).toMatch(/^attest-/);
    expect(doc?.attestation.dataHash).toMatch(/^[0-9a-f]{64}$/);
    expect(doc?.attestation.channel).toBe('console');
    // Personal data is sealed: the raw document holds neither the ID nor the phone in clear.
    const raw = JSON.stringify(await env.services.mongo.collection('support_requests').findOne({ reference }));
    expect(raw).not.toContain(nationalId);
    expect(raw).not.toContain('501234567');
    expect(raw).not.toContain('فاطمة');
    expect(env.services.cipher.open(doc!.nationalIdSealed)).toBe(nationalId);
    expect(env.services.cipher.open(doc!.phoneSealed)).toBe('+966501234567');
  });

  it.each([
    ['letters', 'abc', 'request.errors.national_id_format'],
    ['9 digits', '123456789', 'request.errors.national_id_length'],
    ['prefix 3', '3123456789', 'request.errors.national_id_prefix'],
    ['bad check digit', '1000000001', 'request.errors.national_id_checksum'],
  ])('re-asks the national ID on %s with a clear reason', async (_label, input, errorKey) => {
    const chat = new ChatHarness(env.core.engine, `id-error-${_label}`);
    await chat.send('ابي اقدم طلب دعم');
    await chat.send('خالد سعيد العتيبي');
    await chat.send(input);
    expect(chat.text).toContain(t('ar', errorKey));
    expect(chat.text).toContain(t('ar', 'request.ask.nationalId'));
    await chat.send(makeNationalId(2000 + input.length));
    expect(chat.text).toContain(t('ar', 'request.ask.phone'));
  });

  it('re-asks name, phone, options and description on bad answers', async () => {
    const chat = new ChatHarness(env.core.engine, 'errors-1');
    await chat.send('ابي اقدم طلب دعم');
    await chat.send('خالد');
    expect(chat.text).toContain(t('ar', 'request.errors.name'));
    await chat.send('خالد سعيد');
    await chat.send(makeNationalId(3001));
    await chat.send('12345');
    expect(chat.text).toContain(t('ar', 'request.errors.phone_format'));
    await chat.send('0138119944');
    expect(chat.text).toContain(t('ar', 'request.errors.phone_not_saudi_mobile'));
    await chat.send('+966 55 000 1111');
    await chat.send('9');
    expect(chat.text).toContain(t('ar', 'request.errors.pick_option'));
    await chat.send(chat.numberOf('relation:self'));
    // relation "self" skips the inmate's name and goes straight to the facility
    expect(chat.values).toContain('facility:other');
    await chat.send(chat.numberOf('facility:other'));
    await chat.send('سجن الخبر');
    await chat.send(chat.numberOf('support:legal_guidance'));
    await chat.send('قصير');
    expect(chat.text).toContain(t('ar', 'request.errors.description'));
    await chat.send('أحتاج استشارة قانونية بخصوص قضيتي بعد الخروج');
    expect(chat.values).toContain('summary:confirm');
    expect(chat.values).not.toContain('edit:inmateName');
  });

  it('edits a field from the summary and comes back to the summary', async () => {
    const chat = new ChatHarness(env.core.engine, 'edit-1');
    await fillToSummary(chat, makeNationalId(4001));
    await chat.send(chat.numberOf('edit:applicantName'));
    expect(chat.text).toContain(t('ar', 'request.ask.applicantName'));
    await chat.send('فاطمة محمد الزهراني');
    expect(chat.values).toContain('summary:confirm');
    expect(chat.text).toContain('فاطمة محمد الزهراني');
    // switching the relation to "self" drops the inmate's name from the summary
    await chat.send(chat.numberOf('edit:relation'));
    await chat.send(chat.numberOf('relation:self'));
    expect(chat.values).not.toContain('edit:inmateName');
    expect(chat.values).toContain('summary:confirm');
  });

  it('goes back one question with "رجوع" and cancels with "إلغاء"', async () => {
    const chat = new ChatHarness(env.core.engine, 'back-1');
    await chat.send('ابي اقدم طلب دعم');
    await chat.send('سارة خالد');
    await chat.send('رجوع');
    expect(chat.text).toContain(t('ar', 'request.ask.applicantName'));
    await chat.send('سارة خالد القحطاني');
    expect(chat.text).toContain(t('ar', 'request.ask.nationalId'));
    await chat.send('إلغاء');
    expect(chat.text).toContain(t('ar', 'request.cancelled'));
    const stored = await env.core.ports.conversations.load({ channel: 'console', account: 'test', sender: 'back-1' });
    expect(stored?.state.draft).toBeNull();
  });

  it('keeps the draft on "menu" and offers to continue it at the same step, also after a restart', async () => {
    const chat = new ChatHarness(env.core.engine, 'resume-1');
    await chat.send('ابي اقدم طلب دعم');
    await chat.send('نورة سعد الدوسري');
    await chat.send('القائمة');
    expect(chat.last?.intent).toBe('menu');
    expect(chat.text).toContain(t('ar', 'menu.draft_kept'));
    const restarted = await env.restart();
    const again = new ChatHarness(restarted.engine, 'resume-1');
    await again.send('السلام عليكم');
    expect(again.values).toContain('resume:continue');
    await again.send(again.numberOf('resume:continue'));
    expect(again.text).toContain(t('ar', 'request.ask.nationalId'));
  });

  it('asks whether to continue when the beneficiary comes back days later mid-question', async () => {
    const chat = new ChatHarness(env.core.engine, 'resume-2');
    await chat.send('ابي اقدم طلب دعم');
    await chat.send('ريم عبدالله الشهري');
    env.clock.advance(3 * 24 * 3600_000);
    const restarted = await env.restart();
    const again = new ChatHarness(restarted.engine, 'resume-2');
    await again.send(makeNationalId(5001));
    expect(again.text).toContain(t('ar', 'request.resume_offer'));
    await again.send(again.numberOf('resume:continue'));
    expect(again.text).toContain(t('ar', 'request.ask.nationalId'));
    await again.send(makeNationalId(5001));
    expect(again.text).toContain(t('ar', 'request.ask.phone'));
  });

  it('refuses a second open request with the same national ID; shows the reference only to the applicant', async () => {
    const nationalId = makeNationalId(6001);
    const first = new ChatHarness(env.core.engine, 'dup-applicant');
    await fillToSummary(first, nationalId);
    await first.send(first.numberOf('summary:confirm'));
    await first.send(first.numberOf('attest:confirm'));
    const reference = /BSR-2026-\d{5}/.exec(first.text)?.[0] as string;

    await first.send('ابي اقدم طلب');
    await first.send('فاطمة أحمد الزهراني');
    await first.send(nationalId);
    expect(first.text).toContain(t('ar', 'request.duplicate_own', { reference }));

    // Someone else typing that ID is not told at the ID step (that would be a free oracle), only at submission.
    const other = new ChatHarness(env.core.engine, 'dup-other');
    await fillToSummary(other, nationalId);
    expect(other.text).not.toContain(t('ar', 'request.duplicate_other'));
    await other.send(other.numberOf('summary:confirm'));
    await other.send(other.numberOf('attest:confirm'));
    expect(other.text).toContain(t('ar', 'request.duplicate_other'));
    expect(other.text).not.toContain(reference);
    expect(await env.core.models.SupportRequest.countDocuments({ nationalIdDigest: env.services.cipher.digest('national-id', nationalId) })).toBe(1);
  });

  it('offers the number the channel already knows for the phone step', async () => {
    const chat = new ChatHarness(env.core.engine, 'wa-1', { verifiedPhone: '+966551112233' });
    await chat.send('ابي اقدم طلب دعم');
    await chat.send('منى علي الغامدي');
    await chat.send(makeNationalId(7001));
    expect(chat.values).toEqual(['phone:use_verified', 'phone:other']);
    await chat.send('1');
    expect(chat.values).toContain('relation:self');
  });
});

describe('request repository under faults', () => {
  /** A whole, attested submission as the request flow hands it to the repository. */
  const submission = (sender: string, draftId: string, nationalId: string, phone: string) => ({
    applicant: { channel: 'console' as const, account: 'test', sender },
    draftId,
    language: 'ar' as const,
    data: {
      applicantName: 'سلمى خالد العمري',
      nationalId,
      phone,
      relation: 'self' as const,
      inmateName: null,
      facility: 'dammam_general' as const,
      facilityOther: null,
      supportType: 'financial' as const,
      description: 'تفاصيل الحاجة للاختبار',
    },
    attestation: { wordingVersion: 'v', attestedAt: env.clock.now(), channel: 'console', messageId: 'm', dataHash: 'h' },
  });

  it('finishes a submission whose first attempt took the lock but failed to insert, instead of calling it a duplicate', async () => {
    const nationalId = makeNationalId(9301);
    const idDigest = env.services.cipher.digest('national-id', nationalId);
    // The state a crash leaves between the two writes: the lock exists, the request does not.
    await env.core.models.OpenRequestLock.create({ _id: idDigest, reference: 'BSR-2026-09999', draftId: 'draft-x', createdAt: env.clock.now() });
    const input = submission('retry-applicant', 'draft-x', nationalId, '+966501112222');
    expect(await env.core.requests.create(input, env.clock.now())).toEqual({ type: 'created', reference: 'BSR-2026-09999' });
    expect(await env.core.models.SupportRequest.countDocuments({ reference: 'BSR-2026-09999' })).toBe(1);
    // Another submission (another draft) with the same ID is still refused.
    expect((await env.core.requests.create({ ...input, draftId: 'draft-y' }, env.clock.now())).type).toBe('duplicate');
  });

  it("finds an applicant's requests by a top-level digest, also those stored without it (filled in at the next start)", async () => {
    const input = submission('legacy-applicant', 'draft-legacy', makeNationalId(9302), '+966501113333');
    const { applicant } = input;
    const created = await env.core.requests.create(input, env.clock.now());
    if (created.type !== 'created') throw new Error(`not created: ${created.type}`);
    expect((await env.core.requests.listByApplicant(applicant)).map((r) => r.reference)).toEqual([created.reference]);
    // As a request stored by an older version (before the upgrade, or by one still running during it): without the field.
    const requests = env.core.models.SupportRequest;
    await requests.updateOne({ reference: created.reference }, { $unset: { applicantDigest: 1 } });
    expect(await env.core.requests.listByApplicant(applicant)).toEqual([]);
    // The next start (models made on a new connection, as a restarted process does) fills it in.
    const restarted = await connectTestServices('request', { dbName: env.services.dbName, keys: env.services.keys });
    try {
      const models = await createModels(restarted.mongo);
      expect(await models.SupportRequest.countDocuments({ applicantDigest: { $exists: false } })).toBe(0);
      expect((await new MongoRequestRepository(models, restarted.cipher).listByApplicant(applicant)).map((r) => r.reference)).toEqual([created.reference]);
    } finally {
      await restarted.close();
    }
    // And the function alone, for a request that lost it again.
    await requests.updateOne({ reference: created.reference }, { $unset: { applicantDigest: 1 } });
    await backfillApplicantDigests(requests);
    expect((await env.core.requests.listByApplicant(applicant)).map((r) => r.reference)).toEqual([created.reference]);
  });
});
