import { randomUUID } from 'node:crypto';
import type { AttachmentKind, ChannelId, InboundMessage, PlatformCommand, Reply } from '../domain/messages';
import type { ConversationRef } from '../engine/ports';
import type { FieldCipher } from '../security/field-cipher';
import { conversationId } from './conversation.store';
import type { mongo } from 'mongoose';
import type { InboundDoc, MessageLogModels, OutboundDoc } from './message-log.models';
import { rawCollection, type OutboxBubble } from './models';
import { isDuplicateKeyError } from './mongo-errors';
import { RecentCache } from './recent-cache';

/** A stored inbound message as a turn reads it. */
export interface LoadedInbound {
  message: InboundMessage;
  conversationId: string;
  storedAt: Date;
  done: boolean;
}

/**
 * Messages this process stored in the last minute and no turn has read yet: when the turn runs in
 * the same process (one process does everything by default), it takes the message from here
 * instead of reading back what was written a few milliseconds before. A turn in another process,
 * or one that comes later, reads the database. Kept only where turns run ({@link
 * MessageLogRepository.keepRecentInbound}): a gateway-only process would hold messages nobody takes.
 */
const RECENT_INBOUND = 2_000;
const RECENT_INBOUND_AGE_MS = 60_000;

const isPlatformCommand = (v: string | null): v is PlatformCommand => v === 'start' || v === 'menu' || v === 'language';

export type RecordOutcome = { type: 'new'; id: string; conversationId: string } | { type: 'duplicate'; id: string; conversationId: string; pending: boolean };

/** Platform message ids are kept only as digests (they can embed phone numbers); every look-up digests the same way. */
export function externalIdDigest(cipher: FieldCipher, channel: string, externalId: string): string {
  return cipher.digest('external-id', `${channel}\u0000${externalId}`);
}

/** A request reference (BSR-2026-00017): a number staff and families must read whole. */
const REFERENCE = /BSR[\s_–—-]*\d{4}[\s_–—-]*\d{1,7}/gi;
const DIGIT = '[0-9\u0660-\u0669\u06F0-\u06F9]';
/**
 * Seven or more digits in any script, with up to three separators between two digits: spaces,
 * dashes, dots, brackets, a plus and invisible characters (zero-width space, word joiner, BOM) —
 * the ways IDs and phones are typed and pasted: 1000073013, ١٠٠٠٠٧٣٠١٣, 055-123-4567, 055.123.4567,
 * +966 50 111 2222, (055) 1234567, 10000\u200B73013.
 */
const LONG_NUMBER = new RegExp(`\\+?${DIGIT}(?:[\\s\\-.()+\\u200B-\\u200D\\u2060\\uFEFF]{0,3}${DIGIT}){6,}`, 'g');

/**
 * Shows a typed national ID or phone number as "******1234" (history replayed on a shared device,
 * staff transcripts): every long number, wherever it stands in the text, except request references.
 */
export function maskLongNumbers(text: string): string {
  let out = '';
  let last = 0;
  for (const match of text.matchAll(REFERENCE)) {
    out += maskRuns(text.slice(last, match.index)) + match[0];
    last = (match.index ?? 0) + match[0].length;
  }
  return out + maskRuns(text.slice(last));
}

function maskRuns(text: string): string {
  return text.replace(LONG_NUMBER, (run) => `******${run.replace(/[^0-9\u0660-\u0669\u06F0-\u06F9]/g, '').slice(-4)}`);
}

/** A reply's outbound-log row, as claimed. */
export type OutboundOutcome = OutboundDoc;

/** How a claimed send ended; `externalId` is the platform's id in clear (digested when stored). */
export interface OutboundSettlement {
  id: string;
  channel: ChannelId;
  status: 'sent' | 'failed' | 'unknown';
  externalId: string | null;
  error: string | null;
  at: Date;
}

/** Inbound record and outbound log, with message text and ids sealed. */
export class MessageLogRepository {
  private readonly inbound: mongo.Collection<InboundDoc>;
  private readonly outbound: mongo.Collection<OutboundDoc>;
  private readonly recent = new RecentCache<string, LoadedInbound>(RECENT_INBOUND, RECENT_INBOUND_AGE_MS);
  private keepRecent = false;

