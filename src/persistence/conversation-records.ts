import type { mongo } from 'mongoose';
import type { Language } from '../domain/language';
import type { ChannelId, Reply } from '../domain/messages';
import { isUnreadableData } from '../domain/faults';
import { ConcurrencyError, type ConversationLock, type ConversationRef, type FaultReporter, type StoredConversation } from '../engine/ports';
import type { ConversationState } from '../engine/state';
import type { FieldCipher } from '../security/field-cipher';
import { conversationId, newConversationFields, stateFields, stateFromDoc } from './conversation.store';
import { rawCollection, type ConversationDoc, type Models, type OutboxBubble } from './models';
import { isDuplicateKeyError } from './mongo-errors';
import { readablePart } from './recovering-conversation.store';

/** How many processed inbound ids a conversation remembers (a redelivered job finds its id here). */
const PROCESSED_KEPT = 50;

/** A conversation document as the pipeline reads it: by `_id`, once per batch of messages. */
export type ConversationRecord = ConversationDoc;

/** A reply bubble decrypted for sending. */
export interface OutboxItem {
  id: string;
  channel: ChannelId;
  account: string;
  recipient: string;
  reply: Reply;
  language: Language;
  kind: 'reply' | 'proactive';
  lastInboundAt: Date | null;
  attempts: number;
}

/** What one committed turn adds to its conversation. */
export interface TurnCommit {
  state: ConversationState;
  /** Replies of the turn; their ids derive from `causeId`. */
  replies: readonly Reply[];
  causeId: string;
  kind: 'reply' | 'proactive';
  lastInboundAt: Date | null;
  /** The inbound message the turn answered, and when it was stored (null for proactive messages). */
  processed: { id: string; storedAt: Date } | null;
}

/** A change to a conversation's outbox (see {@link ConversationRecords.changeOutbox}). */
export type OutboxChange = (outbox: OutboxBubble[]) => OutboxBubble[];

/**
 * The conversation document as the message pipeline uses it: the engine's state, the outbox of
 * replies not yet sent, and the ids of the messages already processed, all in one document. A
 * turn is therefore one read and one write, whatever it adds.
 *
 * Writers of one conversation (its turn, its sender, a notice) take the conversation's Redis lock
 * around read-modify-write, and every write is also conditional on the revision it read. The
 * lock is not optional: FerretDB 1.x on PostgreSQL does not make a conditional update atomic — of
 * 40 concurrent `updateOne({_id, rev: 0}, {$set: {rev: 1}})` on one document, up to 20 reported
 * success (measured, docs/pipeline.md) — while on MongoDB the revision check alone would do.
 */
export class ConversationRecords {
  private readonly collection: mongo.Collection<ConversationDoc>;

  constructor(
    models: Models,
    private readonly cipher: FieldCipher,
    private readonly lock: ConversationLock,
    /** Staff hear of a conversation whose sealed part cannot be read; the person gets an apology and goes on. */
    private readonly faults?: FaultReporter,
  ) {
    this.collection = rawCollection(models.Conversation);
  }

  /** Runs `work` holding the conversation's lock: the only way to read a conversation in order to write it. */
  exclusive<T>(convId: string, work: () => Promise<T>): Promise<T> {
    return this.lock.withLock(`conversation:${convId}`, work);
  }

  idOf(ref: ConversationRef): string {
    return conversationId(this.cipher, ref);
  }

  load(convId: string): Promise<ConversationRecord | null> {
    return this.collection.findOne({ _id: convId });
  }

  stateOf(doc: ConversationRecord): StoredConversation {
    try {
      return stateFromDoc(this.cipher, doc);
    } catch (error) {
      // Without this the message would fail on every retry and the person would hear nothing.
      if (!isUnreadableData(error) || !this.faults) throw error;
      this.faults.unreadableRecord(`conversation ${doc._id}: ${error instanceof Error ? error.message : String(error)}`);
      return readablePart(doc);
    }
  }

  /** Whether the conversation has already processed this inbound message. */
  hasProcessed(doc: ConversationRecord | null, inboundId: string): boolean {
    return doc?.processed?.includes(inboundId) ?? false;
  }

