import type { FastifyError, FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import type { Translator } from '../../engine/ports';
import { errorMessage } from '../../logging/logger';
import { HasherBusyError } from '../password';
import type { ReportRouteDeps } from '../reports.routes';
import type { StaffContext } from '../staff.context';
import { accessOf, clearedSessionCookie, CSRF_HEADER, csrfTokenMatches, decideAccess, guardDepsOf, staffOf, type AccessRefusal, type GuardDeps } from '../staff.guard';
import { auditPage } from './audit.page';
import { channelsPage, type ChannelStatusSource } from './channels.page';
import { ASSET_CACHE, loadConsoleAssets, type ConsoleAssets } from './console.assets';
import { languageCookie, languageOf } from './console.i18n';
import { renderBarePage } from './console.layout';
import { cannedPage } from './canned.page';
import { casePage } from './case.page';
import { casesPage } from './cases.page';
import { dashboardPage, type DashboardCounts } from './dashboard.page';
import { html } from './html';
import { handoffPage } from './handoff.page';
import { inboxPage, type InboxPageDeps } from './inbox.page';
import { loginPages, safeNext } from './login.page';
import { contentSecurityPolicy, issueNonce, pageKit, type PageKit } from './page.kit';
import { staffAdminPage } from './staff-admin.page';
import { tasksPage } from './tasks.page';
import { CaseActions } from '../case.actions';
import type { CaseReview } from '../case.review';

export interface ConsolePagesOptions {
  translator: Translator;
  /** PUBLIC_BASE_URL, whose origin form posts must come from when set (as for the API). */
  publicBaseUrl: string | undefined;
  reports: ReportRouteDeps;
  counts: DashboardCounts;
  channels: ChannelStatusSource;
  /** The handoff inbox's desk, views, events and canned replies: the same the API is given. */
  handoffs: InboxPageDeps['handoffs'];
  /** Case review and the task list: the same services as the API's. */
  cases: CaseReview;
  /** Tests may pass their own; loaded from public/ and node_modules otherwise. */
  assets?: ConsoleAssets;
}

/** A parsed form: repeated fields (check boxes) become lists. */
export type FormBody = Record<string, string | string[]>;

const FORM_LIMIT_BYTES = 16 * 1024;

/**
 * The staff console's pages under /staff, rendered on the server with the same sessions, roles and
 * CSRF tokens as the JSON API (src/staff/*.routes.ts). Its own scope: pages answer HTML (a log-in
 * page instead of 401, an HTML 403), accept HTML form posts, and are not part of the API's OpenAPI
 * document. Every route declares `config.access`, as in the API; the scope adds the guard itself.
 */
export function consolePages(context: StaffContext, options: ConsolePagesOptions): FastifyPluginAsync {
  const guardDeps = guardDepsOf(context.auth, options.publicBaseUrl);
  const assets = options.assets ?? loadConsoleAssets();
  const kit = pageKit(options.translator, assets);
  return async (app) => {
    await app.register(
      async (scope) => {
        scope.addHook('onRoute', (route) => guardPage(route, guardDeps, kit));
        scope.addHook('onRequest', async (request, reply) => {
          const nonce = issueNonce(request);
          reply.header('content-security-policy', contentSecurityPolicy(nonce));
          reply.header('x-content-type-options', 'nosniff').header('x-frame-options', 'DENY').header('referrer-policy', 'same-origin');
          if (!request.url.startsWith('/staff/assets/')) reply.header('cache-control', 'no-store');
          const { lng, fromQuery } = languageOf(request);
          if (fromQuery) reply.header('set-cookie', languageCookie(lng));
        });
        scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: FORM_LIMIT_BYTES }, (_request, body, done) => {
          done(null, parseForm(String(body)));
        });
        handleErrors(scope, kit);
        serveAssets(scope, assets);
        scope.get('/', { config: { access: { public: true } } }, async (_request, reply) => kit.redirect(reply, '/staff/dashboard'));
        await loginPages(scope, { kit, auth: context.auth, cookieMaxAgeSeconds: Math.floor(context.sessions.timeouts.absoluteMs / 1000) });
        await dashboardPage(scope, { kit, reports: options.reports, counts: options.counts, clock: context.clock });
        await auditPage(scope, { kit, audit: context.audit, staff: context.staff });
        await staffAdminPage(scope, { kit, accounts: context.accounts, staff: context.staff });
        await channelsPage(scope, { kit, channels: options.channels });
        const inbox: InboxPageDeps = { kit, handoffs: options.handoffs, staff: context.staff, audit: context.audit, clock: context.clock };
        await inboxPage(scope, inbox);
        await handoffPage(scope, inbox);
        await cannedPage(scope, { kit, canned: options.handoffs.canned, audit: context.audit, clock: context.clock });
        const actions = new CaseActions({ ...options.cases.services, audit: context.audit, staff: context.staff, clock: context.clock });
        await casesPage(scope, { kit, actions, cases: options.cases.services.cases, clock: context.clock });
        await casePage(scope, { kit, actions });
        await tasksPage(scope, { kit, board: options.cases.board, audit: context.audit, clock: context.clock, staff: context.staff });
      },
      { prefix: '/staff' },
    );
  };
}

