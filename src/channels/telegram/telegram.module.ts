import type { AppConfig } from '../../config/config';
import type { Translator } from '../../engine/ports';
import type { Logger } from '../../logging/logger';
import type { InboundSink } from '../channel';
import type { ChannelModule } from '../module';
import { TelegramBotClient } from './telegram.client';
import { TelegramPoller, type PollerOptions } from './telegram.polling';
import { TelegramRuntime, type DeliveryMode } from './telegram.runtime';
import { TelegramSender } from './telegram.sender';
import { TelegramUpdateHandler } from './telegram.updates';
import { telegramWebhookPlugin } from './telegram.webhook';

export interface TelegramModuleDeps {
  config: NonNullable<AppConfig['telegram']>;
  sink: InboundSink;
  translator: Translator;
  logger: Logger;
  /** Long-poll tuning; tests shorten the timeout. */
  polling?: Partial<PollerOptions>;
  now?: () => Date;
}

const DEFAULT_POLLING: PollerOptions = { timeoutSeconds: 50, limit: 100, maxBackoffMs: 30_000 };

/**
 * The Telegram channel: a sender (any process with the token), a runtime (long polling, or
 * webhook registration when `webhookUrl` is set) and, in webhook mode, the HTTP route.
 */
export function createTelegramModule(deps: TelegramModuleDeps): ChannelModule {
  const { config, logger } = deps;
  // The token is "<bot id>:<secret>": the id is our account, known without a network call.
  const account = config.token.split(':', 1)[0] as string;
  const client = new TelegramBotClient(config.token, config.apiRoot);
  const handler = new TelegramUpdateHandler({ client, sink: deps.sink, translator: deps.translator, logger, account, ...(deps.now ? { now: deps.now } : {}) });
  const webhook = webhookSettings(config);
  const mode: DeliveryMode = webhook
    ? { type: 'webhook', url: webhook.url, secret: webhook.secret }
    : { type: 'polling', poller: new TelegramPoller(client, handler, logger, { ...DEFAULT_POLLING, ...deps.polling }) };
  return {
    channel: 'telegram',
    sender: new TelegramSender(client, account),
    runtime: new TelegramRuntime({ client, translator: deps.translator, logger, account, mode }),
    ...(webhook ? { httpPlugin: telegramWebhookPlugin({ path: webhook.path, secret: webhook.secret, handler, logger }) } : {}),
  };
}

function webhookSettings(config: NonNullable<AppConfig['telegram']>): { url: string; path: string; secret: string } | null {
  if (!config.webhookUrl) return null;
  // loadConfig already refuses a webhook URL without a secret; a hand-built config must not slip through.
  if (!config.webhookSecret) throw new Error('telegram: webhookUrl is set but webhookSecret is not');
  return { url: config.webhookUrl, path: new URL(config.webhookUrl).pathname, secret: config.webhookSecret };
}
