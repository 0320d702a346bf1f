import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
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
import { RecentCache } from './recent-cache';
import { readablePart } from './recovering-conversation.store';
import type { StampedLock } from './redis-coordination';

/**
 * How many processed inbound ids a conversation remembers (a job run twice finds its ids here).
 * An older message that comes back is also caught as overtaken (a later one of the chat was
 * stored 2 s or more after it). The gateway admits 20 messages per conversation per (fixed)
 * minute window, so at most 40 can fall within 2 s across a window's edge: 40 ids cover that.
 * Not more: FerretDB decodes the whole list on every read and write of the document.
 */
export const PROCESSED_KEPT = 40;

/**
 * Conversations this process wrote or read under their lock in the last minute, with the stamp
 * they had then. A turn and the send after it, and the next message of a chat a few seconds
 * later, find the document here instead of reading it again. Bounded: at most this many (about
 * 4 KB each, so a few MB).
 */
const CACHED_CONVERSATIONS = 1_000;
const CACHE_AGE_MS = 60_000;

/**
 * A section held by this process (inside `exclusive`): the stamp that names the stored version
 * now — the one found when the lock was taken, then the one of each write. Null when nobody can
 * say: no stamp was found, or a write failed and may or may not have landed. Only writes mint
 * stamps: a holder that read without a stamp cannot know that a holder whose lease lapsed is not
 * still about to write what it read before.
 */
interface Held {
  convId: string;
  stamp: string | null;
}

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
  private readonly cache = new RecentCache<string, { doc: ConversationRecord; stamp: string }>(CACHED_CONVERSATIONS, CACHE_AGE_MS);
  /**
   * The sections the current call runs inside. Bound to the call (not to the conversation), so a
   * read made without the lock — a flush job looking up a channel, a staff page — never uses or
   * fills the cache, even while another call of this process holds that conversation's lock.
   */
  private readonly sections = new AsyncLocalStorage<readonly Held[]>();

  constructor(
    models: Models,
    private readonly cipher: FieldCipher,
    private readonly lock: ConversationLock & Partial<StampedLock>,
    /** Staff hear of a conversation whose sealed part cannot be read; the person gets an apology and goes on. */
    private readonly faults?: FaultReporter,
  ) {
    this.collection = rawCollection(models.Conversation);
  }

  /**
   * Runs `work` holding the conversation's lock: the only way to read a conversation in order to
   * write it. With a stamped lock, every holder leaves a fresh stamp after it writes, and a cached
   * copy is used only while the stamp it was cached under is still the one in Redis — so nobody,
   * in any process, has written the conversation since (docs/pipeline.md, "Reads saved").
   */
  exclusive<T>(convId: string, work: () => Promise<T>): Promise<T> {
    const key = `conversation:${convId}`;
    if (!this.lock.withStamp) return this.lock.withLock(key, work);
    return this.lock.withStamp(key, async (found) => {
      const held: Held = { convId, stamp: found };
      const value = await this.sections.run([...(this.sections.getStore() ?? []), held], work);
      return { value, stamp: held.stamp };
    });
  }

  /** Forgets every cached document (Redis reconnected: a stamp it lost may come back older). */
  forgetCached(): void {
    this.cache.clear();
  }

  private heldFor(convId: string): Held | undefined {
    return this.sections.getStore()?.find((h) => h.convId === convId);
  }

  idOf(ref: ConversationRef): string {
    return conversationId(this.cipher, ref);
  }

  /** The conversation as stored. Under its lock, from the cache when the stamp says it is current. */
  async load(convId: string): Promise<ConversationRecord | null> {
    const held = this.heldFor(convId);
    if (!held) return this.collection.findOne({ _id: convId });
    const stamp = held.stamp;
    const cached = this.cache.get(convId);
    // Copies in and out: a caller changing its document must not change the cached one.
    if (stamp !== null && cached?.stamp === stamp) return structuredClone(cached.doc);
    const doc = await this.collection.findOne({ _id: convId });
    // The stamp found names what the last writer left, which is what we just read (we hold the lock).
    if (doc && stamp !== null && held.stamp === stamp) this.cache.set(convId, { doc: structuredClone(doc), stamp });
    return doc;
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
      return this.written(created._id, async () => {
        try {
          await this.collection.insertOne(created);
        } catch (error) {
          if (isDuplicateKeyError(error)) throw new ConcurrencyError('conversation was created concurrently');
          throw error;
        }
        return created;
      });
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

  private compareAndSet(doc: ConversationRecord, fields: Partial<ConversationRecord>): Promise<ConversationRecord> {
    return this.written(doc._id, async () => {
      const result = await this.collection.updateOne({ _id: doc._id, rev: doc.rev }, { $set: { ...fields, rev: doc.rev + 1 } });
      if (result.matchedCount === 0) throw new ConcurrencyError(`conversation changed since revision ${doc.rev}`);
      return { ...doc, ...fields, rev: doc.rev + 1 };
    });
  }

  /**
   * Runs a write and keeps the cache and the stamp true to it: after a write under the lock, the
   * new document is cached under a new stamp, which the lock leaves for the next holder; after a
   * failed write (it may or may not have been applied) nothing is cached and no stamp is left. A
   * write without the lock (tests, tools) removes the stamp, so no process trusts its copy.
   */
  private async written(convId: string, write: () => Promise<ConversationRecord>): Promise<ConversationRecord> {
    const held = this.heldFor(convId);
    this.cache.delete(convId);
    if (held) held.stamp = null;
    const doc = await write();
    if (held) {
      held.stamp = newStamp(doc.rev);
      this.cache.set(convId, { doc: structuredClone(doc), stamp: held.stamp });
    } else if (this.lock.dropStamp) await this.lock.dropStamp(`conversation:${convId}`);
    return doc;
  }
}

/** A stamp names one version of a conversation as one writer left it; the random part tells two writers of the same revision apart. */
function newStamp(rev: number): string {
  return `${rev}.${randomUUID()}`;
}

function oldest(outbox: readonly OutboxBubble[]): Date | null {
  let min: Date | null = null;
  for (const b of outbox) if (min === null || b.createdAt < min) min = b.createdAt;
  return min;
}
