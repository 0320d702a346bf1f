import type { Redis } from 'ioredis';
import type { ChannelLimits, ChannelSender, Recipient, SendOutcome } from '../../src/channels/channel';
import type { ChannelId, Reply } from '../../src/domain/messages';

/**
 * A ChannelSender that records each delivered bubble in a Redis list, so several processes can
 * share one record. `failures` scripts outcomes for the next sends (429, 5xx) before success.
 */
export class RecordingSender implements ChannelSender {
  readonly limits: ChannelLimits = { perSecond: 1000, perChatGapMs: 0, jitterMs: [0, 0], perMinute: null };
  private readonly failures: SendOutcome[] = [];

  constructor(
    readonly channel: ChannelId,
    private readonly redis: Redis,
    private readonly listKey: string,
    private readonly processName: string,
  ) {}

  failNext(...outcomes: SendOutcome[]): void {
    this.failures.push(...outcomes);
  }

  async send(to: Recipient, reply: Reply): Promise<SendOutcome> {
    const scripted = this.failures.shift();
    if (scripted) return scripted;
    await this.redis.rpush(this.listKey, JSON.stringify({ to: to.recipient, text: reply.text, by: this.processName }));
    return { type: 'sent', externalId: null };
  }
}

export interface SentRecord {
  to: string;
  text: string;
  by: string;
}

export async function readSent(redis: Redis, listKey: string): Promise<SentRecord[]> {
  return (await redis.lrange(listKey, 0, -1)).map((l) => JSON.parse(l) as SentRecord);
}
