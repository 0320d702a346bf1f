import { ConfigError, loadConfig } from '../../src/config/config';
import { generateSecrets } from '../../src/security/dev-secrets';

describe('config', () => {
  it('runs with no environment at all', () => {
    const config = loadConfig({});
    expect(config.env).toBe('development');
    expect(config.mongoUri).toBeUndefined();
  });

  it('refuses production without secrets, naming the variables', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/DATA_ENCRYPTION_KEYS, DATA_HMAC_KEY, MONGODB_URI, REDIS_URL/);
  });

  it('treats an empty variable (as docker compose passes it) as missing', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', DATA_ENCRYPTION_KEYS: '', DATA_HMAC_KEY: '', MONGODB_URI: 'mongodb://m/x', REDIS_URL: 'redis://r' })).toThrow(
      /refuses to start without DATA_ENCRYPTION_KEYS, DATA_HMAC_KEY/,
    );
  });

  it('starts in production with generated secrets', () => {
    const s = generateSecrets();
    const config = loadConfig({ NODE_ENV: 'production', DATA_ENCRYPTION_KEYS: s.encryptionKeys, DATA_HMAC_KEY: s.hmacKey, MONGODB_URI: 'mongodb://m/x', REDIS_URL: 'redis://r' });
    expect(config.env).toBe('production');
  });

  it('names a malformed variable', () => {
    expect(() => loadConfig({ DATA_HMAC_KEY: 'short' })).toThrow(ConfigError);
    expect(() => loadConfig({ DATA_HMAC_KEY: 'short' })).toThrow(/DATA_HMAC_KEY/);
    expect(() => loadConfig({ HANDOFF_NOTICE_MINUTES: 'soon' })).toThrow(/HANDOFF_NOTICE_MINUTES/);
  });
});
