import { randomBytes } from 'node:crypto';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import type { Connection } from 'mongoose';
import type { NewSupportRequest } from '../../src/engine/ports';
import { buildApp } from '../../src/http/app';
import { createFollowUpModels } from '../../src/persistence/followup.models';
import { MessageLogRepository } from '../../src/persistence/message-log.repository';
import { createModels } from '../../src/persistence/models';
import { MongoRequestRepository } from '../../src/persistence/request.repository';
import type { FollowUps } from '../../src/runtime/followups';
import type { PipelineQueues } from '../../src/runtime/pipeline';
import type { CaseLinks } from '../../src/staff/case.access';
import { createCaseReview } from '../../src/staff/case.review';
import { MongoSurveyRepository } from '../../src/persistence/survey.repository';
import type { LoginLimits } from '../../src/staff/login-limiter';
import { PasswordHasher } from '../../src/staff/password';
import type { StaffRole } from '../../src/staff/roles';
import { createStaffContext, type StaffContext } from '../../src/staff/staff.context';
import { STAFF_COOKIE } from '../../src/staff/staff.guard';
import { handoffInbox, staffPlugin, type StaffPluginOptions } from '../../src/staff/staff.plugin';
import type { StaffAccount } from '../../src/staff/staff.repository';
import { makeNationalId, ManualClock } from './fixtures';
import { startTestPipeline, type TestPipeline } from './pipeline';

/**
 * The staff API on a real Redis and FerretDB, with a hand-moved clock and cheaper scrypt
 * parameters (the default cost is covered by the unit tests). Each harness has its own database
 * and Redis key prefix, removed by close().
 */
