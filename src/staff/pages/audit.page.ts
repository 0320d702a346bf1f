import type { FastifyInstance } from 'fastify';
import { reportPeriod } from '../../domain/satisfaction';
import { isRequestStatus } from '../../domain/support-request';
import { STAFF_ROLES } from '../roles';
import type { AuditEntry, AuditQuery, AuditRepository } from '../audit.repository';
import { AUDIT_ACTIONS, type AuditAction } from '../staff.models';
import type { StaffAccount, StaffRepository } from '../staff.repository';
import type { PageText } from './console.i18n';
import { renderPage } from './console.layout';
import { html, type Html } from './html';
import type { PageKit } from './page.kit';

export interface AuditPageDeps {
  kit: PageKit;
  audit: AuditRepository;
  staff: StaffRepository;
}

const ADMIN = { access: { roles: ['admin'] as const } };
const PAGE_SIZE = 50;

interface AuditFilters {
  action?: string;
  actor?: string;
  from?: string;
  to?: string;
  page?: string;
}

/**
 * GET /staff/audit (admins): the audit log, newest first, filtered by action, actor and Riyadh
 * days. A plain GET form; with htmx, filtering and paging swap only the results and keep the URL.
 */
export async function auditPage(app: FastifyInstance, deps: AuditPageDeps): Promise<void> {
  app.get<{ Querystring: AuditFilters }>('/audit', { config: ADMIN }, async (request, reply) => {
    const frame = deps.kit.frame(request);
    const { text } = frame;
    const filters = request.query;
    const accounts = await deps.staff.list();
    const query = auditQuery(filters);
    const results = query ? await deps.audit.query(query) : null;
    const names = new Map(accounts.map((a) => [a.id, a.name]));
    const body = html`<div hx-target="#audit-results" hx-select="#audit-results" hx-swap="outerHTML" hx-push-url="true">
${filterForm(text, filters, accounts)}
<div id="audit-results">
${results === null ? html`<p class="notice error" role="alert">${text.t('audit.bad_filter')}</p>` : html`
${results.entries.length === 0 ? html`<p class="notice">${text.t('audit.none')}</p>` : entriesTable(text, results.entries, names)}
${pager(text, filters, results.page, results.hasMore)}`}
</div>
</div>`;
    return deps.kit.send(reply, renderPage(frame, deps.kit.viewer(request), { title: text.t('nav.audit'), current: 'audit', body }));
  });
}

/** The repository's query, or null when a filter cannot be read (a bad date, an unknown action). */
function auditQuery(f: AuditFilters): AuditQuery | null {
  const page = f.page === undefined || f.page === '' ? 1 : Number(f.page);
  if (!Number.isInteger(page) || page < 1 || page > 10_000) return null;
  const action = f.action === undefined || f.action === '' ? undefined : f.action;
  if (action !== undefined && !(AUDIT_ACTIONS as readonly string[]).includes(action)) return null;
  const actor = f.actor === undefined || f.actor === '' ? undefined : f.actor;
  const period = reportPeriod(f.from || undefined, f.to || undefined);
  if ('error' in period) return null;
  return {
    page,
    pageSize: PAGE_SIZE,
    ...(action ? { action: action as AuditAction } : {}),
    ...(actor ? { actorId: actor } : {}),
    ...(period.from ? { from: period.from } : {}),
    ...(period.until ? { to: period.until } : {}),
  };
}

function filterForm(text: PageText, f: AuditFilters, accounts: StaffAccount[]): Html {
  const option = (value: string, label: string, selected: string | undefined): Html => html`<option value="${value}"${value === (selected ?? '') ? html` selected` : ''}>${label}</option>`;
  return html`<form method="get" action="/staff/audit" class="filters" hx-get="/staff/audit">
<label>${text.t('audit.action')} <select name="action">${option('', text.t('audit.any'), f.action)}${AUDIT_ACTIONS.map((a) => option(a, text.t(`audit_action.${a}`), f.action))}</select></label>
<label>${text.t('audit.actor')} <select name="actor">${option('', text.t('audit.any'), f.actor)}${accounts.map((a) => option(a.id, a.name, f.actor))}</select></label>
<label>${text.t('audit.from')} <input type="date" name="from" value="${f.from ?? ''}"></label>
<label>${text.t('audit.to')} <input type="date" name="to" value="${f.to ?? ''}"></label>
<button type="submit">${text.t('audit.apply')}</button>
</form>`;
}