  constructor(
    private readonly models: MessageLogModels,
    private readonly cipher: FieldCipher,
  ) {
    this.inbound = rawCollection(models.Inbound);
    this.outbound = rawCollection(models.Outbound);
  }

  /** Turns run in this process: keep each message it stores for the turn that follows (see RECENT_INBOUND). */
  keepRecentInbound(): void {
    this.keepRecent = true;
  }

  /** The conversation a message belongs to (an HMAC digest of channel, account and sender). */
  conversationIdOf(ref: ConversationRef): string {
    return conversationId(this.cipher, ref);
  }

  /** Stores an inbound message once; a redelivery reports `duplicate` (and whether it still awaits processing). */
  async recordInbound(message: InboundMessage, now: Date): Promise<RecordOutcome> {
    const convId = conversationId(this.cipher, message);
    const externalId = this.externalDigest(message.channel, message.messageId);
    const id = randomUUID();
    try {
      await this.inbound.insertOne({
        _id: id,
        channel: message.channel,
        account: message.account,
        externalId,
        externalIdSealed: this.cipher.seal(message.messageId),
        conversationId: convId,
        senderSealed: this.cipher.seal(message.sender),
        textSealed: this.cipher.seal(message.text),
        attachment: message.attachment ?? null,
        attachmentRefSealed: message.attachmentRef ? this.cipher.seal(message.attachmentRef) : null,
        verifiedPhoneSealed: message.verifiedPhone ? this.cipher.seal(message.verifiedPhone) : null,
        command: message.command ?? null,
        languageHint: message.languageHint ?? null,
        receivedAt: message.receivedAt,
        storedAt: now,
        status: 'pending',
      });
      if (this.keepRecent) this.recent.set(id, { message: { ...message }, conversationId: convId, storedAt: now, done: false });
      return { type: 'new', id, conversationId: convId };
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
      const existing = await this.models.Inbound.findOne({ channel: message.channel, account: message.account, externalId }).lean();
      if (!existing) throw error;
      return { type: 'duplicate', id: existing._id, conversationId: existing.conversationId, pending: existing.status === 'pending' };
    }
  }

  /**
   * A stored message, from the recent ones of this process the first time (a just-stored message
   * is pending: if another process answered it meanwhile, the conversation's processed list says
   * so), else from the database.
   */
  async loadInbound(id: string): Promise<LoadedInbound | null> {
    const recent = this.recent.take(id);
    if (recent) return recent;
    const doc = await this.inbound.findOne({ _id: id });
    if (!doc) return null;
    const message: InboundMessage = {
      channel: doc.channel as ChannelId,
      account: doc.account,
      sender: this.cipher.open(doc.senderSealed),
      messageId: this.cipher.open(doc.externalIdSealed),
      text: this.cipher.open(doc.textSealed),
      receivedAt: doc.receivedAt,
      ...(doc.attachment ? { attachment: doc.attachment as AttachmentKind } : {}),
      ...(doc.attachmentRefSealed ? { attachmentRef: this.cipher.open(doc.attachmentRefSealed) } : {}),
      ...(doc.verifiedPhoneSealed ? { verifiedPhone: this.cipher.open(doc.verifiedPhoneSealed) } : {}),
      ...(isPlatformCommand(doc.command) ? { command: doc.command } : {}),
      ...(doc.languageHint ? { languageHint: doc.languageHint } : {}),
    };
    return { message, conversationId: doc.conversationId, storedAt: doc.storedAt, done: doc.status !== 'pending' };
  }

  /** Whether this person ever wrote to us on this channel account (WhatsApp Web answers only those who wrote first). */
  async hasInboundFrom(ref: ConversationRef): Promise<boolean> {
    return (await this.models.Inbound.exists({ conversationId: conversationId(this.cipher, ref) })) !== null;
  }

  /** Inbound messages stored before `before` and still not answered: their queue job gave up or was lost. */
  async stalledInbound(before: Date, limit: number): Promise<Array<{ id: string; conversationId: string }>> {
    const docs = await this.models.Inbound.find({ status: 'pending', storedAt: { $lt: before } }, { conversationId: 1 })
      .sort({ storedAt: 1 })
      .limit(limit)
      .lean();
    return docs.map((d) => ({ id: d._id, conversationId: d.conversationId }));
  }

