import { z } from 'zod';
import { parseReminderHours, type FollowUpSettings, type HandoffTimerSettings } from '../domain/followup';
import { DEFAULT_QUIET_HOURS, parseQuietHours } from '../domain/quiet-hours';

function parses(parse: () => unknown): boolean {
  try {
    parse();
    return true;
  } catch {
    return false;
  }
}

/**
 * The only module that reads `process.env`. Parsed once at boot; a bad value stops the boot
 * with a message naming the variable (see {@link ConfigError}).
 */
const KEY_LIST = /^[A-Za-z0-9_-]{1,32}:[A-Za-z0-9+/]{43}=$/;

const EnvSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    MONGODB_URI: z.string().url().optional(),
    MONGODB_DB: z.string().regex(/^[A-Za-z0-9_-]{1,60}$/).default('basirah'),
    REDIS_URL: z.string().url().optional(),
    /** `id:base64key[,id:base64key…]`; the first key encrypts, all of them decrypt (key rotation). */
    DATA_ENCRYPTION_KEYS: z
      .string()
      .refine((v) => v.split(',').every((k) => KEY_LIST.test(k.trim())), 'expected id:base64(32 bytes)[,id:base64…]')
      .optional(),
    /** base64 of 32 random bytes: keys the HMACs used to look records up by national ID or phone. */
    DATA_HMAC_KEY: z.string().regex(/^[A-Za-z0-9+/]{43}=$/, 'expected base64 of 32 bytes').optional(),
    /** Where the bot keeps local state (development keys, provisioned services). */
    DATA_DIR: z.string().optional(),
    // Follow-ups and surveys (see docs/followups.md)
    /** Riyadh time when the bot starts nothing itself: "22:00-08:00" (default) or "off". */
    QUIET_HOURS: z.string().default(DEFAULT_QUIET_HOURS).refine((v) => parses(() => parseQuietHours(v)), 'expected e.g. 22:00-08:00, or off'),
    /** Hours of silence before each reminder of an unfinished request. */
    REMINDER_HOURS: z.string().default('24,72').refine((v) => parses(() => parseReminderHours(v)), 'expected one or two increasing whole hours, e.g. 24,72'),
    /** Minutes after a request or handoff is closed before the satisfaction survey (0: at once). */
    SURVEY_DELAY_MINUTES: z.coerce.number().int().min(0).max(10080).default(60),
    /** The policy's promise: the committee decides in not less than two weeks; past it, the person is told it is still studied. */
    COMMITTEE_PROMISE_DAYS: z.coerce.number().int().min(1).max(90).default(14),
    /** Raw message texts older than this are deleted (cases, attestations and survey results stay). */
    RETENTION_DAYS: z.coerce.number().int().min(7).max(3650).default(180),
    HANDOFF_NOTICE_MINUTES: z.coerce.number().int().min(1).max(1440).default(5),
    DRAFT_RESUME_MINUTES: z.coerce.number().int().min(1).max(10080).default(30),
    /** Working minutes an open handoff may wait unclaimed before the person is told the wait is longer. */
    HANDOFF_CLAIM_MINUTES: z.coerce.number().int().min(1).max(1440).default(15),
    /** Working minutes an agent may hold a handoff without writing before it goes back to the queue (and a supervisor is told). */
    HANDOFF_SILENT_MINUTES: z.coerce.number().int().min(1).max(1440).default(30),
    // HTTP and process roles
    HOST: z.string().default('127.0.0.1'),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    PUBLIC_BASE_URL: z.string().url().optional(),
    /**
     * Which reverse proxies may name the client's address in X-Forwarded-For: `false` (none, the
     * socket's peer is the client), a number of proxy hops in front of the bot, or a comma list of
     * proxy addresses / CIDRs. Never "true": anyone could then pick the address flood limits count.
     */
    TRUST_PROXY: z
      .string()
      .default('false')
      .refine((v) => v === 'false' || /^[1-9]$/.test(v) || v.split(',').every((p) => /^(?=.*[.:])[0-9A-Fa-f.:]+(\/\d{1,3})?$/.test(p.trim())), 'expected false, a hop count 1–9, or a comma list of proxy addresses/CIDRs'),
    /** Which parts this process runs: web (HTTP), channels (Telegram polling, WhatsApp client), workers (queues). */
    PROCESS_ROLES: z
      .string()
      .default('web,channels,workers')
      .refine((v) => v.split(',').every((r) => ['web', 'channels', 'workers'].includes(r.trim())), 'expected a list of web, channels, workers'),
    QUEUE_SHARDS: z.coerce.number().int().min(1).max(64).default(4),
    /** BullMQ key prefix: separate deployments (or tests) sharing one Redis must differ. */
    QUEUE_PREFIX: z.string().regex(/^[A-Za-z0-9_-]{1,40}$/).default('basirah'),
    /** Signs the web chat's session cookie; base64 of ≥ 32 bytes. Generated for development. */
    SESSION_SECRET: z.string().min(32).optional(),
    /** Bearer token for staff-only HTTP endpoints (WhatsApp QR code, readiness details). */
    STAFF_API_TOKEN: z.string().min(24).optional(),
    /** Staff console sessions end after this many idle minutes, and this many hours after log-in however active. */
    STAFF_SESSION_IDLE_MINUTES: z.coerce.number().int().min(1).max(240).default(30),
    STAFF_SESSION_ABSOLUTE_HOURS: z.coerce.number().int().min(1).max(24).default(12),
    // Telegram
    TELEGRAM_BOT_TOKEN: z.string().regex(/^\d+:[A-Za-z0-9_-]{20,}$/, 'expected <bot id>:<secret> as given by @BotFather').optional(),
    TELEGRAM_WEBHOOK_URL: z.string().url().optional(),
    TELEGRAM_WEBHOOK_SECRET: z.string().regex(/^[A-Za-z0-9_-]{16,256}$/, '16–256 characters of A-Z a-z 0-9 _ -').optional(),
    TELEGRAM_API_ROOT: z.string().url().default('https://api.telegram.org'),
    // WhatsApp through whatsapp-web.js (unofficial)
    WHATSAPP_ENABLED: z.enum(['true', 'false']).default('false'),
    CHROMIUM_PATH: z.string().default('/usr/bin/chromium'),
    WHATSAPP_MAX_PER_MINUTE: z.coerce.number().int().min(1).max(120).default(20),
    // WhatsApp Business Cloud API (official)
    WHATSAPP_CLOUD_ENABLED: z.enum(['true', 'false']).default('false'),
    WHATSAPP_CLOUD_TOKEN: z.string().min(10).optional(),
    WHATSAPP_CLOUD_PHONE_NUMBER_ID: z.string().regex(/^\d{5,20}$/).optional(),
    WHATSAPP_CLOUD_APP_SECRET: z.string().min(8).optional(),
    WHATSAPP_CLOUD_VERIFY_TOKEN: z.string().min(8).optional(),
    WHATSAPP_CLOUD_API_ROOT: z.string().url().default('https://graph.facebook.com/v21.0'),
    /** Approved utility templates for messages outside the 24-hour window; unset: such messages are skipped, with the reason recorded. */
    WHATSAPP_CLOUD_TEMPLATE_FOLLOWUP: z.string().regex(/^[a-z0-9_]{1,512}$/, 'a template name as approved by Meta (a-z 0-9 _)').optional(),
    WHATSAPP_CLOUD_TEMPLATE_SURVEY: z.string().regex(/^[a-z0-9_]{1,512}$/, 'a template name as approved by Meta (a-z 0-9 _)').optional(),
  })
  .passthrough();

