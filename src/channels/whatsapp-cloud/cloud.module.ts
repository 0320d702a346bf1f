import type { AppConfig } from '../../config/config';
import type { Translator } from '../../engine/ports';
import type { Logger } from '../../logging/logger';
import type { ChannelHealth, ChannelRuntime, InboundSink } from '../channel';
import type { ChannelModule } from '../module';
import { GraphClient } from './cloud.client';
import { CloudSender } from './cloud.sender';
import { cloudWebhookPlugin } from './cloud.webhook';

export interface WhatsAppCloudDeps {
  config: NonNullable<AppConfig['whatsappCloud']>;
  sink: InboundSink;
  translator: Translator;
  logger: Logger;
  /** Stores a delivery receipt (sent, delivered, read, failed) for a message we sent. */
  recordStatus: (externalId: string, status: string, at: Date, error: string | null) => Promise<void>;
  /** Replaces global fetch (tests, proxies). */
  fetchImpl?: typeof fetch;
}

/**
 * WhatsApp through the official Business Cloud API: webhook routes (web role) and a sender (any
 * worker; it needs no live client, so it is not pinned). The runtime does no work — the channel is
 * webhook-driven — and exists so /ready can show the channel, degraded once Graph refuses the token
 * to this process's sender.
 */
export function createWhatsAppCloudModule(deps: WhatsAppCloudDeps): ChannelModule {
  const logger = deps.logger.child({ channel: 'whatsapp', via: 'cloud' });
  const client = new GraphClient({ apiRoot: deps.config.apiRoot, token: deps.config.token, ...(deps.fetchImpl ? { fetchImpl: deps.fetchImpl } : {}) });
  const sender = new CloudSender({ client, translator: deps.translator, templates: deps.config.templates });
  return {
    channel: 'whatsapp',
    sender,
    runtime: cloudRuntime(sender),
    httpPlugin: cloudWebhookPlugin({
      appSecret: deps.config.appSecret,
      verifyToken: deps.config.verifyToken,
      sink: deps.sink,
      recordStatus: deps.recordStatus,
      logger,
    }),
  };
}

function cloudRuntime(sender: CloudSender): ChannelRuntime {
  return {
    channel: 'whatsapp',
    start: async () => undefined,
    stop: async () => undefined,
    health(): ChannelHealth {
      if (sender.tokenRejectedAt) {
        return { channel: 'whatsapp', state: 'degraded', detail: `Graph API refused the access token at ${sender.tokenRejectedAt.toISOString()}` };
      }
      return { channel: 'whatsapp', state: 'ready' };
    },
  };
}
