import type { FastifyError, FastifyInstance, FastifyPluginAsync, onRequestHookHandler, RouteOptions } from 'fastify';
import type { AppConfig } from '../config/config';
import { errorMessage } from '../logging/logger';
import type { Services } from '../runtime/services';
import { adminRoutes } from './admin.routes';
import { authRoutes } from './auth.routes';
import { createCaseReview, type CaseReview } from './case.review';
import { caseRoutes } from './case.routes';
import { taskRoutes } from './task.routes';
import type { MessageLogRepository } from '../persistence/message-log.repository';
import type { FollowUps } from '../runtime/followups';
import { reportRoutes, type ReportRouteDeps } from './reports.routes';
import { createFollowUpModels } from '../persistence/followup.models';
import { MongoSurveyRepository } from '../persistence/survey.repository';
import { HasherBusyError } from './password';
import { cannedRoutes } from './canned.routes';
import { CannedReplyRepository } from './canned-replies.repository';
import { handoffRoutes, type HandoffRouteDeps } from './handoff.routes';
import { HandoffViews } from '../handoffs/handoff-views';
import type { CaseLinks } from './case.access';
import type { Engine } from '../engine/engine';
import { createModels } from '../persistence/models';
import { MongoRequestRepository } from '../persistence/request.repository';
import type { Pipeline } from '../runtime/pipeline';
import { documentStaffApi } from './openapi';
import { createStaffContext, type StaffContext, type StaffOverrides } from './staff.context';
import { sendError } from './staff.errors';
import { accessOf, ANY_STAFF, guardDepsOf, requireAccess, type GuardDeps } from './staff.guard';
import { openApiSchema } from './staff.schemas';
import { consolePages, type ConsolePagesOptions } from './pages/console.plugin';
import { queuesBoard } from './pages/queues.page';
import { DashboardCountsRepository } from '../persistence/dashboard-counts.repository';

/** Bumped when the API changes in a way a console build must know about. */
export const STAFF_API_VERSION = '1.0.0';

export interface StaffPluginOptions {
  /** PUBLIC_BASE_URL, whose origin state-changing requests must come from when set. */
  publicBaseUrl: string | undefined;
  reports: ReportRouteDeps;
  /** Case review and the task list (issue 10, section 3). */
  cases: CaseReview;
  /** The handoff inbox: the pipeline's desk (records, send path, planner), views, live events; canned replies. */
  handoffs: HandoffRouteDeps & { canned: CannedReplyRepository };
}

/** What the app runtime lends the staff console: its follow-ups (planner, scheduled messages, tasks) and message log. */
export interface StaffConsoleParts {
  followUps: Pick<FollowUps, 'planner' | 'scheduled' | 'tasks'>;
  log: MessageLogRepository;
}

/**
 * The staff console's HTTP side under /staff: its JSON API under /staff/api (pages come later).
 * Every route must declare `config.access`; the plugin refuses to start otherwise, adds the guard
 * to each route itself, and @fastify/swagger lists each route in the OpenAPI document (see openapi.ts).
 */
export function staffPlugin(context: StaffContext, options: StaffPluginOptions): FastifyPluginAsync {
  const guardDeps = guardDepsOf(context.auth, options.publicBaseUrl);
  return async (app) => {
    await app.register(
      async (scope) => {
        // Before any route, so that @fastify/swagger's onRoute hook (of this scope only) sees each of them.
        await documentStaffApi(scope, STAFF_API_VERSION);
        scope.addHook('onRoute', (route) => guardRoute(route, guardDeps));
        // Nothing the staff API answers may be kept by a browser or a proxy.
        scope.addHook('onSend', async (_request, reply, payload) => {
          reply.header('cache-control', 'no-store');
          return payload;
        });
        handleErrors(scope);
        await authRoutes(scope, { auth: context.auth, cookieMaxAgeSeconds: Math.floor(context.sessions.timeouts.absoluteMs / 1000) });
        await adminRoutes(scope, { accounts: context.accounts, staff: context.staff, audit: context.audit });
        await reportRoutes(scope, options.reports);
        await caseRoutes(scope, { ...options.cases.services, audit: context.audit, staff: context.staff, clock: context.clock });
        await taskRoutes(scope, { board: options.cases.board, audit: context.audit, clock: context.clock });
        await handoffRoutes(scope, options.handoffs, context);
        await cannedRoutes(scope, options.handoffs.canned, context);
        // Built on the first request (the app is ready by then) and kept by @fastify/swagger.
        scope.get('/api/openapi.json', { schema: openApiSchema, config: { access: ANY_STAFF } }, async () => scope.swagger());
      },
      { prefix: '/staff' },
    );
  };
}

