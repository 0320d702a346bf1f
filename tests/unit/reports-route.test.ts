import { buildApp } from '../../src/http/app';
import { reportRoutes, SATISFACTION_ROUTE } from '../../src/http/reports.routes';
import type { SurveyFacts } from '../../src/domain/satisfaction';

describe('satisfaction report route', () => {
  const token = 'staff-token-for-tests-0123456789';
  const asked: Array<[Date | null, Date | null]> = [];
  const surveys: SurveyFacts[] = [
    { channel: 'telegram', supportType: 'financial', subjectType: 'request', invitedAt: new Date('2026-11-05T10:00:00Z'), rating: 4 },
    { channel: 'web', supportType: null, subjectType: 'handoff', invitedAt: new Date('2026-11-06T10:00:00Z'), rating: null },
  ];
  const app = () => buildApp({ ready: async () => ({ mongo: 'ok', redis: 'ok', channels: [] }), logger: false, plugins: [reportRoutes({ staffApiToken: token, surveysSent: async (from, to) => (asked.push([from, to]), surveys) })] });

  it('answers staff with the report for the period (to inclusive, Riyadh days)', async () => {
    const res = await (await app()).inject({ url: `${SATISFACTION_ROUTE}?from=2026-11-01&to=2026-11-30`, headers: { authorization: `Bearer ${token}` } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.json()).toMatchObject({ from: '2026-11-01', to: '2026-11-30', overall: { invited: 2, rated: 1, average: 4, responseRate: 0.5 } });
    expect(asked.at(-1)?.map((d) => d?.toISOString())).toEqual(['2026-10-31T21:00:00.000Z', '2026-11-30T21:00:00.000Z']);
  });

  it('refuses anyone without the staff token, and bad dates or extra parameters', async () => {
    const a = await app();
    expect((await a.inject({ url: SATISFACTION_ROUTE })).statusCode).toBe(401);
    expect((await a.inject({ url: SATISFACTION_ROUTE, headers: { authorization: 'Bearer wrong-token-wrong-token-000' } })).statusCode).toBe(401);
    const bad = await a.inject({ url: `${SATISFACTION_ROUTE}?from=2026-13-01`, headers: { authorization: `Bearer ${token}` } });
    expect(bad.statusCode).toBe(400);
    expect((await a.inject({ url: `${SATISFACTION_ROUTE}?channel=web`, headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(400);
  });
});
