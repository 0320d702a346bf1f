import Fastify, { type FastifyInstance, type FastifyPluginAsync } from 'fastify';
import type { ChannelHealth } from '../channels/channel';

export interface ReadyReport {
  mongo: 'ok' | 'down';
  redis: 'ok' | 'down';
  channels: ChannelHealth[];
}

export interface HttpDeps {
  /** Checks the dependencies; /ready answers 503 when any is down or a channel has failed. */
  ready: () => Promise<ReadyReport>;
  plugins: ReadonlyArray<FastifyPluginAsync>;
  /** Passed to fastify; false in tests. The logger redacts personal data. */
  logger: FastifyInstance['log'] | boolean;
  bodyLimit?: number;
  /**
   * Proxies allowed to name the client in X-Forwarded-For (config TRUST_PROXY); none by default,
   * since a header anyone can send must not choose the address the web chat's flood limits count.
   */
  trustProxy?: false | number | string[];
}

/** fastify takes a hop count as a function of the hop (proxy-addr's form): the first `n` hops are trusted proxies. */
function trustProxyOption(trust: false | number | string[]): boolean | string[] | ((address: string, hop: number) => boolean) {
  return typeof trust === 'number' ? (_address: string, hop: number) => hop < trust : trust;
}

/** Builds the HTTP app without listening, so tests use `app.inject()`. */
export async function buildApp(deps: HttpDeps): Promise<FastifyInstance> {
  const app = Fastify({
    logger: deps.logger === false ? false : deps.logger === true ? true : undefined,
    ...(typeof deps.logger === 'object' ? { loggerInstance: deps.logger } : {}),
    bodyLimit: deps.bodyLimit ?? 256 * 1024,
    trustProxy: trustProxyOption(deps.trustProxy ?? false),
  });
  app.get('/health', async () => ({ status: 'ok' }));
  app.get('/ready', async (_request, reply) => {
    const report = await deps.ready();
    const ok = report.mongo === 'ok' && report.redis === 'ok' && report.channels.every((c) => c.state !== 'failed');
    return reply.code(ok ? 200 : 503).send({ status: ok ? 'ready' : 'not-ready', ...report });
  });
  for (const plugin of deps.plugins) await app.register(plugin);
  return app;
}
