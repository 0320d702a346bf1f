import { ConfigError, loadConfig } from '../../src/config/config';
import { generateSecrets } from '../../src/security/dev-secrets';

describe('config', () => {
  it('runs with no environment at all', () => {
    const config = loadConfig({});
    expect(config.env).toBe('development');
    expect(config.mongoUri).toBeUndefined();
  });

  it('refuses production without secrets, naming the variables', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/DATA_ENCRYPTION_KEYS, DATA_HMAC_KEY, MONGODB_URI, REDIS_URL, SESSION_SECRET, STAFF_API_TOKEN/);
  });

  it('treats an empty variable (as docker compose passes it) as missing', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', DATA_ENCRYPTION_KEYS: '', DATA_HMAC_KEY: '', MONGODB_URI: 'mongodb://m/x', REDIS_URL: 'redis://r' })).toThrow(
      /refuses to start without DATA_ENCRYPTION_KEYS, DATA_HMAC_KEY/,
    );
  });

  it('starts in production with generated secrets', () => {
    const s = generateSecrets();
    const config = loadConfig({
      NODE_ENV: 'production',
      DATA_ENCRYPTION_KEYS: s.encryptionKeys,
      DATA_HMAC_KEY: s.hmacKey,
      SESSION_SECRET: s.sessionSecret,
      STAFF_API_TOKEN: s.staffApiToken,
      MONGODB_URI: 'mongodb://m/x',
      REDIS_URL: 'redis://r',
    });
    expect(config.env).toBe('production');
  });

  it('enables channels only when configured, and insists on a webhook secret', () => {
    expect(loadConfig({}).telegram).toBeNull();
    expect(loadConfig({ TELEGRAM_BOT_TOKEN: '123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ' }).telegram?.apiRoot).toBe('https://api.telegram.org');
    expect(() => loadConfig({ TELEGRAM_BOT_TOKEN: '123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ', TELEGRAM_WEBHOOK_URL: 'https://bot.example.org/tg' })).toThrow(/TELEGRAM_WEBHOOK_SECRET/);
    expect(() => loadConfig({ WHATSAPP_CLOUD_ENABLED: 'true' })).toThrow(/WHATSAPP_CLOUD_TOKEN/);
    expect(loadConfig({ PROCESS_ROLES: 'workers' }).roles.has('web')).toBe(false);
    expect(() => loadConfig({ PROCESS_ROLES: 'web,cron' })).toThrow(/PROCESS_ROLES/);
  });

  it('names a malformed variable', () => {
    expect(() => loadConfig({ DATA_HMAC_KEY: 'short' })).toThrow(ConfigError);
    expect(() => loadConfig({ DATA_HMAC_KEY: 'short' })).toThrow(/DATA_HMAC_KEY/);
    expect(() => loadConfig({ HANDOFF_NOTICE_MINUTES: 'soon' })).toThrow(/HANDOFF_NOTICE_MINUTES/);
  });
});
