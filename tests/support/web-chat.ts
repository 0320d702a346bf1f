import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { RedisWebLiveBus } from '../../src/channels/web/web.live';
import { createWebChatModule, type WebChatModule } from '../../src/channels/web/web.module';
import { buildApp } from '../../src/http/app';
import { I18nTranslator } from '../../src/i18n/translator';
import { createLogger } from '../../src/logging/logger';
import { LOCALES_DIR } from '../../src/nlu/training-data';
import { startTestPipeline, type TestPipeline } from './pipeline';

export interface WebChatRun {
  tp: TestPipeline;
  web: WebChatModule;
  live: RedisWebLiveBus;
  app: FastifyInstance;
  /** The loopback port fastify listens on. */
  port: number;
  close(): Promise<void>;
}

/** The web channel on the real pipeline (its own database, BullMQ prefix and live-bus prefix), served by fastify on a loopback port. */
export async function startWebChat(label: string, sessionSecret: string): Promise<WebChatRun> {
  let web: WebChatModule | undefined;
  let live: RedisWebLiveBus | undefined;
  const tp: TestPipeline = await startTestPipeline(label, ({ env, sink }) => {
    live = new RedisWebLiveBus(process.env.REDIS_URL as string, env.services.cipher, { prefix: `t-${label}-${randomBytes(3).toString('hex')}:` });
    web = createWebChatModule({
      sink,
      translator: I18nTranslator.load(LOCALES_DIR),
      logger: createLogger('silent'),
      sessionSecret,
      history: (ref, limit) => tp.pipeline.log.history(ref, limit),
      live,
      secureCookies: false,
    });
    return [web];
  });
  const module = web as WebChatModule;
  const bus = live as RedisWebLiveBus;
  const app = await buildApp({ ready: async () => ({ mongo: 'ok', redis: 'ok', channels: [] }), plugins: [module.httpPlugin], logger: false });
  await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    tp,
    web: module,
    live: bus,
    app,
    port: (app.server.address() as AddressInfo).port,
    async close() {
      await app.close();
      await bus.close();
      await tp.close();
    },
  };
}
