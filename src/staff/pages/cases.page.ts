import type { FastifyInstance } from 'fastify';
import { FACILITIES, REQUEST_STATUSES, SUPPORT_TYPES } from '../../domain/support-request';
import { CASE_ROUTE_ROLES } from '../case.access';
import type { CaseActions } from '../case.actions';
import type { CaseRepository, CaseSummary } from '../case.repository';
import { caseActorOf, caseFilterOf, type ListQuery } from '../case.routes';
import type { PageText } from './console.i18n';
import { renderPage } from './console.layout';
import { html, type Html } from './html';
import type { PageKit } from './page.kit';

export interface CasesPageDeps {
  kit: PageKit;
  actions: CaseActions;
  cases: Pick<CaseRepository, 'list'>;
  clock: { now(): Date };
}

const READ = { access: { roles: CASE_ROUTE_ROLES } };
const PAGE_SIZE = 25;
const FILTERS = ['status', 'supportType', 'facility', 'from', 'to', 'reference'] as const;
type Filters = Partial<Record<(typeof FILTERS)[number] | 'page', string>>;

/**
 * GET /staff/cases: the support requests, newest first, with the API's filters (the reference as
 * people type it) and its per-record rule (an agent sees linked cases only). No names; the
 * national ID masked. With htmx, filtering and paging swap only the results.
 */
export async function casesPage(app: FastifyInstance, deps: CasesPageDeps): Promise<void> {
  app.get<{ Querystring: Filters }>('/cases', { config: READ }, async (request, reply) => {
    const frame = deps.kit.frame(request);
    const { text } = frame;
    const f = request.query;
    const results = await search(deps, f, await deps.actions.scopeOf(caseActorOf(request)));
    const body = html`<div hx-target="#case-results" hx-select="#case-results" hx-swap="outerHTML" hx-push-url="true">
${filterForm(text, f)}
<div id="case-results">
${results === null ? html`<p class="notice error" role="alert">${text.t('cases.bad_filter')}</p>` : html`
${results.cases.length === 0 ? html`<p class="notice">${text.t('cases.none')}</p>` : caseList(text, results.cases)}
${pager(text, f, results.page, results.hasMore)}`}
</div>
</div>`;
    return deps.kit.send(reply, renderPage(frame, deps.kit.viewer(request), { title: text.t('nav.cases'), current: 'cases', body }), results === null ? 400 : 200);
  });
}

async function search(deps: CasesPageDeps, f: Filters, scope: Awaited<ReturnType<CaseActions['scopeOf']>>): Promise<{ cases: CaseSummary[]; hasMore: boolean; page: number } | null> {
  const page = f.page === undefined || f.page === '' ? 1 : Number(f.page);
  if (!Number.isInteger(page) || page < 1 || page > 1000) return null;
  const given = (v: string | undefined): string | undefined => (v === undefined || v.trim() === '' ? undefined : v.trim());
  const oneOf = <T extends string>(v: string | undefined, list: readonly T[]): T | undefined | null => (v === undefined ? undefined : (list as readonly string[]).includes(v) ? (v as T) : null);
  const status = oneOf(given(f.status), REQUEST_STATUSES);
  const supportType = oneOf(given(f.supportType), SUPPORT_TYPES);
  const facility = oneOf(given(f.facility), FACILITIES);
  const day = /^\d{4}-\d{2}-\d{2}$/;
  const from = given(f.from);
  const to = given(f.to);
  if (status === null || supportType === null || facility === null || (from && !day.test(from)) || (to && !day.test(to))) return null;
  const reference = given(f.reference);
  const query: Omit<ListQuery, 'page' | 'pageSize'> = { ...(status ? { status } : {}), ...(supportType ? { supportType } : {}), ...(facility ? { facility } : {}), ...(from ? { from } : {}), ...(to ? { to } : {}), ...(reference ? { reference } : {}) };
  const filter = caseFilterOf(query, scope, deps.clock.now());
  if (filter === null) return null;
  return { ...(await deps.cases.list(filter, page, PAGE_SIZE)), page };
}

function filterForm(text: PageText, f: Filters): Html {
  const option = (value: string, label: string, selected: string | undefined): Html => html`<option value="${value}"${value === (selected ?? '') ? html` selected` : ''}>${label}</option>`;
  const select = (name: 'status' | 'supportType' | 'facility', labelKey: string, values: readonly string[], group: string): Html =>
    html`<label>${text.t(labelKey)} <select name="${name}">${option('', text.t('cases.any'), f[name])}${values.map((v) => option(v, text.t(`${group}.${v}`), f[name]))}</select></label>`;
  return html`<form method="get" action="/staff/cases" class="filters" hx-get="/staff/cases" role="search">
<label>${text.t('cases.reference')} <input name="reference" dir="ltr" maxlength="40" value="${f.reference ?? ''}" placeholder="BSR-2026-00017" autocomplete="off"></label>
${select('status', 'cases.status', REQUEST_STATUSES, 'request_status')}
${select('supportType', 'cases.support_type', SUPPORT_TYPES, 'support_type')}
${select('facility', 'cases.facility', FACILITIES, 'facility')}
<label>${text.t('cases.from')} <input type="date" name="from" value="${f.from ?? ''}"></label>
<label>${text.t('cases.to')} <input type="date" name="to" value="${f.to ?? ''}"></label>
<button type="submit">${text.t('cases.apply')}</button>
</form>`;
}

/** Cards rather than a wide table: six columns do not fit 390 px. */
function caseList(text: PageText, cases: CaseSummary[]): Html {
  return html`<ul class="cards cases">${cases.map(
    (c) => html`<li class="card">
<p class="title"><a href="/staff/cases/${c.reference}" dir="ltr">${c.reference}</a> <span class="badge status-${c.status}">${text.t(`request_status.${c.status}`)}</span></p>
<p>${text.t(`support_type.${c.supportType}`)} · ${text.t(`facility.${c.facility}`)}</p>
<p class="hint">${text.t('cases.national_id')}: <bdi dir="ltr">${c.nationalIdMasked}</bdi></p>
<p class="hint">${text.t('cases.submitted')}: ${text.dateTime(c.submittedAt)} · ${text.t(`channel.${c.channel}`)}</p>
</li>`,
  )}</ul>`;
}

function pager(text: PageText, f: Filters, page: number, hasMore: boolean): Html {
  const link = (to: number, label: string): Html => {
    const params = new URLSearchParams(Object.entries({ ...f, page: String(to) }).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1] !== '' && e[0] !== 'lng'));
    const href = `/staff/cases?${params.toString()}`;
    return html`<a href="${href}" hx-get="${href}">${label}</a>`;
  };
  return html`<nav class="pager" aria-label="${text.t('cases.pages')}">
${page > 1 ? link(page - 1, text.t('cases.newer')) : ''}
<span>${text.t('cases.page', { page })}</span>
${hasMore ? link(page + 1, text.t('cases.older')) : ''}
</nav>`;
}