export function parseForm(body: string): FormBody {
  const form: FormBody = {};
  for (const [key, value] of new URLSearchParams(body)) {
    const previous = form[key];
    form[key] = previous === undefined ? value : Array.isArray(previous) ? [...previous, value] : [previous, value];
  }
  return form;
}

/**
 * The guard of a page: the API's decision, answered in HTML. A page asked for without a session
 * sends the browser to log in. A form post's CSRF token comes in the `_csrf` field (or, for
 * htmx requests, the x-csrf-token header) and is checked once the body is parsed, before the handler.
 */
function guardPage(route: RouteOptions, deps: GuardDeps, kit: PageKit): void {
  const access = accessOf(route.config);
  if (!access) throw new Error(`console page ${String(route.method)} ${route.url} declares no config.access`);
  route.onRequest = async (request: FastifyRequest, reply: FastifyReply) => {
    const verdict = await decideAccess(deps, access, request, 'deferred');
    if (verdict.ok) return undefined;
    return refuse(request, reply, kit, verdict.refusal);
  };
  if (!('public' in access)) {
    route.preHandler = async (request: FastifyRequest, reply: FastifyReply) => {
      if (request.method === 'GET' || request.method === 'HEAD') return undefined;
      const field = (request.body as FormBody | undefined)?._csrf;
      const given = typeof field === 'string' ? field : request.headers[CSRF_HEADER];
      if (csrfTokenMatches(given, staffOf(request))) return undefined;
      return refuse(request, reply, kit, 'csrf-failed');
    };
  }
}

const REFUSAL_STATUS: Record<Exclude<AccessRefusal, 'not-authenticated'>, number> = { 'cross-origin': 403, 'csrf-failed': 403, 'forbidden-role': 403 };

function refuse(request: FastifyRequest, reply: FastifyReply, kit: PageKit, refusal: AccessRefusal): FastifyReply {
  if (refusal === 'not-authenticated') {
    // A page opened from a link (a task, a colleague's message) comes back after log-in; htmx's fragment fetches do not.
    const next = request.method === 'GET' && request.headers['hx-request'] === undefined ? safeNext(request.url) : null;
    return kit.redirect(reply.header('set-cookie', clearedSessionCookie()), next ? `/staff/login?next=${encodeURIComponent(next)}` : '/staff/login');
  }
  return errorPage(request, reply, kit, `errors.${refusal}`, REFUSAL_STATUS[refusal]);
}

export function errorPage(request: FastifyRequest, reply: FastifyReply, kit: PageKit, key: string, status: number): FastifyReply {
  const frame = kit.frame(request);
  const body = html`<p class="notice error" role="alert">${frame.text.t(key)}</p><p><a href="/staff/dashboard">${frame.text.t('errors.back')}</a></p>`;
  return kit.send(reply, renderBarePage(frame, { title: frame.text.t('errors.title'), body }), status);
}

function handleErrors(scope: FastifyInstance, kit: PageKit): void {
  scope.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof HasherBusyError) return errorPage(request, reply.header('retry-after', '5'), kit, 'errors.server-busy', 503);
    const status = error.statusCode ?? 500;
    if (error.validation || (status >= 400 && status < 500)) return errorPage(request, reply, kit, 'errors.invalid-request', error.validation ? 400 : status);
    request.log.error({ err: errorMessage(error), route: request.routeOptions.url }, 'staff console fault');
    return errorPage(request, reply, kit, 'errors.internal', 500);
  });
}

function serveAssets(scope: FastifyInstance, assets: ConsoleAssets): void {
  for (const asset of Object.values(assets)) {
    scope.get(asset.url.slice('/staff'.length), { config: { access: { public: true } } }, async (_request, reply) =>
      reply.header('cache-control', ASSET_CACHE).type(asset.contentType).send(asset.body),
    );
  }
}
