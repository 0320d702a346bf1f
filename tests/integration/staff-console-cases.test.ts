import type { LightMyRequestResponse } from 'fastify';
import type { AuditEntry } from '../../src/staff/audit.repository';
import type { StaffRole } from '../../src/staff/roles';
import { makeNationalId } from '../support/fixtures';
import { startConsoleHarness, type ConsoleHarness } from '../support/console';
import { signedIn } from '../support/staff';

/**
 * The console's cases and tasks pages (src/staff/pages/case*.page.ts, tasks.page.ts) through
 * fastify's inject() on the real FerretDB and Redis: the list and its filters, the detail masked,
 * reveal with a reason (audited), the status form (only the caller's transitions; the beneficiary
 * told), notes, tasks, role checks and translations.
 */
let c: ConsoleHarness;
type Session = Awaited<ReturnType<typeof signedIn>>;
const sessions = new Map<StaffRole, Session>();
const refs: string[] = [];

beforeAll(async () => {
  c = await startConsoleHarness('consolecases');
  for (const role of ['agent', 'researcher', 'committee', 'supervisor', 'admin'] as const) sessions.set(role, await signedIn(c.staff, [role]));
  c.staff.clock.set(new Date('2026-11-01T09:00:00Z'));
  refs.push(await c.staff.createRequest(301, { supportType: 'educational' }));
  c.staff.clock.set(new Date('2026-11-10T09:00:00Z'));
  refs.push(await c.staff.createRequest(302, { facility: 'deportation_center' }));
  c.staff.clock.set(new Date('2026-11-22T09:00:00Z'));
  // A harness, five sign-ins and two requests: slow when the machine is busy.
}, 120_000);
afterAll(async () => c.close());

function as(role: StaffRole): Session {
  const s = sessions.get(role);
  if (!s) throw new Error(role);
  return s;
}
const page = (role: StaffRole, url: string): Promise<LightMyRequestResponse> => c.get(url, { sessionId: as(role).sessionId });
const submit = (role: StaffRole, url: string, form: Record<string, string>): Promise<LightMyRequestResponse> => c.post(url, { ...form, _csrf: as(role).csrfToken }, { sessionId: as(role).sessionId });
const ref = (i: number): string => refs[i] as string;
async function auditOf(action: string): Promise<AuditEntry[]> {
  return (await c.staff.context.audit.query({ action: action as AuditEntry['action'], page: 1, pageSize: 100 })).entries;
}

describe('cases list', () => {
  it('lists newest first with the national ID masked and no names', async () => {
    const res = await page('researcher', '/staff/cases');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<html lang="ar" dir="rtl">');
    expect(res.body.indexOf(ref(1))).toBeLessThan(res.body.indexOf(ref(0)));
    expect(res.body).toContain(`******${makeNationalId(301).slice(-4)}`);
    expect(res.body).not.toContain(makeNationalId(301));
    expect(res.body).not.toContain('سلمى');
  });

  it('filters by support type, facility, days and the reference as people type it', async () => {
    const typed = ref(0).replace(/^BSR-(\d{4})-0*(\d+)$/, 'bsr $1 $2');
    const byRef = await page('researcher', `/staff/cases?reference=${encodeURIComponent(typed)}`);
    expect(byRef.body).toContain(ref(0));
    expect(byRef.body).not.toContain(`/staff/cases/${ref(1)}`);
    const byType = await page('researcher', '/staff/cases?supportType=educational');
    expect([byType.body.includes(ref(0)), byType.body.includes(`/staff/cases/${ref(1)}`)]).toEqual([true, false]);
    const byFacility = await page('researcher', '/staff/cases?facility=deportation_center');
    expect([byFacility.body.includes(`/staff/cases/${ref(0)}`), byFacility.body.includes(ref(1))]).toEqual([false, true]);
    const byDays = await page('researcher', '/staff/cases?from=2026-11-05&to=2026-11-30&status=submitted');
    expect([byDays.body.includes(`/staff/cases/${ref(0)}`), byDays.body.includes(ref(1))]).toEqual([false, true]);
    // Arabic-Indic digits, the year and sequence only, or the sequence alone (this year's, by the staff clock).
    const [, year, sequence] = /^BSR-(\d{4})-0*(\d+)$/.exec(ref(0)) ?? [];
    const arabic = (t: string): string => t.replace(/\d/g, (d) => '٠١٢٣٤٥٦٧٨٩'[Number(d)] as string);
    for (const form of [arabic(ref(0)), `${year}-${sequence}`, arabic(`${year}/${sequence}`), arabic(String(sequence)), `00${sequence}`]) {
      const found = await page('researcher', `/staff/cases?reference=${encodeURIComponent(form)}`);
      expect([form, found.statusCode, found.body.includes(`/staff/cases/${ref(0)}`), found.body.includes(`/staff/cases/${ref(1)}`)]).toEqual([form, 200, true, false]);
    }
    expect((await page('researcher', `/staff/cases?reference=${encodeURIComponent('طلبي')}`)).statusCode).toBe(400);
    const bad = await page('researcher', '/staff/cases?from=2026-13-40');
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('تعذّر قراءة عوامل التصفية');
  });

  it('pages through the list', async () => {
    const second = await page('researcher', '/staff/cases?page=2');
    expect(second.body).toContain('لا توجد طلبات تطابق');
    expect(second.body).toContain('href="/staff/cases?page=1"');
  });
});

