import type { LightMyRequestResponse } from 'fastify';
import type { AuditEntry } from '../../src/staff/audit.repository';
import type { StaffRole } from '../../src/staff/roles';
import { makeInbound, makeNationalId } from '../support/fixtures';
import { signedIn, startStaffHarness, type StaffHarness } from '../support/staff';

/**
 * Case review in the staff API (issue 10, section 3) on the real FerretDB and Redis: the case
 * list and detail, masking and revealing, the status workflow through the follow-up planner,
 * notes, the task list, and the per-record rule for agents.
 */
let h: StaffHarness;
type Session = Awaited<ReturnType<typeof signedIn>>;
const sessions = new Map<StaffRole, Session>();

beforeAll(async () => {
  h = await startStaffHarness('staffcases');
  for (const role of ['agent', 'researcher', 'committee', 'supervisor', 'admin'] as const) sessions.set(role, await signedIn(h, [role]));
});
afterAll(async () => h.close());

function as(role: StaffRole): Session {
  const s = sessions.get(role);
  if (!s) throw new Error(role);
  return s;
}
const get = (role: StaffRole, url: string): Promise<LightMyRequestResponse> => h.call('GET', url, { sessionId: as(role).sessionId });
const post = (role: StaffRole, url: string, body: unknown): Promise<LightMyRequestResponse> => h.call('POST', url, { sessionId: as(role).sessionId, csrfToken: as(role).csrfToken, body });
/** Sessions are measured with the harness clock: data is made at other times, staff act at BASE. */
const BASE = new Date('2026-11-22T09:00:00Z');
async function madeAt<T>(at: string, make: () => Promise<T>): Promise<T> {
  h.clock.set(new Date(at));
  try {
    return await make();
  } finally {
    h.clock.set(BASE);
  }
}
async function auditOf(action: string): Promise<AuditEntry[]> {
  return (await h.context.audit.query({ action: action as AuditEntry['action'], page: 1, pageSize: 100 })).entries;
}

describe('case list', () => {
  const refs: string[] = [];
  beforeAll(async () => {
    refs.push(await madeAt('2026-11-01T09:00:00Z', () => h.createRequest(101, { supportType: 'educational' })));
    refs.push(await madeAt('2026-11-10T09:00:00Z', () => h.createRequest(102, { facility: 'deportation_center' })));
    refs.push(await madeAt('2026-11-20T09:00:00Z', () => h.createRequest(103)));
    await h.requests.setStatus(refs[2] as string, 'committee', null, 'test', h.clock.now());
  });

  it('lists newest first, masked, a page at a time', async () => {
    const first = await get('researcher', '/staff/api/cases?pageSize=2');
    expect(first.statusCode).toBe(200);
    const body = first.json();
    expect(body).toMatchObject({ page: 1, pageSize: 2, hasMore: true });
    expect(body.cases.map((c: { reference: string }) => c.reference)).toEqual([refs[2], refs[1]]);
    expect(body.cases[0]).toMatchObject({ status: 'committee', supportType: 'financial', facility: 'dammam_general', channel: 'telegram', nationalIdMasked: `******${makeNationalId(103).slice(-4)}` });
    expect(first.body).not.toContain(makeNationalId(103));
    expect(first.body).not.toContain('سلمى'); // no names in the list
    const second = (await get('researcher', '/staff/api/cases?pageSize=2&page=2')).json();
    expect(second).toMatchObject({ page: 2, hasMore: false });
    expect(second.cases.map((c: { reference: string }) => c.reference)).toEqual([refs[0]]);
  });

  it('filters by status, support type, facility, submission days and reference as typed', async () => {
    const refsOf = async (query: string): Promise<string[]> => (await get('committee', `/staff/api/cases?${query}`)).json().cases.map((c: { reference: string }) => c.reference);
    expect(await refsOf('status=committee')).toEqual([refs[2]]);
    expect(await refsOf('supportType=educational')).toEqual([refs[0]]);
    expect(await refsOf('facility=deportation_center')).toEqual([refs[1]]);
    expect(await refsOf('from=2026-11-05&to=2026-11-10')).toEqual([refs[1]]);
    const typed = (refs[1] as string).replace(/^BSR-(\d{4})-0*(\d+)$/, 'bsr $1 $2');
    expect(await refsOf(`reference=${encodeURIComponent(typed)}`)).toEqual([refs[1]]);
    expect((await get('committee', '/staff/api/cases?reference=hello')).statusCode).toBe(400);
    expect((await get('committee', '/staff/api/cases?pageSize=51')).statusCode).toBe(400);
    expect((await get('committee', '/staff/api/cases?status=archived')).statusCode).toBe(400);
  });
});

