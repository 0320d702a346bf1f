import type { AppConfig } from '../../config/config';
import type { AppEnv } from './app-handle';
import type { TelegramTarget } from './context';

export const BENCH_TELEGRAM: TelegramTarget & { url: string } = {
  token: '7000000001:AABenchTokenForTheBenchOnly_abcdefghij',
  secret: 'bench-webhook-secret-0123456789',
  path: '/telegram/webhook',
  // What setWebhook registers; the bench posts to the app's real (random) port itself.
  url: 'http://127.0.0.1/telegram/webhook',
};

/**
 * The environment of the app under test, as an operator would set it for `npm start`: roles
 * web,channels,workers, a private database and queue prefix, a random loopback port, Telegram in
 * webhook mode against the fake Bot API. Only the variables listed here reach the app.
 */
export function appEnv(base: AppConfig, urls: { mongoUri: string; redisUrl: string }, names: { database: string; prefix: string }, telegramApiRoot: string): AppEnv {
  const env: AppEnv = {
    NODE_ENV: 'development',
    LOG_LEVEL: 'error',
    MONGODB_URI: urls.mongoUri,
    MONGODB_DB: names.database,
    REDIS_URL: urls.redisUrl,
    QUEUE_PREFIX: names.prefix,
    QUEUE_SHARDS: String(base.queueShards),
    HOST: '127.0.0.1',
    PORT: '0',
    // The bench is the reverse proxy on loopback that names each simulated family's address, so
    // per-address limits count families, not the one machine they all run on.
    TRUST_PROXY: '127.0.0.1',
    PROCESS_ROLES: 'web,channels,workers',
    TELEGRAM_BOT_TOKEN: BENCH_TELEGRAM.token,
    TELEGRAM_WEBHOOK_URL: BENCH_TELEGRAM.url,
    TELEGRAM_WEBHOOK_SECRET: BENCH_TELEGRAM.secret,
    TELEGRAM_API_ROOT: telegramApiRoot,
    // The follow-up drain makes surveys due at once, whatever the hour of the run.
    QUIET_HOURS: 'off',
    SURVEY_DELAY_MINUTES: '0',
  };
  const optional: Array<[string, string | undefined]> = [
    ['DATA_DIR', base.dataDir],
    ['DATA_ENCRYPTION_KEYS', base.encryptionKeys],
    ['DATA_HMAC_KEY', base.hmacKey],
    ['SESSION_SECRET', base.sessionSecret],
  ];
  for (const [key, value] of optional) if (value !== undefined) env[key] = value;
  return env;
}
