import type { MongoSurveyRepository } from '../../src/persistence/survey.repository';

/** Surveys sent over a few months with a spread of ratings, for the dashboard's charts. */
export async function seedSurveys(surveys: MongoSurveyRepository): Promise<number> {
  const plan: Array<[string, number | null]> = [
    ['2026-08-10', 5], ['2026-08-12', 4], ['2026-08-20', 3], ['2026-09-02', 5], ['2026-09-15', 2], ['2026-09-18', 4],
    ['2026-10-01', 5], ['2026-10-09', 5], ['2026-10-21', 1], ['2026-10-22', null], ['2026-11-03', 4], ['2026-11-05', 5],
  ];
  let n = 0;
  for (const [day, rating] of plan) {
    n += 1;
    const at = new Date(`${day}T09:00:00Z`);
    const id = `request-BSR-2026-${String(n).padStart(5, '0')}`;
    await surveys.create({ id, subject: { type: 'request', id: id.slice(8) }, conversationId: `c${n}`, channel: n % 2 ? 'telegram' : 'whatsapp', language: 'ar', supportType: n % 3 ? 'financial' : 'educational' }, at);
    await surveys.invited(id, at);
    if (rating !== null) await surveys.rate(id, rating, at);
  }
  return plan.length;
}
