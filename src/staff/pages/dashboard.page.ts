import type { FastifyInstance } from 'fastify';
import { FIRST_RESPONSE_WINDOW_DAYS, type FirstResponseStats } from '../../domain/first-response';
import { reportPeriod, summariseSatisfaction, type SatisfactionReport, type SatisfactionStats } from '../../domain/satisfaction';
import { REQUEST_STATUSES, SUPPORT_TYPES, type RequestStatus, type SupportType } from '../../domain/support-request';
import type { ReportRouteDeps } from '../reports.routes';
import { holdsAnyRole } from '../roles';
import { ANY_STAFF } from '../staff.guard';
import type { PageText } from './console.i18n';
import { renderPage } from './console.layout';
import { html, jsonData, type Html } from './html';
import type { PageKit } from './page.kit';

/** Counts for the dashboard, read straight from the collections (counts only, no personal data). */
export interface DashboardCounts {
  requestsByStatus(): Promise<Record<RequestStatus, number>>;
  requestsBySupportType(): Promise<Record<SupportType, number>>;
  /** Open handoffs: unclaimed (people waiting for someone) and held by a member of staff. */
  openHandoffs(): Promise<{ waiting: number; held: number }>;
  /** Time to the first staff reply, over the handoffs opened since `since`. */
  firstResponses(since: Date): Promise<FirstResponseStats>;
}

export interface DashboardPageDeps {
  kit: PageKit;
  reports: ReportRouteDeps;
  counts: DashboardCounts;
  clock: { now(): Date };
}

/** The satisfaction report's readers, as in GET /staff/api/reports/satisfaction. */
const REPORT_READERS = ['supervisor', 'admin'] as const;
const RATINGS = ['1', '2', '3', '4', '5'] as const;

/** One chart as dashboard.js draws it: the words come from the server, the script has none. */
interface ChartData {
  labels: string[];
  series: Array<{ label: string; values: Array<number | null>; kind?: 'line' }>;
  horizontal?: boolean;
  stacked?: boolean;
}

/** GET /staff/dashboard: requests, handoffs and (for supervisors and admins) satisfaction. */
export async function dashboardPage(app: FastifyInstance, deps: DashboardPageDeps): Promise<void> {
  app.get<{ Querystring: { from?: string; to?: string } }>('/dashboard', { config: { access: ANY_STAFF } }, async (request, reply) => {
    const frame = deps.kit.frame(request);
    const viewer = deps.kit.viewer(request);
    const { text } = frame;
    const since = new Date(deps.clock.now().getTime() - FIRST_RESPONSE_WINDOW_DAYS * 86_400_000);
    const [byStatus, byType, open, firstResponse] = await Promise.all([
      deps.counts.requestsByStatus(),
      deps.counts.requestsBySupportType(),
      deps.counts.openHandoffs(),
      deps.counts.firstResponses(since),
    ]);
    const charts: Record<string, ChartData> = {
      status: { labels: REQUEST_STATUSES.map((s) => text.t(`request_status.${s}`)), series: [{ label: text.t('dashboard.requests'), values: REQUEST_STATUSES.map((s) => byStatus[s]) }], horizontal: true },
      supportType: { labels: SUPPORT_TYPES.map((s) => text.t(`support_type.${s}`)), series: [{ label: text.t('dashboard.requests'), values: SUPPORT_TYPES.map((s) => byType[s]) }], horizontal: true },
    };
    let satisfaction: Html = html``;
    if (holdsAnyRole(viewer.roles, REPORT_READERS)) {
      const period = reportPeriod(nonEmpty(request.query.from), nonEmpty(request.query.to));
      const report = 'error' in period ? null : summariseSatisfaction(await deps.reports.surveysSent(period.from, period.until), { from: period.from, to: period.toDay });
      if (report) Object.assign(charts, satisfactionCharts(report, text));
      satisfaction = satisfactionSection(text, report, request.query);
    }
    const body = html`<section aria-labelledby="requests-h">
<h2 id="requests-h">${text.t('dashboard.requests_title')}</h2>
<p class="figure">${text.t('dashboard.requests_total')} <span class="value">${text.number(sum(Object.values(byStatus)))}</span></p>
<div class="grid">
${chartFigure('status', text.t('dashboard.by_status'), charts.status, text)}
${chartFigure('supportType', text.t('dashboard.by_support_type'), charts.supportType, text)}
</div>
</section>
<section aria-labelledby="handoffs-h">
<h2 id="handoffs-h">${text.t('dashboard.handoffs_title')}</h2>
<div class="grid tiles">
<div class="tile"><p class="value">${text.number(open.waiting)}</p><p>${text.t('dashboard.handoffs_waiting')}</p></div>
<div class="tile"><p class="value">${text.number(open.held)}</p><p>${text.t('dashboard.handoffs_held')}</p></div>
${firstResponseTile(text, firstResponse)}
</div>
</section>
${satisfaction}
<script type="application/json" id="dashboard-data" nonce="${frame.nonce}">${jsonData({ dir: text.dir, locale: text.lng, charts })}</script>`;
    return deps.kit.send(reply, renderPage(frame, viewer, { title: text.t('nav.dashboard'), current: 'dashboard', body, scripts: ['chart.js', 'dashboard.js'] }));
  });
}

