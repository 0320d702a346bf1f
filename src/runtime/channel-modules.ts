import type { AppConfig } from '../config/config';
import type { InboundSink } from '../channels/channel';
import type { ChannelModule } from '../channels/module';
import { createTelegramModule } from '../channels/telegram/telegram.module';
import { createWebChatModule } from '../channels/web/web.module';
import { RedisWebFloodGuard } from '../channels/web/web.flood';
import { RedisWebLiveBus } from '../channels/web/web.live';
import { createWhatsAppCloudModule } from '../channels/whatsapp-cloud/cloud.module';
import { createWhatsAppWebModule } from '../channels/whatsapp-web/wweb.module';
import type { Translator } from '../engine/ports';
import type { Logger } from '../logging/logger';
import type { MessageLogRepository } from '../persistence/message-log.repository';
import { dataDirOf, type Services } from './services';

export interface ModuleDeps {
  config: AppConfig;
  services: Services;
  sink: InboundSink;
  translator: Translator;
  logger: Logger;
  /** Late-bound: the message log exists once the pipeline does. */
  log: () => MessageLogRepository;
}

/** The channels this deployment enables: the web chat always; the others when configured. */
export function buildChannelModules(deps: ModuleDeps): { modules: ChannelModule[]; close(): Promise<void> } {
  const { config, services, sink, translator, logger } = deps;
  const live = new RedisWebLiveBus(services.redisUrl, services.cipher);
  const modules: ChannelModule[] = [
    createWebChatModule({
      sink,
      translator,
      logger,
      sessionSecret: services.sessionSecret as string,
      history: (ref, limit) => deps.log().history(ref, limit),
      live,
      // Over the shared Redis, so a session or an address has one allowance whichever process it reaches.
      flood: new RedisWebFloodGuard(services.redis, services.cipher, logger),
      secureCookies: config.env === 'production',
    }),
  ];
  if (config.telegram) modules.push(createTelegramModule({ config: config.telegram, sink, translator, logger }));
  if (config.whatsappCloud) {
    modules.push(
      createWhatsAppCloudModule({
        config: config.whatsappCloud,
        sink,
        translator,
        logger,
        recordStatus: (externalId, status, at, error) => deps.log().recordDeliveryStatus('whatsapp', externalId, status, at, error),
      }),
    );
  } else if (config.whatsappWeb) {
    modules.push(
      createWhatsAppWebModule({
        config: config.whatsappWeb,
        dataDir: dataDirOf(config),
        sink,
        translator,
        logger,
        staffApiToken: services.staffApiToken,
        hasWrittenFirst: (chatId: string) => deps.log().hasInboundFrom({ channel: 'whatsapp', account: 'wweb', sender: chatId }),
      }),
    );
  }
  return { modules, close: () => live.close() };
}