describe('free text in a case', () => {
  it('masks an ID or a phone typed into the description, so only reveal (with its reason and audit) shows them', async () => {
    const ref = await h.createRequest(202, { sender: '9202', description: 'هويتي 1000000115 وجوالي 055-123-4567 والإيجار متأخر' });
    const detail = (await get('researcher', `/staff/api/cases/${ref}`)).json();
    const text = JSON.stringify(detail);
    expect(text).not.toContain('1000000115');
    expect(text).not.toContain('055-123-4567');
    expect(text).toContain('******0115');
  });
});

describe('case detail and revealing', () => {
  let ref: string;
  beforeAll(async () => {
    ref = await madeAt('2026-11-21T09:00:00Z', () => h.createRequest(201, { sender: '9201' }));
    const said = await h.log.recordInbound(makeInbound({ channel: 'telegram', account: 'bot', sender: '9201', text: `رقم هويتي ${makeNationalId(201)} وجوالي 0501112222` }), h.clock.now());
    expect(said.type).toBe('new');
  });

  it('shows every field with the ID and phone masked, the attestation, history and the conversation masked too; and audits the view', async () => {
    const res = await get('researcher', `/staff/api/cases/${ref}`);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.case).toMatchObject({
      reference: ref,
      status: 'submitted',
      applicantName: 'سلمى خالد العمري',
      inmateName: 'خالد العمري',
      description: 'إيجار البيت متأخر ثلاثة أشهر',
      relation: 'spouse',
      nationalIdMasked: `******${makeNationalId(201).slice(-4)}`,
      phoneMasked: '+9665******22',
    });
    expect(body.attestation).toMatchObject({ wordingVersion: 'attest-2026-11-v1', channel: 'telegram', dataHash: 'sha256-test', attestedAt: '2026-11-21T09:00:00.000Z' });
    expect(body.attestation.messageDigest).not.toBe('m-201');
    expect(body.history).toEqual([{ status: 'submitted', note: null, at: '2026-11-21T09:00:00.000Z', by: 'beneficiary', byName: null }]);
    expect(body.conversation).toHaveLength(1);
    expect(body.conversation[0].text).toContain(`******${makeNationalId(201).slice(-4)}`);
    expect(res.body).not.toContain(makeNationalId(201));
    expect(res.body).not.toContain('501112222');
    expect(res.body).not.toContain('9201'); // the applicant's chat address never leaves
    expect(body.transitions).toEqual([{ to: 'social_research', note: null }]);
    const viewed = await auditOf('case-viewed');
    expect(viewed).toEqual(expect.arrayContaining([expect.objectContaining({ actorId: as('researcher').account.id, targetId: ref })]));
    expect((await get('researcher', '/staff/api/cases/BSR-2026-99999')).statusCode).toBe(404);
  });

  it('reveals the ID or phone to a researcher, committee member or admin who gives a reason, and writes it to the audit log', async () => {
    const url = `/staff/api/cases/${ref}/reveal`;
    const res = await post('committee', url, { field: 'nationalId', reason: 'مطابقة الهوية مع سجل السجن' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ field: 'nationalId', value: makeNationalId(201) });
    expect((await post('admin', url, { field: 'phone', reason: 'الاتصال بالمستفيدة لموعد' })).json()).toEqual({ field: 'phone', value: '+966501112222' });
    const entries = await auditOf('personal-data-revealed');
    expect(entries).toEqual(expect.arrayContaining([expect.objectContaining({ actorId: as('committee').account.id, targetId: ref, detail: 'nationalId', reason: 'مطابقة الهوية مع سجل السجن' })]));
    // The reason is asked, and is more than a word.
    expect((await post('researcher', url, { field: 'phone' })).statusCode).toBe(400);
    expect((await post('researcher', url, { field: 'phone', reason: '          x' })).statusCode).toBe(400);
    // Supervisors and agents may not.
    expect((await post('supervisor', url, { field: 'phone', reason: 'أريد الاتصال بها' })).json()).toMatchObject({ error: 'forbidden-role' });
    expect((await post('agent', url, { field: 'phone', reason: 'أريد الاتصال بها' })).statusCode).toBe(403);
    expect((await post('researcher', '/staff/api/cases/BSR-2026-99999/reveal', { field: 'phone', reason: 'مطابقة البيانات' })).statusCode).toBe(404);
    expect((await auditOf('personal-data-revealed')).length).toBe(2);
  });
});