/** What only the running process knows, for the console's pages: its translator and its channels. */
export type ConsoleRuntime = Pick<ConsolePagesOptions, 'translator' | 'channels'>;

/** The plugin as the app runtime registers it: wires the staff context from the process's services, and the inbox from its pipeline and engine. */
export function staffConsole(config: AppConfig, services: Services, parts: StaffConsoleParts & ConsoleRuntime & { pipeline: Pipeline; engine: Engine }, overrides: StaffOverrides = {}): FastifyPluginAsync {
  return async (app) => {
    const context = await createStaffContext(config, services, overrides);
    const surveys = new MongoSurveyRepository(await createFollowUpModels(services.mongo), services.cipher);
    const reports = { surveysSent: (from: Date | null, to: Date | null) => surveys.sentBetween(from, to) };
    const handoffs = await handoffInbox(services, parts.pipeline, parts.engine);
    const cases = await createCaseReview(services, parts, handoffCaseLinks(handoffs.views, context.clock));
    await app.register(staffPlugin(context, { publicBaseUrl: config.http.publicBaseUrl, reports, cases, handoffs }));
    const counts = new DashboardCountsRepository(await createModels(services.mongo));
    await app.register(consolePages(context, { translator: parts.translator, channels: parts.channels, publicBaseUrl: config.http.publicBaseUrl, reports, counts, handoffs, cases }));
    // Beside the pages, not in their scope: bull-board answers its own page and JSON API (see queues.page.ts).
    const guard = guardDepsOf(context.auth, config.http.publicBaseUrl);
    await app.register(queuesBoard({ guard, queues: { ...parts.pipeline.queues, redisUrl: services.redisUrl }, translator: parts.translator }));
  };
}

/** The inbox's route dependencies around a pipeline and an engine (the app and the tests wire it the same way). */
export async function handoffInbox(services: Pick<Services, 'mongo' | 'cipher'>, pipeline: Pipeline, engine: Engine): Promise<StaffPluginOptions['handoffs']> {
  const requests = new MongoRequestRepository(await createModels(services.mongo), services.cipher);
  const views = new HandoffViews({ inbox: pipeline.handoffInbox, records: pipeline.records, log: pipeline.log, requests });
  return { desk: pipeline.handoffDesk(engine), views, events: pipeline.handoffEvents, canned: await CannedReplyRepository.create(services.mongo) };
}

/**
 * The per-record rule's links for agents: the open request of each open handoff an agent holds
 * (see case.access.ts). Read when asked, so a claim or a transfer counts at once.
 */
export function handoffCaseLinks(views: Pick<HandoffViews, 'heldBy'>, clock: { now(): Date }): CaseLinks {
  return {
    async referencesOf(staffId) {
      // Only the agent's own handoffs are read in full, not every open one's conversation and requests.
      const held = (await views.heldBy(staffId, clock.now())).filter((h) => h.request !== null);
      return new Set(held.map((h) => (h.request as { reference: string }).reference));
    },
  };
}

function guardRoute(route: RouteOptions, deps: GuardDeps): void {
  const method = String(route.method);
  const access = accessOf(route.config);
  if (!access) throw new Error(`staff route ${method} ${route.url} declares no config.access`);
  const own: onRequestHookHandler = requireAccess(deps, access);
  const existing = route.onRequest === undefined ? [] : Array.isArray(route.onRequest) ? route.onRequest : [route.onRequest];
  route.onRequest = [own, ...existing];
}

function handleErrors(scope: FastifyInstance): void {
  scope.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof HasherBusyError) return sendError(reply.header('retry-after', '5'), 'server-busy');
    const status = error.statusCode ?? 500;
    if (error.validation || (status >= 400 && status < 500)) return sendError(reply, 'invalid-request', { status: error.validation ? 400 : status });
    request.log.error({ err: errorMessage(error), route: request.routeOptions.url }, 'staff API fault');
    return sendError(reply, 'internal');
  });
  scope.setNotFoundHandler((_request, reply) => sendError(reply, 'not-found'));
}
