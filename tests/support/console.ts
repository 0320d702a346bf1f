import type { FastifyInstance, FastifyPluginAsync, LightMyRequestResponse } from 'fastify';
import { buildApp } from '../../src/http/app';
import type { ChannelHealth } from '../../src/channels/channel';
import type { WwebPhase } from '../../src/channels/whatsapp-web/wweb.connection';
import type { FirstResponseStats } from '../../src/domain/first-response';
import { REQUEST_STATUSES, SUPPORT_TYPES, type RequestStatus, type SupportType } from '../../src/domain/support-request';
import { I18nTranslator } from '../../src/i18n/translator';
import { consolePages } from '../../src/staff/pages/console.plugin';
import type { DashboardCounts } from '../../src/staff/pages/dashboard.page';
import { queuesBoard } from '../../src/staff/pages/queues.page';
import { guardDepsOf, STAFF_COOKIE } from '../../src/staff/staff.guard';
import { staffPlugin } from '../../src/staff/staff.plugin';
import type { TestPipeline } from './pipeline';
import { startStaffHarness, type StaffHarness } from './staff';

const LOCALES_DIR = `${__dirname}/../../locales`;

/** Counts the dashboard shows, set by the test. */
export class FakeCounts implements DashboardCounts {
  byStatus = Object.fromEntries(REQUEST_STATUSES.map((s) => [s, 0])) as Record<RequestStatus, number>;
  byType = Object.fromEntries(SUPPORT_TYPES.map((s) => [s, 0])) as Record<SupportType, number>;
  waiting = 0;
  held = 0;
  /** What firstResponses() answers, and the `since` it was last asked for. */
  firstResponse: FirstResponseStats = { answered: 0, averageSeconds: null, medianSeconds: null };
  firstResponseSince: Date | null = null;
  async requestsByStatus(): Promise<Record<RequestStatus, number>> {
    return { ...this.byStatus };
  }
  async requestsBySupportType(): Promise<Record<SupportType, number>> {
    return { ...this.byType };
  }
  async openHandoffs(): Promise<{ waiting: number; held: number }> {
    return { waiting: this.waiting, held: this.held };
  }
  async firstResponses(since: Date): Promise<FirstResponseStats> {
    this.firstResponseSince = since;
    return { ...this.firstResponse };
  }
}

/** The channels page's source, set by the test. */
export class FakeChannels {
  health: ChannelHealth[] = [
    { channel: 'web', state: 'ready' },
    { channel: 'whatsapp', state: 'starting', detail: 'waiting for the QR code to be scanned' },
  ];
  link: { state: WwebPhase; qr: string | null } = { state: 'qr', qr: '2@test-qr-code,abc,def' };
}

/**
 * The staff API, the console's pages and the queues board on one app, over a staff harness (real
 * Redis and FerretDB). `page` and `post` send what a browser would: the session cookie, form bodies.
 */
export interface ConsoleHarness {
  staff: StaffHarness;
  app: FastifyInstance;
  /** The counts the dashboard shows, set by the test (unused when the harness was given `counts`). */
  counts: FakeCounts;
  channels: FakeChannels;
  get(url: string, options?: { sessionId?: string; cookie?: string }): Promise<LightMyRequestResponse>;
  post(url: string, form: Record<string, string | string[]>, options?: { sessionId?: string; headers?: Record<string, string> }): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

export function formBody(form: Record<string, string | string[]>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(form)) for (const v of Array.isArray(value) ? value : [value]) params.append(key, v);
  return params.toString();
}

/** The CSRF token a page's forms carry. */
export function csrfFieldOf(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match?.[1]) throw new Error('page has no _csrf field');
  return match[1];
}

/** The console's pages over a staff harness, with the given (or fresh) fake counts and channels. */
export function testConsolePages(
  staff: StaffHarness,
  o: { handoffs?: StaffHarness['handoffs']; counts?: DashboardCounts; channels?: FakeChannels; translator?: I18nTranslator } = {},
): FastifyPluginAsync {
  const channels = o.channels ?? new FakeChannels();
  return consolePages(staff.context, {
    translator: o.translator ?? I18nTranslator.load(LOCALES_DIR),
    publicBaseUrl: undefined,
    reports: staff.reports,
    counts: o.counts ?? new FakeCounts(),
    cases: staff.cases,
    channels: { health: () => channels.health, whatsappQr: () => channels.link },
    handoffs: o.handoffs ?? staff.handoffs,
  });
}

/**
 * `pipeline`: the console on a running test pipeline (the inbox tests); `eventStreamMaxMs`: how
 * long one inbox event stream lasts (the staff harness's 200 ms tests reconnection); `counts`: the
 * dashboard's counts (the database's, say) instead of the fake ones the test sets.
 */
export async function startConsoleHarness(label: string, options: { pipeline?: TestPipeline; eventStreamMaxMs?: number; counts?: DashboardCounts } = {}): Promise<ConsoleHarness> {
  const staff = await startStaffHarness(label, options.pipeline ? { pipeline: options.pipeline } : {});
  const handoffs = { ...staff.handoffs, eventStreamMaxMs: options.eventStreamMaxMs ?? staff.handoffs.eventStreamMaxMs };
  const counts = new FakeCounts();
  const channels = new FakeChannels();
  const translator = I18nTranslator.load(LOCALES_DIR);
  const app = await buildApp({
    logger: false,
    plugins: [
      staffPlugin(staff.context, { publicBaseUrl: undefined, reports: staff.reports, cases: staff.cases, handoffs }),
      testConsolePages(staff, { handoffs, counts: options.counts ?? counts, channels, translator }),
      queuesBoard({ guard: guardDepsOf(staff.context.auth, undefined), queues: { ...staff.queues, redisUrl: process.env.REDIS_URL as string }, translator }),
    ],
    ready: async () => ({ mongo: 'ok', redis: 'ok', channels: [] }),
  });
  const cookieOf = (o: { sessionId?: string; cookie?: string }): Record<string, string> => {
    const parts = [o.sessionId !== undefined ? `${STAFF_COOKIE}=${o.sessionId}` : null, o.cookie ?? null].filter((p): p is string => p !== null);
    return parts.length > 0 ? { cookie: parts.join('; ') } : {};
  };
  return {
    staff,
    app,
    counts,
    channels,
    get: (url, o = {}) => app.inject({ method: 'GET', url, headers: cookieOf(o) }),
    post: (url, form, o = {}) =>
      app.inject({
        method: 'POST',
        url,
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...cookieOf(o), ...o.headers },
        payload: formBody(form),
      }),
    async close() {
      await app.close();
      await staff.close();
    },
  };
}
