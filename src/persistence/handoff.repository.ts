import { randomUUID } from 'node:crypto';
import type { ConversationRef, HandoffMessage, HandoffReason, HandoffRepository } from '../engine/ports';
import type { Language } from '../domain/language';
import type { ChannelId } from '../domain/messages';
import type { FieldCipher } from '../security/field-cipher';
import { conversationId } from './conversation.store';
import type { Models } from './models';

export interface OpenHandoffView {
  id: string;
  channel: string;
  reason: string;
  language: string;
  openedAt: Date;
  messageCount: number;
}

/** Handoffs to staff; the beneficiary's messages kept for staff are sealed. */
export class MongoHandoffRepository implements HandoffRepository {
  constructor(
    private readonly models: Models,
    private readonly cipher: FieldCipher,
  ) {}

  async open(input: { conversation: ConversationRef; reason: HandoffReason; language: Language; firstMessage: string; now: Date }): Promise<string> {
    const id = randomUUID();
    await this.models.Handoff.create({
      _id: id,
      conversationId: conversationId(this.cipher, input.conversation),
      channel: input.conversation.channel,
      account: input.conversation.account,
      senderSealed: this.cipher.seal(input.conversation.sender),
      reason: input.reason,
      language: input.language,
      status: 'open',
      messages: input.firstMessage ? [{ at: input.now, textSealed: this.cipher.seal(input.firstMessage) }] : [],
      openedAt: input.now,
      closedAt: null,
      closedBy: null,
    });
    return id;
  }

  async isOpen(handoffId: string): Promise<boolean> {
    return (await this.models.Handoff.exists({ _id: handoffId, status: 'open' })) !== null;
  }

  async appendMessage(handoffId: string, message: HandoffMessage, now: Date): Promise<void> {
    const entry = {
      at: now,
      textSealed: this.cipher.seal(message.text),
      attachment: message.attachment ?? null,
      attachmentRefSealed: message.attachmentRef ? this.cipher.seal(message.attachmentRef) : null,
    };
    await this.models.Handoff.updateOne({ _id: handoffId }, { $push: { messages: entry } });
  }

  async close(handoffId: string, by: string, now: Date): Promise<boolean> {
    const result = await this.models.Handoff.updateOne({ _id: handoffId, status: 'open' }, { $set: { status: 'closed', closedAt: now, closedBy: by } });
    return result.modifiedCount === 1;
  }

  /** Retention: the messages kept for staff of handoffs closed before `cutoff` are deleted (the handoff record stays). */
  async purgeClosedBefore(cutoff: Date): Promise<number> {
    const result = await this.models.Handoff.updateMany({ status: 'closed', closedAt: { $lt: cutoff } }, { $set: { messages: [] } });
    return result.modifiedCount;
  }

  /** Facts a follow-up needs about a handoff (who, where, which language); null when unknown. */
  async followUpFacts(handoffId: string): Promise<{ id: string; conversationId: string; channel: ChannelId; language: string; status: string } | null> {
    const doc = await this.models.Handoff.findById(handoffId, { conversationId: 1, channel: 1, language: 1, status: 1 }).lean();
    return doc ? { id: doc._id, conversationId: doc.conversationId, channel: doc.channel as ChannelId, language: doc.language, status: doc.status } : null;
  }

  /** Open handoffs for the staff CLI, oldest first; no personal data. */
  async listOpen(): Promise<OpenHandoffView[]> {
    const docs = await this.models.Handoff.find({ status: 'open' }).sort({ openedAt: 1 }).lean();
    return docs.map((d) => ({ id: d._id, channel: d.channel, reason: d.reason, language: d.language, openedAt: d.openedAt, messageCount: d.messages.length }));
  }
}