describe('status workflow', () => {
  it('moves a case along the policy path, each change by its role, tells the beneficiary each time and audits it; surveys once', async () => {
    const ref = await h.createRequest(301);
    const url = `/staff/api/cases/${ref}/status`;
    expect((await post('researcher', url, { status: 'social_research' })).json()).toEqual({ status: 'social_research', changed: true });
    expect((await post('researcher', url, { status: 'committee', note: 'زيارة منزلية تمت' })).statusCode).toBe(200);
    expect((await get('committee', `/staff/api/cases/${ref}/transitions`)).json()).toEqual({
      status: 'committee',
      transitions: [
        { to: 'social_research', note: null },
        { to: 'accepted', note: null },
        { to: 'rejected', note: 'reason' },
      ],
    });
    expect((await post('committee', url, { status: 'accepted' })).statusCode).toBe(200);
    expect((await post('researcher', url, { status: 'registration_incomplete', note: 'صك الإعالة' })).statusCode).toBe(200);
    expect((await post('researcher', url, { status: 'service_delivered' })).statusCode).toBe(200);
    expect((await post('supervisor', url, { status: 'closed' })).statusCode).toBe(200);

    const records = await h.followUps.scheduled.ofCase(ref);
    expect(records.filter((r) => r.kind === 'status').map((r) => r.detail.status)).toEqual(['social_research', 'committee', 'accepted', 'registration_incomplete', 'service_delivered', 'closed']);
    expect(records.find((r) => r.kind === 'promise')?.state).toBe('cancelled');
    // Delivered, then closed: one survey.
    expect((await h.followUps.scheduled.ofCase(`request-${ref}`)).filter((r) => r.kind === 'survey')).toHaveLength(1);
    const changes = (await auditOf('status-changed')).filter((e) => e.targetId === ref).map((e) => e.detail);
    expect(changes.sort()).toEqual(['accepted->registration_incomplete', 'committee->accepted', 'registration_incomplete->service_delivered', 'service_delivered->closed', 'social_research->committee', 'submitted->social_research'].sort());
    const detail = (await get('admin', `/staff/api/cases/${ref}`)).json();
    expect(detail.history.at(-1)).toMatchObject({ status: 'closed', by: as('supervisor').account.id, byName: 'Test Staff' });
    expect(detail.followUps.length).toBeGreaterThanOrEqual(7);
    expect(detail.transitions).toEqual([]);
  });

  it('refuses changes outside the table, by the wrong role, or without the note they need', async () => {
    const ref = await h.createRequest(302);
    const url = `/staff/api/cases/${ref}/status`;
    expect((await post('committee', url, { status: 'accepted' })).json()).toMatchObject({ error: 'transition-not-allowed' });
    expect((await post('committee', url, { status: 'accepted' })).statusCode).toBe(409);
    const wrongRole = await post('committee', url, { status: 'social_research' });
    expect([wrongRole.statusCode, wrongRole.json().error]).toEqual([403, 'transition-forbidden']);
    expect((await post('agent', url, { status: 'social_research' })).json()).toMatchObject({ error: 'forbidden-role' });
    await post('researcher', url, { status: 'social_research' });
    await post('researcher', url, { status: 'committee' });
    // The same status again (a double tap, two researchers at once): 200, nothing changed, nobody told a second time.
    const again = await post('researcher', url, { status: 'committee' });
    expect([again.statusCode, again.json()]).toEqual([200, { status: 'committee', changed: false }]);
    // …but only for someone who may move a case there at all.
    expect((await post('committee', url, { status: 'committee' })).statusCode).toBe(403);
    const noReason = await post('committee', url, { status: 'rejected', note: '   ' });
    expect([noReason.statusCode, noReason.json().error]).toEqual([400, 'note-required']);
    expect((await post('supervisor', url, { status: 'closed' })).json()).toMatchObject({ error: 'note-required' });
    expect((await post('committee', url, { status: 'rejected', note: 'الدخل الشهري يتجاوز حد الدعم' })).statusCode).toBe(200);
    const told = (await h.followUps.scheduled.ofCase(ref)).filter((r) => r.kind === 'status');
    // Each change was told (the records share the manual clock's time, so their order is not asserted).
    expect(told.map((r) => r.detail.status).sort()).toEqual(['committee', 'rejected', 'social_research']);
    expect((await h.requests.followUpFacts(ref))?.statusNote).toBe('الدخل الشهري يتجاوز حد الدعم');
    expect((await post('researcher', '/staff/api/cases/BSR-2026-99999/status', { status: 'social_research' })).statusCode).toBe(404);
    // Two staff at once: the change checked against a status the case has left is not made, and nobody is told.
    expect(await h.followUps.planner.changeRequestStatus(ref, 'closed', 'مكرر', 'x', 'committee')).toBe('conflict');
    expect((await h.followUps.scheduled.ofCase(ref)).filter((r) => r.kind === 'status')).toHaveLength(3);
  });
});

