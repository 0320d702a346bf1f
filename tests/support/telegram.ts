import type { InboundSink } from '../../src/channels/channel';
import type { ChannelModule } from '../../src/channels/module';
import { createTelegramModule } from '../../src/channels/telegram/telegram.module';
import { createLogger } from '../../src/logging/logger';
import type { TestEngine } from './engine-setup';
import type { FakeTelegramApi } from './fake-telegram-api';

export const TEST_BOT_TOKEN = '7000000001:AAFakeTokenForTestsOnly_abcdefghij';

/** The Telegram channel module pointed at the fake Bot API: long polling, or a webhook when given one. */
export function testTelegramModule(api: FakeTelegramApi, sink: InboundSink, env: TestEngine, webhook?: { url: string; secret: string }): ChannelModule {
  return createTelegramModule({
    config: { token: TEST_BOT_TOKEN, apiRoot: api.apiRoot, webhookUrl: webhook?.url, webhookSecret: webhook?.secret },
    sink,
    translator: env.core.ports.translator,
    logger: createLogger('silent'),
    polling: { timeoutSeconds: 5, maxBackoffMs: 1000 },
  });
}
