import type { Reply } from '../../domain/messages';
import type { Logger } from '../../logging/logger';
import type { ChannelSender, Recipient, SendContext, SendOutcome } from '../channel';
import type { WebLiveBus } from './web.live';

/**
 * Sends a reply to a web-chat session by publishing it on the live bus. It always reports `sent`:
 * the reply is already in the outbound log, and a visitor who is offline (or misses the live event)
 * sees it from history on the next load or reconnect, so retrying would only risk a duplicate bubble.
 */
export class WebSender implements ChannelSender {
  readonly channel = 'web' as const;
  // Nothing to protect downstream: the browser is ours, and ordering per chat is kept by the send queue.
  /** No platform limit: the web chat's own flood control is at its edge, so sends reserve no slot. */
  readonly limits = { perSecond: Number.POSITIVE_INFINITY, perChatGapMs: 0, jitterMs: [0, 0] as [number, number], perMinute: null };
  readonly deliveredOnceRecorded = true;

  constructor(
    private readonly live: WebLiveBus,
    private readonly logger: Logger,
  ) {}

  async send(to: Recipient, reply: Reply, context: SendContext): Promise<SendOutcome> {
    try {
      await this.live.publish(to.recipient, { type: 'reply', text: reply.text, options: reply.options ?? [], lang: context.language });
    } catch (error) {
      this.logger.warn({ err: error }, 'web chat: live publish failed; the reply stays in history');
    }
    return { type: 'sent', externalId: null };
  }

  async typing(to: Recipient): Promise<void> {
    await this.live.publish(to.recipient, { type: 'typing' });
  }
}
