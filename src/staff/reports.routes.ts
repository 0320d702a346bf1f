import type { FastifyInstance } from 'fastify';
import { reportPeriod, summariseSatisfaction, type SurveyFacts } from '../domain/satisfaction';
import { sendError } from './staff.errors';
import { satisfactionSchema } from './staff.schemas';

export interface ReportRouteDeps {
  /** Surveys sent in [from, to). */
  surveysSent(from: Date | null, to: Date | null): Promise<SurveyFacts[]>;
}

/** Supervisors work the satisfaction follow-ups; admins see everything. */
const READERS = { access: { roles: ['supervisor', 'admin'] as const } };

/** Reports for the console's dashboard (relative to the /staff prefix): counts only, no personal data. */
export async function reportRoutes(app: FastifyInstance, deps: ReportRouteDeps): Promise<void> {
  app.get<{ Querystring: { from?: string; to?: string } }>('/api/reports/satisfaction', { schema: satisfactionSchema, config: READERS }, async (request, reply) => {
    const period = reportPeriod(request.query.from, request.query.to);
    if ('error' in period) return sendError(reply, 'invalid-request');
    return summariseSatisfaction(await deps.surveysSent(period.from, period.until), { from: period.from, to: period.toDay });
  });
}
