import type { InboundMessage } from '../domain/messages';
import type { InboundQueue } from '../jobs/inbound.queue';
import type { Mailbox } from '../jobs/mailbox';
import { errorMessage, type Logger } from '../logging/logger';
import type { MessageLogRepository } from '../persistence/message-log.repository';
import type { AcceptOutcome, InboundSink, Refusal } from './channel';

/** Tells a sender who is refused for writing too fast, once a minute, to slow down (in their language). */
export type SlowDownNotice = (message: InboundMessage, convId: string) => Promise<void>;

/**
 * The one inbound path of every channel: admission (per-sender rate, the conversation's backlog,
 * the global limit), then store the message (unique per platform id), then put it in its
 * conversation's mailbox. A refused message is not stored: the channel has its platform (or the
 * visitor) send it again later, so nothing accepted is ever dropped. A redelivery is acknowledged
 * and dropped — unless it never reached its mailbox (a crash between the steps): then it goes in now.
 */
export class InboundGateway implements InboundSink {
  constructor(
    private readonly log: MessageLogRepository,
    private readonly mailbox: Mailbox,
    private readonly turns: InboundQueue,
    private readonly slowDown: SlowDownNotice,
    private readonly logger: Logger,
  ) {}

  async accept(message: InboundMessage): Promise<AcceptOutcome> {
    const convId = this.log.conversationIdOf(message);
    const admission = await this.mailbox.admit(convId);
    if (admission.type === 'refused') return this.refuse(message, convId, admission);
    const outcome = await this.log.recordInbound(message, new Date()).catch(async (error: unknown) => {
      await this.mailbox.unadmit(convId).catch(() => undefined);
      throw error;
    });
    if (outcome.type === 'duplicate') {
      await this.mailbox.unadmit(convId);
      // Only into the stored message's own conversation, and only if it is not in its mailbox already.
      if (outcome.pending && (await this.mailbox.requeue(outcome.conversationId, outcome.id)) === 'schedule') await this.turns.schedule(outcome.conversationId);
      return 'duplicate';
    }
    if (await this.mailbox.push(convId, outcome.id)) await this.turns.schedule(convId);
    return 'accepted';
  }

  private async refuse(message: InboundMessage, convId: string, refusal: Refusal): Promise<Refusal> {
    if (refusal.reason !== 'overloaded' && (await this.mailbox.shouldNotifySlowDown(convId))) {
      await this.slowDown(message, convId).catch((error: unknown) => this.logger.warn({ err: { message: errorMessage(error) } }, 'slow-down notice failed'));
    }
    return refusal;
  }
}