describe('notes', () => {
  it('keeps internal notes sealed at rest, shows them in the detail with their author, and audits them', async () => {
    const ref = await h.createRequest(401);
    const res = await post('researcher', `/staff/api/cases/${ref}/notes`, { text: 'اتصلت بها على 0559998877، ستحضر الصك الأحد' });
    expect(res.statusCode).toBe(201);
    expect(res.json().note).toMatchObject({ text: 'اتصلت بها على 0559998877، ستحضر الصك الأحد', by: as('researcher').account.id, byName: 'Test Staff' });
    const atRest = await h.db.collection('staff_case_notes').findOne({ reference: ref });
    expect(atRest?.textSealed?.ct).toEqual(expect.any(String));
    expect(JSON.stringify(atRest)).not.toContain('0559998877');
    expect(JSON.stringify(atRest)).not.toContain('الصك');
    const detail = (await get('committee', `/staff/api/cases/${ref}`)).json();
    expect(detail.notes).toEqual([expect.objectContaining({ text: 'اتصلت بها على 0559998877، ستحضر الصك الأحد' })]);
    expect((await auditOf('note-added')).some((e) => e.targetId === ref)).toBe(true);
    expect((await post('researcher', `/staff/api/cases/${ref}/notes`, { text: '' })).statusCode).toBe(400);
  });
});