export interface StaffHarness {
  app: FastifyInstance;
  /** The harness's database, to look at what is stored. */
  db: Connection;
  context: StaffContext;
  clock: ManualClock;
  /** The surveys of the harness's database, behind the satisfaction report. */
  surveys: MongoSurveyRepository;
  reports: StaffPluginOptions['reports'];
  cases: StaffPluginOptions['cases'];
  /** The follow-ups behind status changes and tasks (the pipeline's; its workers run only when the given pipeline runs them). */
  followUps: FollowUps;
  requests: MongoRequestRepository;
  log: MessageLogRepository;
  /** The pipeline's BullMQ queues (names and key prefix), for the queues board. */
  queues: PipelineQueues;
  /** Links a request to an agent, as a handoff they hold will (see src/staff/case.access.ts). */
  linkCase(staffId: string, reference: string): void;
  /** Submits a support request as the bot would; returns its reference. */
  createRequest(seed: number, overrides?: Partial<NewSupportRequest['data']> & { sender?: string }): Promise<string>;
  /** The inbox's route dependencies, around the harness's (or the given) message pipeline. */
  handoffs: StaffPluginOptions['handoffs'];
  createStaff(roles: StaffRole[], options?: { email?: string; name?: string }): Promise<TestStaff>;
  /** `totp`: the authenticator code, for an account with a second factor. */
  login(email: string, password: string, options?: { ip?: string; cookie?: string; totp?: string }): Promise<LoginOutcome>;
  call(method: InjectOptions['method'], url: string, options?: CallOptions): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

export interface TestStaff {
  account: StaffAccount;
  email: string;
  password: string;
}

export interface LoginOutcome {
  response: LightMyRequestResponse;
  /** The session id the response set, if any. */
  sessionId: string | undefined;
  csrfToken: string | undefined;
}

export interface CallOptions {
  sessionId?: string;
  csrfToken?: string;
  body?: unknown;
  headers?: Record<string, string>;
  ip?: string;
}

/**
 * `pipeline`: the staff API on a running test pipeline's database and send path (the inbox tests);
 * without it the harness starts a pipeline of its own with no channels and no workers.
 */
export async function startStaffHarness(label: string, options: { limits?: LoginLimits; publicBaseUrl?: string; pipeline?: TestPipeline } = {}): Promise<StaffHarness> {
  const own = options.pipeline ? null : await startTestPipeline(label, () => [], { workers: false });
  const run = (options.pipeline ?? own) as TestPipeline;
  const services = run.env.services;
  const prefix = `t-staff-${randomBytes(4).toString('hex')}`;
  const clock = new ManualClock();
  const context = await createStaffContext({ queuePrefix: prefix, staffSessions: { idleMinutes: 30, absoluteHours: 12 } }, services, {
    clock,
    hasher: new PasswordHasher({ ln: 12, r: 8, p: 1 }),
    ...(options.limits ? { limits: options.limits } : {}),
  });
  const surveys = new MongoSurveyRepository(await createFollowUpModels(services.mongo), services.cipher);
  const reports = { surveysSent: (from: Date | null, to: Date | null) => surveys.sentBetween(from, to) };
  const followUps = run.pipeline.followUps;
  const log = run.pipeline.log;
  const requests = new MongoRequestRepository(await createModels(services.mongo), services.cipher);
  const linked = new Map<string, Set<string>>();
  const links: CaseLinks = { referencesOf: async (staffId) => linked.get(staffId) ?? new Set() };
  const cases = await createCaseReview(services, { followUps, log }, links);
  // Event streams end quickly here: fastify's inject() waits for the end of a response.
  const handoffs = { ...(await handoffInbox(services, run.pipeline, run.env.core.engine)), eventStreamMaxMs: 200 };
  const app = await buildApp({
    logger: false,
    plugins: [staffPlugin(context, { publicBaseUrl: options.publicBaseUrl, reports, cases, handoffs })],
    ready: async () => ({ mongo: 'ok', redis: 'ok', channels: [] }),
  });
  const call: StaffHarness['call'] = (method, url, o = {}) =>
    app.inject({
      method,
      url,
      remoteAddress: o.ip ?? '127.0.0.1',
      headers: {
        ...(o.sessionId !== undefined ? { cookie: `${STAFF_COOKIE}=${o.sessionId}` } : {}),
        ...(o.csrfToken !== undefined ? { 'x-csrf-token': o.csrfToken } : {}),
        ...o.headers,
      },
      ...(o.body !== undefined ? { payload: o.body as Record<string, unknown> } : {}),
    });
  return {
    app,
    db: services.mongo,
    context,
    clock,
    surveys,
    reports,
    cases,
    followUps,
    requests,
    log,
    queues: run.pipeline.queues,
    linkCase(staffId, reference) {
      linked.set(staffId, new Set([...(linked.get(staffId) ?? []), reference]));
    },
    async createRequest(seed, o = {}) {
      const { sender, ...data } = o;
      const now = clock.now();
      const outcome = await requests.create(
        {
          draftId: `draft-${seed}-${randomBytes(3).toString('hex')}`,
          language: 'ar',
          applicant: { channel: 'telegram', account: 'bot', sender: sender ?? String(7000 + seed) },
          data: {
            applicantName: 'سلمى خالد العمري',
            nationalId: makeNationalId(seed),
            phone: '+966501112222',
            relation: 'spouse',
            inmateName: 'خالد العمري',
            facility: 'dammam_general',
            facilityOther: null,
            supportType: 'financial',
            description: 'إيجار البيت متأخر ثلاثة أشهر',
            ...data,
          },
          attestation: { wordingVersion: 'attest-2026-11-v1', attestedAt: now, channel: 'telegram', messageId: `m-${seed}`, dataHash: 'sha256-test' },
        },
        now,
      );
      if (outcome.type !== 'created') throw new Error(`createRequest: ${outcome.type}`);
      return outcome.reference;
    },
    handoffs,
    async createStaff(roles, o = {}) {
      const email = o.email ?? `staff-${randomBytes(4).toString('hex')}@basirah.example`;
      const password = `Lantern ${randomBytes(9).toString('base64url')} orchard`;
      const created = await context.accounts.create({ email, name: o.name ?? 'Test Staff', roles, password }, { staffId: null, via: 'cli', ip: null });
      if (!created.ok) throw new Error(`createStaff: ${created.reason}`);
      return { account: created.account, email, password };
    },
    async login(email, password, o = {}) {
      const response = await app.inject({
        method: 'POST',
        url: '/staff/api/login',
        remoteAddress: o.ip ?? '127.0.0.1',
        headers: o.cookie !== undefined ? { cookie: `${STAFF_COOKIE}=${o.cookie}` } : {},
        payload: { email, password, ...(o.totp !== undefined ? { totp: o.totp } : {}) },
      });
      const cookie = response.cookies.find((c) => c.name === STAFF_COOKIE && c.value !== '');
      const body = response.statusCode === 200 ? (response.json() as { csrfToken: string }) : undefined;
      return { response, sessionId: cookie?.value, csrfToken: body?.csrfToken };
    },
    call,
    async close() {
      await app.close();
      const keys = await services.redis.keys(`${prefix}:*`);
      if (keys.length > 0) await services.redis.del(...keys);
      await own?.close();
    },
  };
}

/** Logs in a fresh staff member holding `roles`; returns their session. */
export async function signedIn(harness: StaffHarness, roles: StaffRole[]): Promise<TestStaff & { sessionId: string; csrfToken: string }> {
  const staff = await harness.createStaff(roles);
  const { sessionId, csrfToken, response } = await harness.login(staff.email, staff.password);
  if (sessionId === undefined || csrfToken === undefined) throw new Error(`signedIn: log-in answered ${response.statusCode}`);
  return { ...staff, sessionId, csrfToken };
}
