import type { InboundMessage } from '../domain/messages';
import type { InboundQueue } from '../jobs/inbound.queue';
import type { MessageLogRepository } from '../persistence/message-log.repository';
import type { InboundSink } from './channel';

/**
 * The one inbound path of every channel: store the message first (unique per platform id), then
 * queue it by id. A redelivery is acknowledged and dropped — unless it never got queued (a crash
 * between the two steps), in which case it is queued now.
 */
export class InboundGateway implements InboundSink {
  constructor(
    private readonly log: MessageLogRepository,
    private readonly queue: InboundQueue,
  ) {}

  async accept(message: InboundMessage): Promise<'accepted' | 'duplicate'> {
    const outcome = await this.log.recordInbound(message, new Date());
    if (outcome.type === 'duplicate') {
      if (outcome.pending) await this.queue.enqueue({ inboundId: outcome.id, conversationId: outcome.conversationId });
      return 'duplicate';
    }
    await this.queue.enqueue({ inboundId: outcome.id, conversationId: outcome.conversationId });
    return 'accepted';
  }
}
