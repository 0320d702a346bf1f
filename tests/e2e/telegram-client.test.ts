import type { InboundSink } from '../../src/channels/channel';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TelegramBotClient } from '../../src/channels/telegram/telegram.client';
import { createTelegramModule } from '../../src/channels/telegram/telegram.module';
import type { InboundMessage } from '../../src/domain/messages';
import { createLogger } from '../../src/logging/logger';
import { FakeTelegramApi, makeTelegramUpdate } from '../support/fake-telegram-api';
import { t } from '../support/engine-setup';

/**
 * The Telegram sender and poller against the fake Bot API, without the pipeline: error mapping
 * for every outcome, and the offset rule (never past an update the sink did not store).
 */

const TOKEN = '7000000001:AAFakeTokenForTestsOnly_abcdefghij';
const translator = { t, list: () => [] };
const logger = createLogger('silent');
const to = { account: '7000000001', recipient: '3131' };
const context = { language: 'ar' as const, lastInboundAt: null, kind: 'reply' as const };

function moduleFor(apiRoot: string, sink: InboundSink) {
  const config = { token: TOKEN, apiRoot, webhookUrl: undefined, webhookSecret: undefined };
  return createTelegramModule({ config, sink, translator, logger, polling: { timeoutSeconds: 5, maxBackoffMs: 50 } });
}

describe('Telegram sender outcomes', () => {
  let api: FakeTelegramApi;
  const sender = (): NonNullable<ReturnType<typeof moduleFor>['sender']> => moduleFor(api.apiRoot, { accept: async () => 'accepted' }).sender!;

  beforeAll(async () => {
    api = await FakeTelegramApi.start(TOKEN);
  });
  afterAll(async () => api.close());

  it('declares Telegram pacing: 30 a second overall, one a second per chat', () => {
    expect(sender().limits).toEqual({ perSecond: 30, perChatGapMs: 1000, jitterMs: [0, 0], perMinute: null });
  });

  it('returns the message id when sent', async () => {
    const outcome = await sender().send(to, { text: 'مرحبًا' }, context);
    const call = await api.waitForCall('sendMessage', (c) => c.params.text === 'مرحبًا');
    expect(outcome).toEqual({ type: 'sent', externalId: String((call.result as { message_id: number }).message_id) });
  });

  it.each([
    [{ status: 429 as const, retry_after: 7 }, { type: 'rate_limited', retryAfterMs: 7000 }],
    [{ status: 500 as const }, { type: 'failed', retryable: true }],
    [{ status: 403 as const }, { type: 'failed', retryable: false }],
    [{ status: 400 as const, description: 'Bad Request: chat not found' }, { type: 'failed', retryable: false }],
  ])('maps %j to %j', async (failure, expected) => {
    api.failNext('sendMessage', failure);
    expect(await sender().send(to, { text: 'x' }, context)).toMatchObject(expected);
  });

  it('treats an unreachable API as retryable, and never sends for another bot', async () => {
    const unreachable = moduleFor('http://127.0.0.1:9', { accept: async () => 'accepted' }).sender!;
    expect(await unreachable.send(to, { text: 'x' }, context)).toMatchObject({ type: 'failed', retryable: true });
    expect(await sender().send({ ...to, account: '999' }, { text: 'x' }, context)).toMatchObject({ type: 'failed', retryable: false });
  });

  it('gives up on a send the API never answers, well inside the conversation lock\'s lease', async () => {
    const silent = createServer(() => undefined); // takes the request and never answers
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const client = new TelegramBotClient(TOKEN, `http://127.0.0.1:${(silent.address() as AddressInfo).port}`, 300);
      const started = Date.now();
      await expect(client.sendMessage({ chat_id: '3131', text: 'x' })).rejects.toThrow();
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('shows typing… and swallows its failures', async () => {
    await sender().typing?.(to);
    await api.waitForCall('sendChatAction', (c) => c.params.action === 'typing' && c.params.chat_id === '3131');
    api.failNext('sendChatAction', { status: 500 });
    await expect(sender().typing?.(to)).resolves.toBeUndefined();
  });
});

describe('Telegram poller', () => {
  it('does not move the offset past an update the sink failed to store, and gets it again', async () => {
    const api = await FakeTelegramApi.start(TOKEN);
    const accepted: InboundMessage[] = [];
    let failures = 1;
    const sink: InboundSink = {
      async accept(message) {
        if (failures-- > 0) throw new Error('database unreachable');
        accepted.push(message);
        return 'accepted';
      },
    };
    const telegram = moduleFor(api.apiRoot, sink);
    try {
      await telegram.runtime!.start();
      const first = makeTelegramUpdate.text(4141, 'السلام عليكم');
      const second = makeTelegramUpdate.text(4141, 'شكرا');
      api.injectUpdate(first);
      api.injectUpdate(second);
      await api.waitForCall('getUpdates', (c) => c.params.offset === second.update_id + 1);
      expect(accepted.map((m) => m.text)).toEqual(['السلام عليكم', 'شكرا']);
      // Until the first update was stored, every request still asked from before it.
      const offsets = api.calls('getUpdates').map((c) => Number(c.params.offset));
      // The first poll got the update and the sink failed; the next poll asked from before it again.
      expect(offsets.findIndex((o) => o > first.update_id)).toBeGreaterThanOrEqual(2);
    } finally {
      await telegram.runtime!.stop();
      await api.close();
    }
  });

  it('reports failed when the token is refused at start', async () => {
    const api = await FakeTelegramApi.start('7000000001:AnotherTokenTheServerDoesNotKnow_xyz');
    const telegram = moduleFor(api.apiRoot, { accept: async () => 'accepted' });
    try {
      await expect(telegram.runtime!.start()).rejects.toThrow(/401/);
      expect(telegram.runtime!.health()).toMatchObject({ channel: 'telegram', state: 'failed' });
    } finally {
      await telegram.runtime!.stop();
      await api.close();
    }
  });
});
