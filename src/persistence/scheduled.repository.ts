import type { mongo } from 'mongoose';
import type { FollowUpDetail, FollowUpKind, FollowUpRecord, FollowUpState } from '../domain/followup';
import type { FollowUpModels } from './followup.models';
import { rawCollection } from './models';
import { isDuplicateKeyError } from './mongo-errors';

/** What a new scheduled message needs; the repository adds state, version and times. */
export interface PlannedFollowUp {
  id: string;
  kind: FollowUpKind;
  caseId: string;
  conversationId: string;
  channel: string;
  dueAt: Date;
  detail: FollowUpDetail;
}

/** The claim of a scheduled message, taken just before it is put in the conversation's outbox. */
interface ClaimDoc {
  _id: string;
  at: Date;
}

/**
 * Scheduled messages in MongoDB: the source of truth (Redis only holds the alarm clock). A
 * record is sent at most once because sending first inserts its claim under the record's id — a
 * unique insert, which FerretDB makes atomic where it does not make a conditional update atomic.
 */
export class ScheduledRepository {
  private readonly records: mongo.Collection<FollowUpRecord>;
  private readonly claims: mongo.Collection<ClaimDoc>;

  constructor(models: FollowUpModels) {
    this.records = rawCollection(models.Scheduled);
    this.claims = models.Scheduled.db.collection<ClaimDoc>('scheduled_claims');
  }

  /** Inserts the record unless one with the same id exists; returns the stored one either way. */
  async plan(input: PlannedFollowUp, now: Date): Promise<{ record: FollowUpRecord; created: boolean }> {
    const record: FollowUpRecord = {
      _id: input.id,
      kind: input.kind,
      caseId: input.caseId,
      conversationId: input.conversationId,
      channel: input.channel,
      dueAt: input.dueAt,
      version: 1,
      state: 'scheduled',
      reason: null,
      detail: input.detail,
      createdAt: now,
      updatedAt: now,
      sentAt: null,
    };
    try {
      await this.records.insertOne(record);
      return { record, created: true };
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
    }
    const existing = await this.get(input.id);
    if (!existing) throw new Error(`scheduled message ${input.id} vanished`);
    return { record: existing, created: false };
  }

  get(id: string): Promise<FollowUpRecord | null> {
    return this.records.findOne({ _id: id });
  }

  /**
   * Moves a scheduled record to a new due time under a new version (the old job then finds
   * itself stale). Null when the record is no longer scheduled.
   */
  async reschedule(record: FollowUpRecord, dueAt: Date, reason: string | null, now: Date): Promise<FollowUpRecord | null> {
    const version = record.version + 1;
    const result = await this.records.updateOne({ _id: record._id, state: 'scheduled' }, { $set: { dueAt, version, reason, updatedAt: now } });
    return result.matchedCount === 0 ? null : { ...record, dueAt, version, reason, updatedAt: now };
  }

  /** Takes the right to send the record: true for exactly one caller, ever. */
  async claim(id: string, now: Date): Promise<boolean> {
    try {
      await this.claims.insertOne({ _id: id, at: now });
      return true;
    } catch (error) {
      if (isDuplicateKeyError(error)) return false;
      throw error;
    }
  }

  /** Ends a scheduled record: sent, or skipped / cancelled with the reason. */
  async finish(id: string, state: Exclude<FollowUpState, 'scheduled'>, reason: string | null, now: Date): Promise<void> {
    await this.records.updateOne(
      { _id: id, state: 'scheduled' },
      { $set: { state, reason, updatedAt: now, ...(state === 'sent' ? { sentAt: now } : {}) } },
    );
  }

  /** Cancels the still-scheduled records of a case (of the given kinds); returns them, for their jobs. */
  async cancelCase(caseId: string, kinds: readonly FollowUpKind[], reason: string, now: Date): Promise<FollowUpRecord[]> {
    const open = (await this.records.find({ caseId, state: 'scheduled' }).toArray()).filter((r) => kinds.includes(r.kind));
    for (const r of open) await this.finish(r._id, 'cancelled', reason, now);
    return open;
  }

  /** Scheduled records due by `until`, soonest first (the sweep and the admin list). */
  async dueBy(until: Date, limit: number): Promise<FollowUpRecord[]> {
    // Equality on `state` is what FerretDB serves from an index; the time filter runs on those few.
    const docs = await this.records.find({ state: 'scheduled', dueAt: { $lte: until } }).sort({ dueAt: 1 }).limit(limit).toArray();
    return docs;
  }

  /** Retention: finished records (sent, cancelled, skipped) last changed before `cutoff`, and their claims, are deleted. */
  async purgeFinishedBefore(cutoff: Date): Promise<number> {
    const old = await this.records.find({ state: { $ne: 'scheduled' }, updatedAt: { $lt: cutoff } }, { projection: { _id: 1 } }).toArray();
    let deleted = 0;
    for (let i = 0; i < old.length; i += 500) {
      const ids = old.slice(i, i + 500).map((r) => r._id);
      await this.claims.deleteMany({ _id: { $in: ids } });
      deleted += (await this.records.deleteMany({ _id: { $in: ids } })).deletedCount;
    }
    return deleted;
  }

  /** Records of a case, any state (tests and the staff console's history). */
  ofCase(caseId: string): Promise<FollowUpRecord[]> {
    return this.records.find({ caseId }).sort({ createdAt: 1 }).toArray();
  }
}