function entriesTable(text: PageText, entries: AuditEntry[], names: Map<string, string>): Html {
  const who = (id: string | null): string => (id === null ? text.t('audit.system') : (names.get(id) ?? id));
  return html`<div class="table-scroll"><table class="audit">
<thead><tr><th scope="col">${text.t('audit.at')}</th><th scope="col">${text.t('audit.action')}</th><th scope="col">${text.t('audit.actor')}</th><th scope="col">${text.t('audit.target')}</th><th scope="col">${text.t('audit.via')}</th><th scope="col">${text.t('audit.ip')}</th><th scope="col">${text.t('audit.detail')}</th><th scope="col">${text.t('audit.reason')}</th></tr></thead>
<tbody>${entries.map(
    (e) => html`<tr><td>${text.dateTime(e.at)}</td><td>${text.t(`audit_action.${e.action}`)}</td><td>${who(e.actorId)}</td><td>${e.targetId === null ? '—' : who(e.targetId)}</td><td>${text.t(`audit_via.${e.via}`)}</td><td dir="ltr">${e.ip ?? '—'}</td>${detailCell(text, e, who)}<td dir="auto">${e.reason ?? ''}</td></tr>`,
  )}</tbody>
</table></div>`;
}

/**
 * An entry's detail in words where it has a known shape: a status change as the two statuses, a
 * transfer as the colleague's name, a reveal as the field, roles as role names; anything else
 * (ids, counts) as stored, left to right.
 */
function detailCell(text: PageText, e: AuditEntry, who: (id: string | null) => string): Html {
  const d = e.detail ?? '';
  const statuses = /^([a-z_]+)->([a-z_]+)$/.exec(d);
  if (e.action === 'status-changed' && statuses?.[1] && statuses[2] && isRequestStatus(statuses[1]) && isRequestStatus(statuses[2])) {
    return html`<td>${text.t('audit.detail_status', { from: text.t(`request_status.${statuses[1]}`), to: text.t(`request_status.${statuses[2]}`) })}</td>`;
  }
  const transfer = /^to:([0-9a-f]{24})$/.exec(d);
  if (e.action === 'handoff-transferred' && transfer?.[1]) return html`<td>${text.t('audit.detail_transfer', { name: who(transfer[1]) })}</td>`;
  if (e.action === 'personal-data-revealed' && (d === 'nationalId' || d === 'phone')) return html`<td>${text.t(`case.field.${d}`)}</td>`;
  if (e.action === 'account-created' && d !== '' && d.split(',').every((r) => (STAFF_ROLES as readonly string[]).includes(r))) {
    return html`<td>${text.list(d.split(',').map((r) => text.t(`role.${r}`)))}</td>`;
  }
  return html`<td dir="ltr">${d}</td>`;
}

function pager(text: PageText, f: AuditFilters, page: number, hasMore: boolean): Html {
  const link = (to: number, label: string): Html => {
    const params = new URLSearchParams(Object.entries({ ...f, page: String(to) }).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1] !== ''));
    const href = `/staff/audit?${params.toString()}`;
    return html`<a href="${href}" hx-get="${href}">${label}</a>`;
  };
  return html`<nav class="pager" aria-label="${text.t('audit.pages')}">
${page > 1 ? link(page - 1, text.t('audit.newer')) : ''}
<span>${text.t('audit.page', { page })}</span>
${hasMore ? link(page + 1, text.t('audit.older')) : ''}
</nav>`;
}