export type AppConfig = {
  env: 'development' | 'test' | 'production';
  logLevel: z.infer<typeof EnvSchema>['LOG_LEVEL'];
  mongoUri: string | undefined;
  mongoDb: string;
  redisUrl: string | undefined;
  encryptionKeys: string | undefined;
  hmacKey: string | undefined;
  dataDir: string | undefined;
  handoffNoticeMinutes: number;
  draftResumeMinutes: number;
  handoffTimers: HandoffTimerSettings;
  followUps: FollowUpSettings;
  retentionDays: number;
  http: { host: string; port: number; publicBaseUrl: string | undefined; trustProxy: TrustProxy };
  roles: ReadonlySet<'web' | 'channels' | 'workers'>;
  queueShards: number;
  queuePrefix: string;
  sessionSecret: string | undefined;
  staffApiToken: string | undefined;
  staffSessions: { idleMinutes: number; absoluteHours: number };
  telegram: { token: string; webhookUrl: string | undefined; webhookSecret: string | undefined; apiRoot: string } | null;
  whatsappWeb: { chromiumPath: string; maxPerMinute: number } | null;
  whatsappCloud: {
    token: string;
    phoneNumberId: string;
    appSecret: string;
    verifyToken: string;
    apiRoot: string;
    templates: { followup: string | undefined; survey: string | undefined };
  } | null;
};

/** A configuration fault: names the variable so the operator knows what to fix. */
export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
}

