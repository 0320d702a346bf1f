import type { FastifyInstance } from 'fastify';
import type { AppConfig } from '../config/config';
import type { ChannelHealth, InboundSink } from '../channels/channel';
import type { ChannelModule } from '../channels/module';
import { RetryingChannelRuntime, type StartBackoff } from '../channels/retrying-runtime';
import { buildApp, type ReadyReport } from '../http/app';
import type { Logger } from '../logging/logger';
import { buildCore } from './engine-factory';
import { buildChannelModules } from './channel-modules';
import { createPipeline, type Pipeline } from './pipeline';
import { connectServices } from './services';
import { staffConsole } from '../staff/staff.plugin';
import { isWhatsAppWebModule } from '../channels/whatsapp-web/wweb.module';

export interface RunningApp {
  /** The listening HTTP server (role `web`), e.g. for its address. */
  http: FastifyInstance | null;
  close(): Promise<void>;
}

/**
 * Starts one process of the service with the roles the configuration gives it: `web` (HTTP:
 * web chat, webhooks, /health, /ready), `channels` (Telegram polling, WhatsApp client) and
 * `workers` (inbound and send queues). The same image runs web-only or worker-only processes.
 */
export interface StartOptions {
  /** How channel starts are retried after a failure (tests shorten it). */
  channelStartBackoff?: StartBackoff;
}

export async function startApp(config: AppConfig, logger: Logger, options: StartOptions = {}): Promise<RunningApp> {
  const progress = (line: string): void => logger.info(line);
  const services = await connectServices(config, progress);
  const core = await buildCore(config, services);
  let pipeline: Pipeline | null = null;
  const sink: InboundSink = {
    accept: async (message) => {
      if (!pipeline) throw new Error('pipeline not started yet');
      return pipeline.gateway.accept(message);
    },
  };
  const channels = buildChannelModules({
    config,
    services,
    sink,
    translator: core.ports.translator,
    logger,
    log: () => (pipeline as Pipeline).log,
  });
  pipeline = await createPipeline(services, channels.modules, {
    redisUrl: services.redisUrl,
    concurrency: config.queueShards,
    prefix: config.queuePrefix,
    logger,
    conversations: core.ports.conversations,
    translator: core.ports.translator,
    ...(core.ports.faults ? { faults: core.ports.faults } : {}),
    followUps: { settings: config.followUps, retentionDays: config.retentionDays },
    handoffTimers: config.handoffTimers,
    clock: core.ports.clock,
  });
  const started: Array<() => Promise<void>> = [];
  if (config.roles.has('workers')) pipeline.startWorkers(core.engine);
  // Channels fail alone: one whose platform is unreachable reports `failed` and is started again
  // with backoff, while the process, the web chat and the other channels' webhooks keep serving.
  const runtimes = new Map<ChannelModule, RetryingChannelRuntime>();
  for (const m of channels.modules) if (m.runtime) runtimes.set(m, new RetryingChannelRuntime(m.runtime, logger, options.channelStartBackoff));
  if (config.roles.has('channels')) {
    pipeline.startPinnedWorkers();
    for (const runtime of runtimes.values()) {
      // Not awaited: a platform that hangs must not hold up the HTTP server.
      void runtime.start();
      started.push(() => runtime.stop());
    }
  }
  let http: FastifyInstance | null = null;
  if (config.roles.has('web')) {
    const channelHealth = (): ChannelHealth[] => channels.modules.map((m): ChannelHealth => runtimes.get(m)?.health() ?? { channel: m.channel, state: 'ready' });
    const ready = async (): Promise<ReadyReport> => ({
      mongo: await services.mongo.db?.admin().ping().then(() => 'ok' as const, () => 'down' as const) ?? 'down',
      redis: await services.redis.ping().then(() => 'ok' as const, () => 'down' as const),
      channels: channelHealth(),
    });
    const plugins = channels.modules.flatMap((m) => (m.httpPlugin ? [m.httpPlugin] : []));
    const wweb = channels.modules.find(isWhatsAppWebModule);
    const whatsappQr = wweb ? () => wweb.qr() : undefined;
    plugins.push(
      staffConsole(config, services, {
        pipeline,
        engine: core.engine,
        followUps: pipeline.followUps,
        log: pipeline.log,
        translator: core.ports.translator,
        channels: { health: channelHealth, ...(whatsappQr ? { whatsappQr } : {}) },
      }),
    );
    http = await buildApp({ ready, plugins, logger, trustProxy: config.http.trustProxy });
    await http.listen({ host: config.http.host, port: config.http.port });
  }
  return {
    http,
    async close() {
      if (http) await http.close();
      for (const stop of started.reverse()) await stop().catch(() => undefined);
      await (pipeline as Pipeline).close();
      await channels.close();
      await services.close();
    },
  };
}
