import type { mongo } from 'mongoose';
import type { SurveySubject } from '../domain/followup';
import type { SurveyRepository, TaskRepository } from '../engine/ports';
import type { FieldCipher } from '../security/field-cipher';
import type { FollowUpModels, StaffTaskDoc, SurveyDoc } from './followup.models';
import { rawCollection } from './models';
import { isDuplicateKeyError } from './mongo-errors';

/** What a new survey records about its case, for the report's groupings. */
export interface NewSurvey {
  id: string;
  subject: SurveySubject;
  conversationId: string;
  channel: string;
  language: string;
  supportType: string | null;
}

/** Surveys and their answers. The comment is sealed: people write names and numbers in comments. */
export class MongoSurveyRepository implements SurveyRepository {
  private readonly surveys: mongo.Collection<SurveyDoc>;

  constructor(
    models: FollowUpModels,
    private readonly cipher: FieldCipher,
  ) {
    this.surveys = rawCollection(models.Survey);
  }

  /** Creates the survey once; false when the case already has one (at most one per case and per handoff). */
  async create(input: NewSurvey, now: Date): Promise<boolean> {
    const doc: SurveyDoc = {
      _id: input.id,
      subjectType: input.subject.type,
      subjectId: input.subject.id,
      conversationId: input.conversationId,
      channel: input.channel,
      language: input.language,
      supportType: input.supportType,
      createdAt: now,
      invitedAt: null,
      rating: null,
      ratedAt: null,
      commentSealed: null,
      commentAt: null,
    };
    try {
      await this.surveys.insertOne(doc);
      return true;
    } catch (error) {
      if (isDuplicateKeyError(error)) return false;
      throw error;
    }
  }

  get(id: string): Promise<SurveyDoc | null> {
    return this.surveys.findOne({ _id: id });
  }

  async invited(id: string, now: Date): Promise<void> {
    await this.surveys.updateOne({ _id: id, invitedAt: null }, { $set: { invitedAt: now } });
  }

  async rate(id: string, rating: number, now: Date): Promise<void> {
    await this.surveys.updateOne({ _id: id }, { $set: { rating, ratedAt: now } });
  }

  async comment(id: string, text: string, now: Date): Promise<void> {
    await this.surveys.updateOne({ _id: id }, { $set: { commentSealed: this.cipher.seal(text), commentAt: now } });
  }

  /** Surveys sent in [from, to), for the satisfaction report (computed in code: `$group` is limited on FerretDB). */
  sentBetween(from: Date | null, to: Date | null): Promise<SurveyDoc[]> {
    const invitedAt: Record<string, Date | null> = { $ne: null };
    if (from) invitedAt.$gte = from;
    if (to) invitedAt.$lt = to;
    const filter = { invitedAt };
    return this.surveys.find(filter, { projection: { commentSealed: 0 } }).toArray();
  }

  /** The comment of one survey, decrypted (the staff console shows it to those allowed). */
  commentOf(doc: SurveyDoc): string | null {
    return doc.commentSealed ? this.cipher.open(doc.commentSealed) : null;
  }
}

/** Staff tasks: `_id` is `<kind>-<case id>`, so the same alert is opened once however often it fires. */
export class MongoTaskRepository implements TaskRepository {
  private readonly tasks: mongo.Collection<StaffTaskDoc>;

  constructor(models: FollowUpModels) {
    this.tasks = rawCollection(models.StaffTask);
  }

  async open(task: Parameters<TaskRepository['open']>[0], now: Date): Promise<void> {
    try {
      await this.tasks.insertOne({ _id: `${task.kind}-${task.caseId}`, ...task, status: 'open', createdAt: now, doneAt: null, doneBy: null });
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
    }
  }

  /** Marks an open task done; false when there is no such open task. */
  async done(id: string, by: string, now: Date): Promise<boolean> {
    const result = await this.tasks.updateOne({ _id: id, status: 'open' }, { $set: { status: 'done', doneAt: now, doneBy: by } });
    return result.modifiedCount === 1;
  }

  listOpen(limit = 200): Promise<StaffTaskDoc[]> {
    return this.tasks.find({ status: 'open' }).sort({ createdAt: 1 }).limit(limit).toArray();
  }
}
