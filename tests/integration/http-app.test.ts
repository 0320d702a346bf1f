import { buildApp } from '../../src/http/app';

describe('HTTP app', () => {
  it('answers /health and reports readiness as JSON, 503 when a dependency is down', async () => {
    let mongo: 'ok' | 'down' = 'ok';
    const app = await buildApp({
      logger: false,
      plugins: [],
      ready: async () => ({ mongo, redis: 'ok', channels: [{ channel: 'web', state: 'ready' }] }),
    });
    expect((await app.inject({ method: 'GET', url: '/health' })).json()).toEqual({ status: 'ok' });
    const ready = await app.inject({ method: 'GET', url: '/ready' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({ status: 'ready', mongo: 'ok', redis: 'ok' });
    mongo = 'down';
    const notReady = await app.inject({ method: 'GET', url: '/ready' });
    expect(notReady.statusCode).toBe(503);
    expect(notReady.json()).toMatchObject({ status: 'not-ready', mongo: 'down' });
    await app.close();
  });

  it('reports a failed channel as not ready', async () => {
    const app = await buildApp({
      logger: false,
      plugins: [],
      ready: async () => ({ mongo: 'ok', redis: 'ok', channels: [{ channel: 'whatsapp', state: 'failed', detail: 'auth_failure' }] }),
    });
    expect((await app.inject({ method: 'GET', url: '/ready' })).statusCode).toBe(503);
    await app.close();
  });
});
