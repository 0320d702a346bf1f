import { ConfigError, loadConfig } from '../../src/config/config';

describe('TRUST_PROXY', () => {
  it('trusts no proxy by default, a hop count, or a list of proxy addresses', () => {
    expect(loadConfig({}).http.trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: 'false' }).http.trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '1' }).http.trustProxy).toBe(1);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8, 192.168.1.5,::1' }).http.trustProxy).toEqual(['10.0.0.0/8', '192.168.1.5', '::1']);
  });

  it('refuses "true" (any client could choose its address) and garbage, naming the variable', () => {
    for (const value of ['true', 'yes', '0', '10.0.0.0/8;rm']) {
      expect(() => loadConfig({ TRUST_PROXY: value })).toThrow(ConfigError);
      expect(() => loadConfig({ TRUST_PROXY: value })).toThrow(/TRUST_PROXY/);
    }
  });
});
