import { randomBytes } from 'node:crypto';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { Redis } from 'ioredis';
import type { Connection } from 'mongoose';
import { DEFAULT_FOLLOW_UP_SETTINGS } from '../../src/domain/followup';
import type { NewSupportRequest } from '../../src/engine/ports';
import { buildApp } from '../../src/http/app';
import { createLogger } from '../../src/logging/logger';
import { conversationId } from '../../src/persistence/conversation.store';
import { createFollowUpModels } from '../../src/persistence/followup.models';
import { createMessageLogModels } from '../../src/persistence/message-log.models';
import { MessageLogRepository } from '../../src/persistence/message-log.repository';
import { createModels } from '../../src/persistence/models';
import { MongoRequestRepository } from '../../src/persistence/request.repository';
import { createFollowUps, type FollowUps } from '../../src/runtime/followups';
import type { CaseLinks } from '../../src/staff/case.access';
import { createCaseReview } from '../../src/staff/case.review';
import { MongoSurveyRepository } from '../../src/persistence/survey.repository';
import type { LoginLimits } from '../../src/staff/login-limiter';
import { PasswordHasher } from '../../src/staff/password';
import type { StaffRole } from '../../src/staff/roles';
import { createStaffContext, type StaffContext } from '../../src/staff/staff.context';
import { STAFF_COOKIE } from '../../src/staff/staff.guard';
import { staffPlugin, type StaffPluginOptions } from '../../src/staff/staff.plugin';
import type { StaffAccount } from '../../src/staff/staff.repository';
import { makeNationalId, ManualClock } from './fixtures';
import { connectTestServices } from './services';

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
  /** The follow-ups behind status changes and tasks (scheduling only: no workers run). */
  followUps: FollowUps;
  requests: MongoRequestRepository;
  log: MessageLogRepository;
  /** Links a request to an agent, as a handoff they hold will (see src/staff/case.access.ts). */
  linkCase(staffId: string, reference: string): void;
  /** Submits a support request as the bot would; returns its reference. */
  createRequest(seed: number, overrides?: Partial<NewSupportRequest['data']> & { sender?: string }): Promise<string>;
  createStaff(roles: StaffRole[], options?: { email?: string; name?: string }): Promise<TestStaff>;
  login(email: string, password: string, options?: { ip?: string; cookie?: string }): Promise<LoginOutcome>;
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

export async function startStaffHarness(label: string, options: { limits?: LoginLimits; publicBaseUrl?: string } = {}): Promise<StaffHarness> {
  const services = await connectTestServices(label);
  const prefix = `t-staff-${randomBytes(4).toString('hex')}`;
  const clock = new ManualClock();
  const context = await createStaffContext({ queuePrefix: prefix, staffSessions: { idleMinutes: 30, absoluteHours: 12 } }, services, {
    clock,
    hasher: new PasswordHasher({ ln: 12, r: 8, p: 1 }),
    ...(options.limits ? { limits: options.limits } : {}),
  });
  const surveys = new MongoSurveyRepository(await createFollowUpModels(services.mongo), services.cipher);
  const reports = { surveysSent: (from: Date | null, to: Date | null) => surveys.sentBetween(from, to) };
  const connection = new Redis(services.redisUrl, { maxRetriesPerRequest: null });
  const followUps = await createFollowUps(services, connection, prefix, (ref) => conversationId(services.cipher, ref), {
    settings: DEFAULT_FOLLOW_UP_SETTINGS,
    retentionDays: 180,
    clock,
    logger: createLogger('silent'),
  });
  const log = new MessageLogRepository(await createMessageLogModels(services.mongo), services.cipher);
  const requests = new MongoRequestRepository(await createModels(services.mongo), services.cipher);
  const linked = new Map<string, Set<string>>();
  const links: CaseLinks = { referencesOf: async (staffId) => linked.get(staffId) ?? new Set() };
  const cases = await createCaseReview(services, { followUps, log }, links);
  const app = await buildApp({
    logger: false,
    plugins: [staffPlugin(context, { publicBaseUrl: options.publicBaseUrl, reports, cases })],
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
        payload: { email, password },
      });
      const cookie = response.cookies.find((c) => c.name === STAFF_COOKIE && c.value !== '');
      const body = response.statusCode === 200 ? (response.json() as { csrfToken: string }) : undefined;
      return { response, sessionId: cookie?.value, csrfToken: body?.csrfToken };
    },
    call,
    async close() {
      await app.close();
      await followUps.queue.queue.obliterate({ force: true }).catch(() => undefined);
      await followUps.close();
      await connection.quit().catch(() => undefined);
      const keys = await services.redis.keys(`${prefix}:*`);
      if (keys.length > 0) await services.redis.del(...keys);
      await services.drop();
      await services.close();
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