/** The average first response of the last days, with the median and how many chats it covers. */
function firstResponseTile(text: PageText, stats: FirstResponseStats): Html {
  const days = FIRST_RESPONSE_WINDOW_DAYS;
  if (stats.averageSeconds === null || stats.medianSeconds === null) {
    return html`<div class="tile muted"><p class="value">—</p><p>${text.t('dashboard.first_response', { days })}</p><p class="hint">${text.t('dashboard.first_response_none', { days })}</p></div>`;
  }
  const hint = text.t('dashboard.first_response_hint', { median: text.duration(stats.medianSeconds), count: stats.answered });
  return html`<div class="tile"><p class="value">${text.duration(stats.averageSeconds)}</p><p>${text.t('dashboard.first_response', { days })}</p><p class="hint">${hint}</p></div>`;
}

function satisfactionSection(text: PageText, report: SatisfactionReport | null, query: { from?: string; to?: string }): Html {
  const form = html`<form method="get" action="/staff/dashboard" class="filters">
<label>${text.t('dashboard.from')} <input type="date" name="from" value="${query.from ?? ''}"></label>
<label>${text.t('dashboard.to')} <input type="date" name="to" value="${query.to ?? ''}"></label>
<button type="submit">${text.t('dashboard.apply')}</button>
</form>`;
  if (!report) return html`<section aria-labelledby="satisfaction-h"><h2 id="satisfaction-h">${text.t('dashboard.satisfaction_title')}</h2>${form}<p class="notice error" role="alert">${text.t('dashboard.bad_period')}</p></section>`;
  const o = report.overall;
  return html`<section aria-labelledby="satisfaction-h">
<h2 id="satisfaction-h">${text.t('dashboard.satisfaction_title')}</h2>
${form}
<div class="grid tiles">
<div class="tile"><p class="value">${o.average === null ? '—' : text.number(o.average, 2)}</p><p>${text.t('dashboard.average')}</p></div>
<div class="tile"><p class="value">${text.number(o.rated)} / ${text.number(o.invited)}</p><p>${text.t('dashboard.rated_of_invited')}</p></div>
<div class="tile"><p class="value">${o.responseRate === null ? '—' : `${text.number(o.responseRate * 100)}%`}</p><p>${text.t('dashboard.response_rate')}</p></div>
</div>
${o.rated === 0 ? html`<p class="notice">${text.t('dashboard.no_ratings')}</p>` : html`<div class="grid">
${chartFigure('ratings', text.t('dashboard.distribution'), ratingsChart(o, text), text)}
${chartFigure('months', text.t('dashboard.over_time'), monthsChart(report, text), text)}
</div>`}
</section>`;
}

function satisfactionCharts(report: SatisfactionReport, text: PageText): Record<string, ChartData> {
  return { ratings: ratingsChart(report.overall, text), months: monthsChart(report, text) };
}

function ratingsChart(stats: SatisfactionStats, text: PageText): ChartData {
  return { labels: RATINGS.map((r) => text.t('dashboard.stars', { count: Number(r) })), series: [{ label: text.t('dashboard.ratings'), values: RATINGS.map((r) => stats.distribution[r]) }] };
}

/** Ratings of each month stacked, with the month's average as a line. */
function monthsChart(report: SatisfactionReport, text: PageText): ChartData {
  const months = Object.keys(report.byMonth).sort();
  const stats = months.map((m) => report.byMonth[m] as SatisfactionStats);
  const monthName = new Intl.DateTimeFormat(text.lng === 'ar' ? 'ar-SA-u-ca-gregory-nu-latn' : text.lng, { month: 'short', year: 'numeric', timeZone: 'UTC' });
  return {
    labels: months.map((m) => monthName.format(new Date(`${m}-15T00:00:00Z`))),
    stacked: true,
    series: [
      ...RATINGS.map((r) => ({ label: text.t('dashboard.stars', { count: Number(r) }), values: stats.map((s) => s.distribution[r]) })),
      { label: text.t('dashboard.average'), values: stats.map((s) => s.average), kind: 'line' as const },
    ],
  };
}

/** A canvas for dashboard.js and, under it, the same numbers as a table (screen readers, no script). */
function chartFigure(id: string, caption: string, data: ChartData | undefined, text: PageText): Html {
  if (!data) return html``;
  return html`<figure class="chart">
<figcaption>${caption}</figcaption>
<div class="canvas-box"><canvas id="chart-${id}" role="img" aria-label="${caption}"></canvas></div>
<details><summary>${text.t('dashboard.show_numbers')}</summary>
<table><thead><tr><th scope="col"></th>${data.series.map((s) => html`<th scope="col">${s.label}</th>`)}</tr></thead>
<tbody>${data.labels.map((label, i) => html`<tr><th scope="row">${label}</th>${data.series.map((s) => html`<td>${cell(s.values[i], text)}</td>`)}</tr>`)}</tbody></table>
</details>
</figure>`;
}

function cell(value: number | null | undefined, text: PageText): string {
  return value === null || value === undefined ? '—' : text.number(value, Number.isInteger(value) ? 0 : 2);
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
