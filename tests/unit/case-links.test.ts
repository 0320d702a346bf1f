import { caseScope, inScope } from '../../src/staff/case.access';
import { handoffCaseLinks } from '../../src/staff/staff.plugin';
import type { HandoffListItem } from '../../src/handoffs/handoff-views';

describe('which cases an agent may read', () => {
  const item = (id: string, claimedBy: string | null, reference: string | null): HandoffListItem => ({
    id,
    openedAt: new Date(),
    waitingSeconds: 0,
    language: 'ar',
    channel: 'telegram',
    reason: 'requested',
    claimedBy,
    claimedAt: null,
    lastMessageAt: new Date(),
    messageCount: 1,
    request: reference ? { reference, status: 'committee' } : null,
    resumeStep: 'idle',
  });
  const all = [item('h1', 'agent-a', 'BSR-2026-00001'), item('h2', 'agent-b', 'BSR-2026-00002'), item('h3', null, 'BSR-2026-00003'), item('h4', 'agent-a', null)];
  const views = { heldBy: async (staffId: string) => all.filter((h) => h.claimedBy === staffId) };
  const links = handoffCaseLinks(views, { now: () => new Date() });

  it('an agent reads the open request of a handoff they hold, and nothing else', async () => {
    const scope = await caseScope({ id: 'agent-a', roles: ['agent'] }, links);
    expect(inScope(scope, 'BSR-2026-00001')).toBe(true);
    expect(inScope(scope, 'BSR-2026-00002')).toBe(false); // held by a colleague
    expect(inScope(scope, 'BSR-2026-00003')).toBe(false); // nobody holds it yet
  });

  it('researchers, the committee, supervisors and admins read every case', async () => {
    for (const role of ['researcher', 'committee', 'supervisor', 'admin'] as const) {
      expect(inScope(await caseScope({ id: 'x', roles: [role] }, links), 'BSR-2026-00002')).toBe(true);
    }
  });
});
