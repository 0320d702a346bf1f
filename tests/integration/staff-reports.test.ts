import { signedIn, startStaffHarness, type StaffHarness } from '../support/staff';

/** The satisfaction report in the staff API: supervisors and admins read it; counts only. */

let h: StaffHarness;
beforeAll(async () => {
  h = await startStaffHarness('staffreports');
});
afterAll(async () => h.close());

it('shows a supervisor the survey results of a period, and refuses an agent', async () => {
  const sent = new Date('2026-11-05T10:00:00Z');
  await h.surveys.create({ id: 'request-BSR-2026-00001', subject: { type: 'request', id: 'BSR-2026-00001' }, conversationId: 'c1', channel: 'telegram', language: 'ar', supportType: 'financial' }, sent);
  await h.surveys.invited('request-BSR-2026-00001', sent);
  await h.surveys.rate('request-BSR-2026-00001', 4, sent);
  await h.surveys.comment('request-BSR-2026-00001', 'الموظف رقمه 0501234567 ما رد', sent);
  await h.surveys.create({ id: 'handoff-h1', subject: { type: 'handoff', id: 'h1' }, conversationId: 'c2', channel: 'whatsapp', language: 'ur', supportType: null }, sent);
  await h.surveys.invited('handoff-h1', sent);

  const supervisor = await signedIn(h, ['supervisor']);
  const res = await h.call('GET', '/staff/api/reports/satisfaction?from=2026-11-01&to=2026-11-30', { sessionId: supervisor.sessionId });
  expect(res.statusCode).toBe(200);
  const body = res.json();
  expect(body).toMatchObject({ from: '2026-11-01', to: '2026-11-30', overall: { invited: 2, rated: 1, average: 4, responseRate: 0.5 } });
  expect(body.byChannel.telegram.distribution['4']).toBe(1);
  expect(body.bySupportType.handoff.invited).toBe(1);
  expect(res.body).not.toContain('0501234567'); // comments are not part of a report

  expect((await h.call('GET', '/staff/api/reports/satisfaction?from=2026-13-01', { sessionId: supervisor.sessionId })).statusCode).toBe(400);
  const agent = await signedIn(h, ['agent']);
  expect((await h.call('GET', '/staff/api/reports/satisfaction', { sessionId: agent.sessionId })).statusCode).toBe(403);
});
