import { z } from 'zod';

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
    HANDOFF_NOTICE_MINUTES: z.coerce.number().int().min(1).max(1440).default(5),
    DRAFT_RESUME_MINUTES: z.coerce.number().int().min(1).max(10080).default(30),
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
  };
  if (config.env === 'production') requireProductionSecrets(config);
  return config;
}

function requireProductionSecrets(config: AppConfig): void {
  const missing: string[] = [];
  if (!config.encryptionKeys) missing.push('DATA_ENCRYPTION_KEYS');
  if (!config.hmacKey) missing.push('DATA_HMAC_KEY');
  if (!config.mongoUri) missing.push('MONGODB_URI');
  if (!config.redisUrl) missing.push('REDIS_URL');
  if (missing.length > 0) {
    throw new ConfigError(
      `NODE_ENV=production refuses to start without ${missing.join(', ')} — generate keys with "npm run admin -- gen-keys".`,
    );
  }
}