  /** Counts one more recovery of a message and returns how many there have been. */
  async noteRecovery(id: string): Promise<number> {
    const doc = await this.models.Inbound.findOneAndUpdate({ _id: id }, { $inc: { recoveries: 1 } }, { new: true }).lean(); // no projection: FerretDB's findAndModify lacks it
    return doc?.recoveries ?? 0;
  }

  /** Messages the bot did not answer (overtaken, or given up by recovery), newest first: ids and times only, never text. */
  async unanswered(limit: number): Promise<Array<{ id: string; channel: ChannelId; storedAt: Date; status: 'superseded' | 'failed' }>> {
    const docs = await this.models.Inbound.find({ status: { $in: ['superseded', 'failed'] } }, { channel: 1, storedAt: 1, status: 1 })
      .sort({ storedAt: -1 })
      .limit(limit)
      .lean();
    return docs.map((d) => ({ id: d._id, channel: d.channel as ChannelId, storedAt: d.storedAt, status: d.status as 'superseded' | 'failed' }));
  }

  async markInbound(id: string, status: 'superseded' | 'failed'): Promise<void> {
    this.recent.delete(id);
    await this.models.Inbound.updateOne({ _id: id, status: 'pending' }, { $set: { status } });
  }

  /**
   * Marks processed messages done, many in one round trip (the pipeline batches them off the
   * reply's path). One update per id, not one `$in`: FerretDB does not push `$in` down to its
   * index and would read the whole collection (1 s for 5 ids at 20,000 messages).
   */
  async markInboundsDone(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.inbound.bulkWrite(
      ids.map((_id) => ({ updateOne: { filter: { _id, status: 'pending' as const }, update: { $set: { status: 'done' as const } } } })),
      { ordered: false },
    );
  }

  /**
   * Claims a reply for sending by inserting its outbound-log row (`sending`) under the bubble's id:
   * a unique insert, so of any number of senders racing — other processes, a job run twice, an
   * owner whose lock lapsed — exactly one wins, on MongoDB and FerretDB alike. Returns the status
   * of the row that was there when the claim lost.
   */
  async claimOutbound(row: OutboundOutcome): Promise<{ claimed: true } | { claimed: false; status: OutboundDoc['status'] }> {
    try {
      // `sent` only for a channel that delivers what is recorded (ChannelSender.deliveredOnceRecorded).
      await this.outbound.insertOne({ ...row, ...(row.status === 'sent' ? { sentAt: row.claimedAt } : { status: 'sending', sentAt: null }), externalId: null });
      return { claimed: true };
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
      const existing = await this.outbound.findOne({ _id: row._id });
      // Released between our insert and this read: it is claimable again, next time round.
      return { claimed: false, status: existing?.status ?? 'pending' };
    }
  }

  /**
   * Retention: deletes inbound and outbound messages (their texts) older than `cutoff`, except
   * inbound ones still pending (not answered yet). Returns how many of each went.
   */
  async purgeOlderThan(cutoff: Date): Promise<{ inbound: number; outbound: number }> {
    const inbound = await this.models.Inbound.deleteMany({ storedAt: { $lt: cutoff }, status: { $ne: 'pending' } });
    const outbound = await this.models.Outbound.deleteMany({ createdAt: { $lt: cutoff }, status: { $ne: 'sending' } });
    return { inbound: inbound.deletedCount, outbound: outbound.deletedCount };
  }

  /** Whether an outbound bubble has its row (claimed, sent, failed or unknown): it left its outbox. */
  async hasOutbound(id: string): Promise<boolean> {
    return (await this.outbound.findOne({ _id: id }, { projection: { _id: 1 } })) !== null;
  }

  /** Records how a claimed send ended. The platform's message id is kept only as a digest. */
  async settleOutbound(updates: readonly OutboundSettlement[]): Promise<void> {
    if (updates.length === 0) return;
    await this.outbound.bulkWrite(
      updates.map((u) => ({
        updateOne: {
          filter: { _id: u.id },
          update: { $set: { status: u.status, externalId: u.externalId ? this.externalDigest(u.channel, u.externalId) : null, error: u.error, sentAt: u.status === 'sent' ? u.at : null } },
        },
      })),
      { ordered: false },
    );
  }