  /**
   * Writes a turn: the new state, its replies appended to the outbox and the message marked
   * processed, in one compare-and-set on `doc.rev` (an insert when `doc` is null).
   * @throws {ConcurrencyError} when another writer changed the conversation first; reload and decide again.
   */
  async commitTurn(ref: ConversationRef, doc: ConversationRecord | null, commit: TurnCommit, now: Date): Promise<ConversationRecord> {
    const outbox = [...(doc?.outbox ?? [])];
    const known = new Set(outbox.map((b) => b.id));
    const base = Math.max(now.getTime(), ...outbox.map((b) => Math.floor(b.seq / 100) + 1)) * 100;
    for (const [index, reply] of commit.replies.entries()) {
      const id = `${commit.causeId}:${index}`;
      if (known.has(id)) continue;
      outbox.push({
        id,
        seq: base + index,
        replySealed: this.cipher.seal(JSON.stringify(reply)),
        language: commit.state.language,
        kind: commit.kind,
        lastInboundAt: commit.lastInboundAt,
        attempts: 0,
        createdAt: now,
        error: null,
      });
    }
    const processed = commit.processed ? [...(doc?.processed ?? []), commit.processed.id].slice(-PROCESSED_KEPT) : (doc?.processed ?? []);
    const lastStoredAt = commit.processed ? commit.processed.storedAt : (doc?.lastStoredAt ?? null);
    const fields = { ...stateFields(this.cipher, commit.state, now), outbox, outboxSince: oldest(outbox), outboxPending: outbox.length > 0, processed, lastStoredAt };
    if (doc === null) {
      const created: ConversationRecord = { ...newConversationFields(this.cipher, ref, now), rev: 1, ...fields };
      try {
        await this.collection.insertOne(created);
      } catch (error) {
        if (isDuplicateKeyError(error)) throw new ConcurrencyError('conversation was created concurrently');
        throw error;
      }
      return created;
    }
    return this.compareAndSet(doc, fields);
  }

  /**
   * Adds replies that no inbound message caused in this turn (an apology, a slow-down notice) to
   * the outbox. A conversation seen for the first time starts from `initial`. Takes the lock.
   */
  addReplies(ref: ConversationRef, causeId: string, replies: readonly Reply[], initial: ConversationState, now: Date): Promise<ConversationRecord> {
    const convId = this.idOf(ref);
    return this.exclusive(convId, async () => {
      const doc = await this.load(convId);
      const state = doc ? this.stateOf(doc).state : initial;
      return this.commitTurn(ref, doc, { state, replies, causeId, kind: 'proactive', lastInboundAt: null, processed: null }, now);
    });
  }

  /** Writes a changed outbox; the caller holds the lock and read `doc` under it. */
  changeOutbox(doc: ConversationRecord, change: OutboxChange): Promise<ConversationRecord> {
    const outbox = change([...(doc.outbox ?? [])]);
    return this.compareAndSet(doc, { outbox, outboxSince: oldest(outbox), outboxPending: outbox.length > 0, updatedAt: new Date() });
  }

  /** Who the conversation is with (the sender decrypted), to address a proactive message. */
  refOf(doc: ConversationRecord): ConversationRef {
    return { channel: doc.channel as ChannelId, account: doc.account, sender: this.cipher.open(doc.senderSealed) };
  }

  /** The first bubble of the outbox, decrypted. */
  head(doc: ConversationRecord): OutboxItem | null {
    const first = [...(doc.outbox ?? [])].sort((a, b) => a.seq - b.seq)[0];
    if (!first) return null;
    return {
      id: first.id,
      channel: doc.channel as ChannelId,
      account: doc.account,
      recipient: this.cipher.open(doc.senderSealed),
      reply: JSON.parse(this.cipher.open(first.replySealed)) as Reply,
      language: first.language as Language,
      kind: first.kind,
      lastInboundAt: first.lastInboundAt,
      attempts: first.attempts,
    };
  }

  /** Conversations whose oldest unsent reply is older than `before`, oldest first. */
  async stalledOutboxes(before: Date, limit: number): Promise<Array<{ conversationId: string; channel: ChannelId }>> {
    const docs = await this.collection
      .find({ outboxPending: true, outboxSince: { $lt: before } }, { projection: { channel: 1 } })
      .sort({ outboxSince: 1 })
      .limit(limit)
      .toArray();
    return docs.map((d) => ({ conversationId: d._id, channel: d.channel as ChannelId }));
  }

  private async compareAndSet(doc: ConversationRecord, fields: Partial<ConversationRecord>): Promise<ConversationRecord> {
    const result = await this.collection.updateOne({ _id: doc._id, rev: doc.rev }, { $set: { ...fields, rev: doc.rev + 1 } });
    if (result.matchedCount === 0) throw new ConcurrencyError(`conversation changed since revision ${doc.rev}`);
    return { ...doc, ...fields, rev: doc.rev + 1 };
  }
}

function oldest(outbox: readonly OutboxBubble[]): Date | null {
  let min: Date | null = null;
  for (const b of outbox) if (min === null || b.createdAt < min) min = b.createdAt;
  return min;
}
