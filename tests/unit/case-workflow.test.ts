import { checkTransition, TRANSITIONS, transitionsFor } from '../../src/domain/case-workflow';
import { CLOSED_STATUSES, REQUEST_STATUSES, type RequestStatus } from '../../src/domain/support-request';
import { STAFF_ROLES } from '../../src/staff/roles';

describe('case workflow', () => {
  it('walks the policy path: submitted → research → committee → accepted → registration → delivered → closed', () => {
    const path: Array<[RequestStatus, RequestStatus, string]> = [
      ['submitted', 'social_research', 'researcher'],
      ['social_research', 'committee', 'researcher'],
      ['committee', 'accepted', 'committee'],
      ['accepted', 'registration_incomplete', 'researcher'],
      ['registration_incomplete', 'service_delivered', 'researcher'],
      ['service_delivered', 'closed', 'supervisor'],
    ];
    for (const [from, to, role] of path) {
      const note = to === 'registration_incomplete' ? 'صورة الهوية' : null;
      expect([from, to, checkTransition(from, to, [role], note).ok]).toEqual([from, to, true]);
    }
  });

  it('refuses changes that are not in the table, whoever asks', () => {
    const everyone = [...STAFF_ROLES];
    expect(checkTransition('submitted', 'accepted', everyone, null)).toEqual({ ok: false, reason: 'not-allowed' });
    expect(checkTransition('closed', 'submitted', everyone, 'x')).toEqual({ ok: false, reason: 'not-allowed' });
    expect(checkTransition('rejected', 'accepted', everyone, null)).toEqual({ ok: false, reason: 'not-allowed' });
    expect(checkTransition('committee', 'committee', everyone, null)).toEqual({ ok: false, reason: 'not-allowed' });
  });

  it('lets only the committee decide, and only researchers research', () => {
    expect(checkTransition('committee', 'accepted', ['researcher', 'supervisor', 'admin'], null)).toEqual({ ok: false, reason: 'role' });
    expect(checkTransition('submitted', 'social_research', ['committee'], null)).toEqual({ ok: false, reason: 'role' });
    expect(checkTransition('service_delivered', 'closed', ['researcher', 'committee'], null)).toEqual({ ok: false, reason: 'role' });
    expect(checkTransition('committee', 'accepted', ['agent', 'committee'], null).ok).toBe(true);
  });

  it('gives agents no part in the workflow', () => {
    for (const from of REQUEST_STATUSES) expect(transitionsFor(from, ['agent'])).toEqual([]);
  });

  it('asks a reason for a rejection, what is missing for registration, and a reason for closing early', () => {
    expect(checkTransition('committee', 'rejected', ['committee'], '  ')).toEqual({ ok: false, reason: 'note-required', requirement: 'reason' });
    expect(checkTransition('committee', 'rejected', ['committee'], 'الدخل كافٍ').ok).toBe(true);
    expect(checkTransition('accepted', 'registration_incomplete', ['researcher'], null)).toEqual({ ok: false, reason: 'note-required', requirement: 'missing' });
    expect(checkTransition('committee', 'closed', ['supervisor'], null)).toEqual({ ok: false, reason: 'note-required', requirement: 'internal' });
    expect(checkTransition('rejected', 'closed', ['admin'], null).ok).toBe(true);
  });

  it('reaches every status, ends at closed, and only closes into statuses that free the national ID', () => {
    const reached = new Set<RequestStatus>(['submitted', ...TRANSITIONS.map((t) => t.to)]);
    expect([...reached].sort()).toEqual([...REQUEST_STATUSES].sort());
    expect(transitionsFor('closed', [...STAFF_ROLES])).toEqual([]);
    for (const t of TRANSITIONS) expect([t.from, CLOSED_STATUSES.has(t.from) && !CLOSED_STATUSES.has(t.to)]).toEqual([t.from, false]);
  });

  it('lists what a person may do next from a status', () => {
    expect(transitionsFor('committee', ['committee']).map((t) => t.to)).toEqual(['social_research', 'accepted', 'rejected']);
    expect(transitionsFor('committee', ['researcher', 'supervisor']).map((t) => t.to)).toEqual(['closed']);
  });
});