/** Parses the environment. Throws {@link ConfigError} naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  // docker compose passes `${VAR:-}` as an empty string: treat empty as unset.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = EnvSchema.safeParse(present);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration — ${problems.join('; ')}`);
  }
  const e = parsed.data;
  const config: AppConfig = {
    env: e.NODE_ENV,
    logLevel: e.LOG_LEVEL,
    mongoUri: e.MONGODB_URI,
    mongoDb: e.MONGODB_DB,
    redisUrl: e.REDIS_URL,
    encryptionKeys: e.DATA_ENCRYPTION_KEYS,
    hmacKey: e.DATA_HMAC_KEY,
    dataDir: e.DATA_DIR,
    handoffNoticeMinutes: e.HANDOFF_NOTICE_MINUTES,
    draftResumeMinutes: e.DRAFT_RESUME_MINUTES,
    handoffTimers: { claimMinutes: e.HANDOFF_CLAIM_MINUTES, silentMinutes: e.HANDOFF_SILENT_MINUTES },
    followUps: {
      quietHours: parseQuietHours(e.QUIET_HOURS),
      reminderHours: parseReminderHours(e.REMINDER_HOURS),
      surveyDelayMinutes: e.SURVEY_DELAY_MINUTES,
      promiseDays: e.COMMITTEE_PROMISE_DAYS,
      surveyReminderHours: 24,
    },
    retentionDays: e.RETENTION_DAYS,
    http: { host: e.HOST, port: e.PORT, publicBaseUrl: e.PUBLIC_BASE_URL, trustProxy: trustProxyOf(e.TRUST_PROXY) },
    roles: new Set(e.PROCESS_ROLES.split(',').map((r) => r.trim() as 'web' | 'channels' | 'workers')),
    queueShards: e.QUEUE_SHARDS,
    queuePrefix: e.QUEUE_PREFIX,
    sessionSecret: e.SESSION_SECRET,
    staffApiToken: e.STAFF_API_TOKEN,
    staffSessions: { idleMinutes: e.STAFF_SESSION_IDLE_MINUTES, absoluteHours: e.STAFF_SESSION_ABSOLUTE_HOURS },
    telegram: e.TELEGRAM_BOT_TOKEN
      ? { token: e.TELEGRAM_BOT_TOKEN, webhookUrl: e.TELEGRAM_WEBHOOK_URL, webhookSecret: e.TELEGRAM_WEBHOOK_SECRET, apiRoot: e.TELEGRAM_API_ROOT }
      : null,
    whatsappWeb: e.WHATSAPP_ENABLED === 'true' ? { chromiumPath: e.CHROMIUM_PATH, maxPerMinute: e.WHATSAPP_MAX_PER_MINUTE } : null,
    whatsappCloud: cloudConfig(e),
  };
  if (config.telegram?.webhookUrl && !config.telegram.webhookSecret) {
    throw new ConfigError('TELEGRAM_WEBHOOK_URL is set: TELEGRAM_WEBHOOK_SECRET is required so that forged updates are refused.');
  }
  if (config.env === 'production') requireProductionSecrets(config);
  return config;
}

type Env = z.infer<typeof EnvSchema>;

/** Proxies whose X-Forwarded-For is believed: none, a hop count, or their addresses. */
export type TrustProxy = false | number | string[];

function trustProxyOf(value: string): TrustProxy {
  if (value === 'false') return false;
  if (/^\d$/.test(value)) return Number(value);
  return value.split(',').map((p) => p.trim());
}

function cloudConfig(e: Env): AppConfig['whatsappCloud'] {
  if (e.WHATSAPP_CLOUD_ENABLED !== 'true') return null;
  const { WHATSAPP_CLOUD_TOKEN: token, WHATSAPP_CLOUD_PHONE_NUMBER_ID: phoneNumberId, WHATSAPP_CLOUD_APP_SECRET: appSecret, WHATSAPP_CLOUD_VERIFY_TOKEN: verifyToken } = e;
  if (!token || !phoneNumberId || !appSecret || !verifyToken) {
    throw new ConfigError(
      'WHATSAPP_CLOUD_ENABLED=true needs WHATSAPP_CLOUD_TOKEN, WHATSAPP_CLOUD_PHONE_NUMBER_ID, WHATSAPP_CLOUD_APP_SECRET and WHATSAPP_CLOUD_VERIFY_TOKEN.',
    );
  }
  return {
    token,
    phoneNumberId,
    appSecret,
    verifyToken,
    apiRoot: e.WHATSAPP_CLOUD_API_ROOT,
    templates: { followup: e.WHATSAPP_CLOUD_TEMPLATE_FOLLOWUP, survey: e.WHATSAPP_CLOUD_TEMPLATE_SURVEY },
  };
}

function requireProductionSecrets(config: AppConfig): void {
  const missing: string[] = [];
  if (!config.encryptionKeys) missing.push('DATA_ENCRYPTION_KEYS');
  if (!config.hmacKey) missing.push('DATA_HMAC_KEY');
  if (!config.mongoUri) missing.push('MONGODB_URI');
  if (!config.redisUrl) missing.push('REDIS_URL');
  if (!config.sessionSecret) missing.push('SESSION_SECRET');
  if (!config.staffApiToken) missing.push('STAFF_API_TOKEN');
  if (missing.length > 0) {
    throw new ConfigError(
      `NODE_ENV=production refuses to start without ${missing.join(', ')} — generate keys with "npm run admin -- gen-keys".`,
    );
  }
}

/**
 * STAFF_PASSWORD: read only by `npm run staff` (scripted set-up of the first admin, password
 * resets), so it is deliberately not part of the server's {@link AppConfig}. Unset or empty: the
 * command prompts for the password instead.
 */
export function loadStaffPassword(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const parsed = z.string().max(200).optional().safeParse(env.STAFF_PASSWORD === '' ? undefined : env.STAFF_PASSWORD);
  if (!parsed.success) throw new ConfigError('STAFF_PASSWORD: at most 200 characters');
  return parsed.data;
}