  /** Gives a claim back after a send that certainly did not go out (429, 5xx), so it can be claimed again. */
  async releaseOutbound(id: string): Promise<void> {
    await this.outbound.deleteOne({ _id: id });
  }

  externalDigest(channel: ChannelId, externalId: string): string {
    return externalIdDigest(this.cipher, channel, externalId);
  }

  async recordDeliveryStatus(channel: ChannelId, externalId: string, status: string, at: Date, error: string | null): Promise<void> {
    try {
      await this.models.DeliveryStatus.create({ channel, externalId: this.externalDigest(channel, externalId), status, at, error });
    } catch (e) {
      if (!isDuplicateKeyError(e)) throw e;
    }
  }

  /** The last messages of a conversation, both ways, for the web chat's reload (oldest first). */
  async history(ref: ConversationRef, limit: number): Promise<Array<{ direction: 'in' | 'out'; at: Date; text: string; reply?: Reply }>> {
    const convId = conversationId(this.cipher, ref);
    const [ins, outs] = await Promise.all([
      this.models.Inbound.find({ conversationId: convId }).sort({ receivedAt: -1 }).limit(limit).lean(),
      this.models.Outbound.find({ conversationId: convId, status: { $in: ['sending', 'sent'] } }).sort({ seq: -1 }).limit(limit * 3).lean(),
    ]);
    const items = [
      ...ins.map((d) => ({ direction: 'in' as const, at: d.receivedAt, order: d.receivedAt.getTime() * 100 - 1, text: maskLongNumbers(this.cipher.open(d.textSealed)) })),
      ...outs.map((d) => {
        const reply = JSON.parse(this.cipher.open(d.replySealed)) as Reply;
        return { direction: 'out' as const, at: d.createdAt, order: d.seq, text: reply.text, reply };
      }),
    ];
    items.sort((a, b) => a.order - b.order);
    return items.slice(-limit * 4).map(({ order: _order, ...rest }) => rest);
  }

  /**
   * A conversation's messages both ways for staff, oldest first, with ids (a staff reply is known
   * by its outbound id) and the send status of outbound ones. Texts are opened, not masked: the
   * caller decides what its reader may see. `outbox`: the conversation's outbox, read before this
   * call. A reply gets its outbound-log row only when a send worker claims it, a moment after it
   * was written; until then it is shown from the outbox as `pending`, so a reply staff have just
   * sent (or the bot's answer) is in the transcript as soon as the page is told of it.
   */
  async transcript(convId: string, limit: number, outbox: readonly OutboxBubble[] = []): Promise<TranscriptEntry[]> {
    const [ins, outs] = await Promise.all([
      this.models.Inbound.find({ conversationId: convId }).sort({ receivedAt: -1 }).limit(limit).lean(),
      this.models.Outbound.find({ conversationId: convId }).sort({ seq: -1 }).limit(limit).lean(),
    ]);
    const logged = new Set(outs.map((d) => d._id));
    const replyText = (sealed: OutboxBubble['replySealed']): string => (JSON.parse(this.cipher.open(sealed)) as Reply).text;
    const items = [
      ...ins.map((d) => ({ id: d._id, direction: 'in' as const, at: d.receivedAt, order: d.receivedAt.getTime() * 100 - 1, text: this.cipher.open(d.textSealed), status: null, attachment: d.attachment ?? null })),
      ...outs.map((d) => ({ id: d._id, direction: 'out' as const, at: d.createdAt, order: d.seq, text: replyText(d.replySealed), status: d.status, attachment: null })),
      // The outbound row and its bubble share the id and seq; a bubble whose row exists is shown from the row.
      ...outbox.filter((b) => !logged.has(b.id)).map((b) => ({ id: b.id, direction: 'out' as const, at: b.createdAt, order: b.seq, text: replyText(b.replySealed), status: 'pending', attachment: null })),
    ];
    items.sort((a, b) => a.order - b.order);
    return items.slice(-limit).map(({ order: _order, ...rest }) => rest);
  }
}

/** One line of a transcript (see {@link MessageLogRepository.transcript}). */
export interface TranscriptEntry {
  id: string;
  direction: 'in' | 'out';
  at: Date;
  text: string;
  /** Outbound only: pending (in the outbox, not claimed by a sender yet), sending, sent, failed or unknown. */
  status: string | null;
  attachment: string | null;
}
