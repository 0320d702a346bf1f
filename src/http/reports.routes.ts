import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { reportPeriod, summariseSatisfaction, type SurveyFacts } from '../domain/satisfaction';
import { bearerMatches } from '../security/bearer';

export const SATISFACTION_ROUTE = '/staff/api/reports/satisfaction';

export interface ReportRouteDeps {
  staffApiToken: string | undefined;
  /** Surveys sent in [from, to). */
  surveysSent(from: Date | null, to: Date | null): Promise<SurveyFacts[]>;
}

const Query = z.object({ from: z.string().optional(), to: z.string().optional() }).strict();

/**
 * The satisfaction report as JSON, for the staff console to draw. Staff only: until the console's
 * own sessions exist it takes `Authorization: Bearer <STAFF_API_TOKEN>`. No personal data: counts only.
 */
export function reportRoutes(deps: ReportRouteDeps): FastifyPluginAsync {
  return async (app) => {
    app.get(SATISFACTION_ROUTE, async (request, reply) => {
      reply.header('cache-control', 'no-store');
      if (deps.staffApiToken === undefined) return reply.code(503).send({ error: 'staff-token-unset' });
      if (!bearerMatches(request.headers.authorization, deps.staffApiToken)) return reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'unauthorized' });
      const query = Query.safeParse(request.query);
      if (!query.success) return reply.code(400).send({ error: 'bad-query', message: 'only from and to (YYYY-MM-DD) are accepted' });
      const period = reportPeriod(query.data.from, query.data.to);
      if ('error' in period) return reply.code(400).send({ error: 'bad-date', message: period.error });
      return summariseSatisfaction(await deps.surveysSent(period.from, period.until), { from: period.from, to: period.toDay });
    });
  };
}