describe('case detail', () => {
  it('shows every part with the ID and phone masked, and is audited', async () => {
    const res = await page('researcher', `/staff/cases/${ref(0)}`);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain(`******${makeNationalId(301).slice(-4)}`);
    expect(res.body).not.toContain(makeNationalId(301));
    for (const heading of ['بيانات الطلب', 'الإقرار', 'سجل الحالات', 'ملاحظات داخلية', 'المحادثة', 'المتابعات المجدولة', 'تغيير الحالة']) expect(res.body).toContain(heading);
    expect((await auditOf('case-viewed')).some((e) => e.targetId === ref(0))).toBe(true);
  });

  it('reveals the national ID once for a reason, audited; refuses a short reason and agents', async () => {
    const short = await submit('researcher', `/staff/cases/${ref(0)}/reveal`, { field: 'nationalId', reason: 'قصير' });
    expect(short.statusCode).toBe(400);
    expect(short.body).not.toContain(makeNationalId(301));
    const res = await submit('researcher', `/staff/cases/${ref(0)}/reveal`, { field: 'nationalId', reason: 'التحقق من الهوية مع الأسرة هاتفياً' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain(makeNationalId(301));
    expect(res.headers['cache-control']).toBe('no-store');
    const entry = (await auditOf('personal-data-revealed')).find((e) => e.targetId === ref(0));
    expect(entry).toMatchObject({ actorId: as('researcher').account.id, detail: 'nationalId', reason: 'التحقق من الهوية مع الأسرة هاتفياً' });
    // The admin's audit page shows the reason with the entry.
    const audit = (await page('admin', '/staff/audit?action=personal-data-revealed')).body;
    // The field in words, then the reason.
    expect(audit).toContain(`<td>رقم الهوية</td><td dir="auto">التحقق من الهوية مع الأسرة هاتفياً</td>`);
    expect((await page('researcher', `/staff/cases/${ref(0)}`)).body).not.toContain(makeNationalId(301));
    expect((await submit('supervisor', `/staff/cases/${ref(0)}/reveal`, { field: 'phone', reason: 'سبب طويل بما يكفي' })).statusCode).toBe(403);
    expect((await page('supervisor', `/staff/cases/${ref(0)}`)).body).not.toContain('/reveal');
  });

  it('offers only the caller’s transitions, tells the beneficiary, and refuses the rest', async () => {
    const researcher = await page('researcher', `/staff/cases/${ref(1)}`);
    expect(researcher.body).toContain('value="social_research"');
    expect(researcher.body).not.toContain('value="closed"');
    const committee = await page('committee', `/staff/cases/${ref(1)}`);
    expect(committee.body).not.toMatch(/name="status" value=/);
    expect(committee.body).toContain('لا يوجد تغيير للحالة متاح لك الآن');

    const forbidden = await submit('committee', `/staff/cases/${ref(1)}/status`, { status: 'social_research' });
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.body).toContain('صلاحياتك لا تسمح بهذا التغيير');

    const moved = await submit('researcher', `/staff/cases/${ref(1)}/status`, { status: 'social_research', note: '' });
    expect(moved.statusCode).toBe(303);
    expect(moved.headers.location).toBe(`/staff/cases/${ref(1)}?done=status`);
    const told = (await c.staff.followUps.scheduled.ofCase(ref(1))).filter((r) => r.kind === 'status');
    expect(told).toHaveLength(1);
    expect(await c.staff.db.collection('scheduled_messages').countDocuments({ caseId: ref(1), kind: 'status' })).toBe(1);
    expect((await page('researcher', moved.headers.location as string)).body).toContain('تم تغيير الحالة');
    // The audit log says it in words: from which status to which.
    expect((await page('admin', '/staff/audit?action=status-changed')).body).toContain('<td>من مستلم إلى قيد البحث الاجتماعي</td>');

    const skipped = await submit('researcher', `/staff/cases/${ref(1)}/status`, { status: 'accepted' });
    expect(skipped.statusCode).toBe(409);
    expect(skipped.body).toContain('لا يمكن نقل الطلب من حالته الحالية');
  });

  it('asks for the note a transition needs', async () => {
    const supervisor = await page('supervisor', `/staff/cases/${ref(1)}`);
    expect(supervisor.body).toContain('value="closed"');
    expect(supervisor.body).toContain('يلزم ذكر السبب، ويبقى داخلياً');
    const noNote = await submit('supervisor', `/staff/cases/${ref(1)}/status`, { status: 'closed', note: ' ' });
    expect(noNote.statusCode).toBe(400);
    expect(noNote.body).toContain('هذا التغيير يتطلب ملاحظة');
  });

  it('adds an internal note', async () => {
    const res = await submit('committee', `/staff/cases/${ref(0)}/notes`, { text: 'الأسرة تحتاج زيارة ميدانية' });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`/staff/cases/${ref(0)}?done=note`);
    const shown = await page('committee', res.headers.location as string);
    expect(shown.body).toContain('الأسرة تحتاج زيارة ميدانية');
    expect(shown.body).toContain('حُفظت الملاحظة');
    expect((await auditOf('note-added')).some((e) => e.targetId === ref(0))).toBe(true);
  });
});

