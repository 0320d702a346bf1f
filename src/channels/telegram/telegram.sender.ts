import type { Reply } from '../../domain/messages';
import type { ChannelLimits, ChannelSender, Recipient, SendOutcome } from '../channel';
import { describeTelegramError, type TelegramBotClient } from './telegram.client';
import { encodeReply } from './telegram.codec';

/**
 * Telegram's published limits: about 30 messages a second over all chats, and no more than one a
 * second in one chat (bursts there are answered with 429).
 */
export const TELEGRAM_LIMITS: ChannelLimits = { perSecond: 30, perChatGapMs: 1000, jitterMs: [0, 0], perMinute: null };

/** Sends reply bubbles through the Bot API. Stateless: any process with the token can send. */
export class TelegramSender implements ChannelSender {
  readonly channel = 'telegram' as const;
  readonly limits = TELEGRAM_LIMITS;

  constructor(
    private readonly client: TelegramBotClient,
    private readonly account: string,
  ) {}

  async send(to: Recipient, reply: Reply): Promise<SendOutcome> {
    // Chat ids belong to one bot: after a token change the old bot's chats are unreachable.
    if (to.account !== this.account) return { type: 'failed', retryable: false, reason: `message is for bot ${to.account}, this is bot ${this.account}` };
    try {
      const { messageId } = await this.client.sendMessage(encodeReply(to.recipient, reply));
      return { type: 'sent', externalId: String(messageId) };
    } catch (error) {
      const failure = describeTelegramError(error);
      return failure.type === 'rate_limited' ? failure : { type: 'failed', retryable: failure.retryable, reason: failure.reason };
    }
  }

  /** "typing…" for about five seconds, or until the next message arrives. */
  async typing(to: Recipient): Promise<void> {
    if (to.account !== this.account) return;
    await this.client.sendTyping(to.recipient).catch(() => undefined);
  }
}
