import { randomUUID } from 'node:crypto';
import type { mongo } from 'mongoose';
import type { ChannelId } from '../domain/messages';
import type { ConversationRef } from '../engine/ports';
import type { FieldCipher } from '../security/field-cipher';
import { rawCollection, type HandoffDoc, type Models } from './models';
import { isDuplicateKeyError } from './mongo-errors';

/** What changes who holds a handoff. */
export type OwnerAction = 'claim' | 'release' | 'transfer' | 'timeout';

/**
 * One ownership change, claimed by its unique `_id` `<handoff id>:<version>` before the handoff
 * document is updated: of two agents claiming at once exactly one insert succeeds (a unique index
 * holds on FerretDB, where a conditional update does not).
 */
interface OwnerChangeDoc {
  _id: string;
  handoffId: string;
  version: number;
  action: OwnerAction;
  /** The new holder (null: back in the queue). */
  to: string | null;
  from: string | null;
  /** Who did it (null: the silent-agent timer). */
  by: string | null;
  at: Date;
}

/** A handoff as the staff inbox sees it: no message texts (the transcript comes from the message log). */
export interface InboxHandoff {
  id: string;
  conversationId: string;
  channel: ChannelId;
  account: string;
  reason: string;
  language: string;
  status: 'open' | 'closed';
  openedAt: Date;
  closedAt: Date | null;
  closeReason: string | null;
  claimedBy: string | null;
  claimedAt: Date | null;
  claimVersion: number;
  lastStaffReplyAt: Date | null;
  /** When the beneficiary last wrote into the handoff (or when it opened). */
  lastMessageAt: Date;
  messageCount: number;
  transfers: Array<{ at: Date; action: string; from: string | null; to: string | null; by: string | null }>;
  staffReplies: Array<{ at: Date; by: string; outboundId: string }>;
}

export interface InboxNote {
  id: string;
  at: Date;
  by: string;
  text: string;
}

/**
 * The staff inbox's side of the `handoffs` collection: ownership (claim, release, transfer,
 * timeout), sealed notes, staff replies. Callers hold the conversation's Redis lock
 * (ConversationRecords.exclusive) around a read and the change it leads to; the unique insert of
 * each ownership change is the second line that makes a claim exclusive even if the lock lapsed.
 */
export class HandoffInboxRepository {
  private readonly handoffs: mongo.Collection<HandoffDoc>;
  private readonly changes: mongo.Collection<OwnerChangeDoc>;

  constructor(
    models: Models,
    private readonly cipher: FieldCipher,
  ) {
    this.handoffs = rawCollection(models.Handoff);
    this.changes = models.Handoff.db.collection<OwnerChangeDoc>('handoff_claims');
  }

  /**
   * The handoff, its ownership read through the change log: a change whose document update has
   * not happened yet (in progress, or lost in a crash) counts already. Nothing is written here.
   */
  async get(id: string): Promise<InboxHandoff | null> {
    const doc = await this.handoffs.findOne({ _id: id });
    if (!doc) return null;
    const handoff = toInbox(doc);
    for (let next = await this.change(id, handoff.claimVersion + 1); next; next = await this.change(id, handoff.claimVersion + 1)) {
      Object.assign(handoff, { claimedBy: next.to, claimedAt: next.to ? next.at : null, claimVersion: next.version });
    }
    return handoff;
  }

  /** Open handoffs, oldest first. */
  async listOpen(limit = 500): Promise<InboxHandoff[]> {
    const docs = await this.handoffs.find({ status: 'open' }).sort({ openedAt: 1 }).limit(limit).toArray();
    return docs.map(toInbox);
  }

  /** Who the conversation is with, to address the beneficiary (decrypted; never leaves the server). */
  async refOf(id: string): Promise<ConversationRef | null> {
    const doc = await this.handoffs.findOne({ _id: id }, { projection: { channel: 1, account: 1, senderSealed: 1 } });
    return doc ? { channel: doc.channel as ChannelId, account: doc.account, sender: this.cipher.open(doc.senderSealed) } : null;
  }

  /**
   * Changes who holds the handoff, from `version` (as read) to the next one. `conflict`: someone
   * else changed it first; re-read and decide again.
   */
  async changeOwner(handoff: InboxHandoff, action: OwnerAction, to: string | null, by: string | null, now: Date): Promise<'changed' | 'conflict'> {
    const version = handoff.claimVersion + 1;
    const change: OwnerChangeDoc = { _id: `${handoff.id}:${version}`, handoffId: handoff.id, version, action, to, from: handoff.claimedBy, by, at: now };
    try {
      await this.changes.insertOne(change);
    } catch (error) {
      if (isDuplicateKeyError(error)) return 'conflict';
      throw error;
    }
    await this.apply(change);
    return 'changed';
  }

  async addNote(id: string, by: string, text: string, now: Date): Promise<InboxNote> {
    const note = { id: randomUUID(), at: now, by, textSealed: this.cipher.seal(text) };
    await this.handoffs.updateOne({ _id: id }, { $push: { notes: note } });
    return { id: note.id, at: now, by, text };
  }

  async notes(id: string): Promise<InboxNote[]> {
    const doc = await this.handoffs.findOne({ _id: id }, { projection: { notes: 1 } });
    return (doc?.notes ?? []).map((n) => ({ id: n.id, at: n.at, by: n.by, text: this.cipher.open(n.textSealed) }));
  }

  async noteStaffReply(id: string, by: string, outboundId: string, now: Date): Promise<void> {
    await this.handoffs.updateOne({ _id: id }, { $set: { lastStaffReplyAt: now }, $push: { staffReplies: { at: now, by, outboundId } } });
  }

  /** Closes an open handoff (the caller holds the conversation's lock). */
  async close(id: string, by: string, reason: 'returned' | 'closed', now: Date): Promise<boolean> {
    const result = await this.handoffs.updateOne({ _id: id, status: 'open' }, { $set: { status: 'closed', closedAt: now, closedBy: by, closeReason: reason } });
    return result.modifiedCount === 1;
  }

  private change(id: string, version: number): Promise<OwnerChangeDoc | null> {
    return this.changes.findOne({ _id: `${id}:${version}` });
  }

  private async apply(change: OwnerChangeDoc): Promise<void> {
    await this.handoffs.updateOne(
      { _id: change.handoffId },
      {
        $set: { claimedBy: change.to, claimedAt: change.to ? change.at : null, claimVersion: change.version },
        $push: { transfers: { at: change.at, action: change.action, from: change.from, to: change.to, by: change.by } },
      },
    );
  }
}

function toInbox(doc: HandoffDoc): InboxHandoff {
  const last = doc.messages[doc.messages.length - 1];
  return {
    id: doc._id,
    conversationId: doc.conversationId,
    channel: doc.channel as ChannelId,
    account: doc.account,
    reason: doc.reason,
    language: doc.language,
    status: doc.status,
    openedAt: doc.openedAt,
    closedAt: doc.closedAt ?? null,
    closeReason: doc.closeReason ?? null,
    claimedBy: doc.claimedBy ?? null,
    claimedAt: doc.claimedAt ?? null,
    claimVersion: doc.claimVersion ?? 0,
    lastStaffReplyAt: doc.lastStaffReplyAt ?? null,
    lastMessageAt: last?.at ?? doc.openedAt,
    messageCount: doc.messages.length,
    transfers: doc.transfers ?? [],
    staffReplies: doc.staffReplies ?? [],
  };
}