describe('roles', () => {
  it('shows an agent no case but linked ones, and refuses others with case-not-yours', async () => {
    const list = await page('agent', '/staff/cases');
    expect(list.statusCode).toBe(200);
    expect(list.body).not.toContain(ref(0));
    const other = await page('agent', `/staff/cases/${ref(0)}`);
    expect(other.statusCode).toBe(403);
    expect(other.body).toContain('هذا الطلب غير مرتبط بك');
    expect((await submit('agent', `/staff/cases/${ref(0)}/notes`, { text: 'x' })).statusCode).toBe(403);
    expect((await submit('agent', `/staff/cases/${ref(0)}/status`, { status: 'social_research' })).statusCode).toBe(403);
    c.staff.linkCase(as('agent').account.id, ref(0));
    expect((await page('agent', `/staff/cases/${ref(0)}`)).statusCode).toBe(200);
    expect((await page('agent', '/staff/tasks')).statusCode).toBe(403);
    expect((await page('researcher', '/staff/tasks')).statusCode).toBe(403);
    expect((await page('agent', '/staff/dashboard')).body).not.toContain('href="/staff/tasks"');
  });
});

describe('tasks', () => {
  it('lists open tasks oldest first with links, and marks one done (audited)', async () => {
    await c.staff.followUps.tasks.open({ kind: 'promise_overdue', caseId: ref(0), conversationId: 'c-1', detail: { reference: ref(0) } }, new Date('2026-11-20T10:00:00Z'));
    await c.staff.followUps.tasks.open({ kind: 'low_satisfaction', caseId: 'handoff-h88', conversationId: null, detail: { surveyId: 'handoff-h88', rating: 1 } }, new Date('2026-11-21T10:00:00Z'));
    const res = await page('supervisor', '/staff/tasks');
    expect(res.statusCode).toBe(200);
    const overdue = res.body.indexOf('تجاوز موعد الأسبوعين');
    const low = res.body.indexOf('تقييم رضا منخفض');
    expect(overdue).toBeGreaterThan(-1);
    expect(low).toBeGreaterThan(overdue);
    expect(res.body).toContain(`href="/staff/cases/${ref(0)}"`);
    expect(res.body).toContain('href="/staff/inbox/h88"');
    const done = await submit('supervisor', `/staff/tasks/promise_overdue-${ref(0)}/done`, {});
    expect(done.statusCode).toBe(303);
    expect((await page('supervisor', '/staff/tasks')).body).not.toContain('تجاوز موعد الأسبوعين');
    expect((await auditOf('task-done')).some((e) => e.targetId === `promise_overdue-${ref(0)}`)).toBe(true);
    expect((await submit('supervisor', `/staff/tasks/promise_overdue-${ref(0)}/done`, {})).statusCode).toBe(404);
  });
});

describe('translations', () => {
  const RAW_KEY = /\b(?:cases|case|tasks|facility|relation|follow_up|follow_up_state|request_status|support_type|channel|language|nav|errors)\.[a-z][a-z_.-]*\b/;
  const visibleText = (html: string): string => html.replace(/<(script|style)[^>]*>[\s\S]*?<\/\1>/g, '').replace(/<[^>]+>/g, ' ');
  it('leaves no key untranslated on the new pages in any language', async () => {
    for (const lng of ['ar', 'en', 'ur']) {
      for (const path of ['/staff/cases', `/staff/cases/${ref(0)}`, `/staff/cases/${ref(1)}`, '/staff/tasks', '/staff/cases/BSR-2026-9999999']) {
        const res = await page('admin', `${path}?lng=${lng}`);
        expect([lng, path, RAW_KEY.exec(visibleText(res.body))?.[0] ?? null]).toEqual([lng, path, null]);
      }
    }
  });
});