describe('tasks', () => {
  it('lists overdue promises, low ratings and unanswered messages oldest first, for supervisors to mark done', async () => {
    const ref = await h.createRequest(501);
    await h.followUps.tasks.open({ kind: 'promise_overdue', caseId: ref, conversationId: 'c-501', detail: { reference: ref } }, new Date('2026-11-23T10:00:00Z'));
    await h.followUps.tasks.open({ kind: 'low_satisfaction', caseId: `request-${ref}`, conversationId: null, detail: { surveyId: `request-${ref}`, rating: 2 } }, new Date('2026-11-23T11:00:00Z'));
    await h.followUps.tasks.open({ kind: 'low_satisfaction', caseId: 'handoff-h77', conversationId: null, detail: { surveyId: 'handoff-h77', rating: 1 } }, new Date('2026-11-23T12:00:00Z'));
    const recorded = await h.log.recordInbound(makeInbound({ channel: 'telegram', account: 'bot', sender: '9501', text: 'ألو؟' }), new Date('2026-11-23T09:30:00Z'));
    await h.log.markInbound(recorded.id, 'failed');

    const res = await get('supervisor', '/staff/api/tasks');
    expect(res.statusCode).toBe(200);
    const tasks = res.json().tasks as Array<Record<string, unknown>>;
    expect(tasks.map((t) => t.kind)).toEqual(['unanswered_message', 'promise_overdue', 'low_satisfaction', 'low_satisfaction']);
    expect(tasks[0]).toEqual({ id: `unanswered-${recorded.id}`, kind: 'unanswered_message', at: '2026-11-23T09:30:00.000Z', reference: null, handoffId: null, channel: 'telegram', rating: null, reason: 'failed', staffId: null });
    expect(tasks[1]).toMatchObject({ id: `promise_overdue-${ref}`, reference: ref });
    expect(tasks[2]).toMatchObject({ reference: ref, rating: 2, handoffId: null });
    expect(tasks[3]).toMatchObject({ reference: null, handoffId: 'h77', rating: 1 });
    expect(res.body).not.toContain('ألو');

    const done = (id: string, role: StaffRole = 'supervisor') => h.call('POST', `/staff/api/tasks/${encodeURIComponent(id)}/done`, { sessionId: as(role).sessionId, csrfToken: as(role).csrfToken, body: {} });
    expect((await done(`unanswered-${recorded.id}`)).statusCode).toBe(204);
    expect((await done(`promise_overdue-${ref}`, 'admin')).statusCode).toBe(204);
    expect((await done(`promise_overdue-${ref}`)).statusCode).toBe(404);
    expect((await done(`unanswered-${recorded.id}`)).statusCode).toBe(404);
    expect((await done('unanswered-no-such-message')).statusCode).toBe(404);
    expect((await done(`low_satisfaction-request-${ref}`, 'researcher')).statusCode).toBe(403);
    const left = (await get('admin', '/staff/api/tasks')).json().tasks as Array<{ id: string }>;
    expect(left.map((t) => t.id)).toEqual([`low_satisfaction-request-${ref}`, 'low_satisfaction-handoff-h77']);
    expect((await auditOf('task-done')).map((e) => e.targetId).sort()).toEqual([`promise_overdue-${ref}`, `unanswered-${recorded.id}`].sort());
  });
});

describe('per-record rule', () => {
  it('shows an agent only the cases linked to a handoff they hold: none by default, 403 case-not-yours whether or not a case exists', async () => {
    const ref = await h.createRequest(601);
    const other = await h.createRequest(602);
    expect((await get('agent', '/staff/api/cases')).json()).toMatchObject({ cases: [], hasMore: false });
    for (const url of [`/staff/api/cases/${ref}`, `/staff/api/cases/${ref}/transitions`, '/staff/api/cases/BSR-2026-99999']) {
      const res = await get('agent', url);
      expect([url, res.statusCode, res.json().error]).toEqual([url, 403, 'case-not-yours']);
    }
    expect((await post('agent', `/staff/api/cases/${ref}/notes`, { text: 'ملاحظة' })).json()).toMatchObject({ error: 'case-not-yours' });

    h.linkCase(as('agent').account.id, ref);
    const list = (await get('agent', '/staff/api/cases')).json();
    expect(list.cases.map((c: { reference: string }) => c.reference)).toEqual([ref]);
    expect((await get('agent', `/staff/api/cases?reference=${other}`)).json().cases).toEqual([]);
    const detail = await get('agent', `/staff/api/cases/${ref}`);
    expect(detail.statusCode).toBe(200);
    expect(detail.json().transitions).toEqual([]); // agents have no part in the workflow
    expect((await get('agent', `/staff/api/cases/${other}`)).statusCode).toBe(403);
    expect((await post('agent', `/staff/api/cases/${ref}/notes`, { text: 'طلبت موعدًا' })).statusCode).toBe(201);
    expect((await post('agent', `/staff/api/cases/${ref}/reveal`, { field: 'phone', reason: 'أريد الاتصال بها' })).json()).toMatchObject({ error: 'forbidden-role' });
  });
});
