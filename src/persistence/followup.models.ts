import { Schema, type Model } from 'mongoose';
import type { FollowUpRecord } from '../domain/followup';
import type { SealedValue } from '../security/field-cipher';
import { modelsPerConnection, sealed } from './models';

/**
 * Models of the proactive side: scheduled messages, satisfaction surveys and staff tasks. Same
 * rules as models.ts: unique indexes only, no TTL, equality look-ups on the hot paths (FerretDB
 * on PostgreSQL serves equality through its GIN indexes, not ranges).
 */

const ScheduledSchema = new Schema<FollowUpRecord>(
  {
    _id: String,
    kind: { type: String, required: true },
    caseId: { type: String, required: true, index: true },
    conversationId: { type: String, required: true },
    channel: { type: String, required: true },
    dueAt: { type: Date, required: true },
    version: { type: Number, required: true },
    state: { type: String, required: true, index: true },
    reason: { type: String, default: null },
    detail: { type: Schema.Types.Mixed, default: {} },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
    sentAt: { type: Date, default: null },
  },
  { collection: 'scheduled_messages', versionKey: false, minimize: false },
);

/** A satisfaction survey and its answer, kept with what the report groups by (no personal data but the sealed comment). */
export interface SurveyDoc {
  _id: string;
  subjectType: 'request' | 'handoff';
  subjectId: string;
  conversationId: string;
  channel: string;
  language: string;
  supportType: string | null;
  createdAt: Date;
  invitedAt: Date | null;
  rating: number | null;
  ratedAt: Date | null;
  commentSealed: SealedValue | null;
  commentAt: Date | null;
}
const SurveySchema = new Schema<SurveyDoc>(
  {
    _id: String,
    subjectType: { type: String, required: true },
    subjectId: { type: String, required: true },
    conversationId: { type: String, required: true },
    channel: { type: String, required: true },
    language: { type: String, required: true },
    supportType: { type: String, default: null },
    createdAt: { type: Date, required: true },
    invitedAt: { type: Date, default: null },
    rating: { type: Number, default: null },
    ratedAt: { type: Date, default: null },
    commentSealed: { type: sealed, default: null },
    commentAt: { type: Date, default: null },
  },
  { collection: 'surveys', versionKey: false },
);

/** `handoff_silent`: an agent held a handoff without writing for HANDOFF_SILENT_MINUTES; it went back to the queue. */
export const STAFF_TASK_KINDS = ['promise_overdue', 'low_satisfaction', 'handoff_silent'] as const;
export type StaffTaskKind = (typeof STAFF_TASK_KINDS)[number];

/** Something a supervisor should look at; `_id` is `<kind>-<case id>`, so a task is opened once. */
export interface StaffTaskDoc {
  _id: string;
  kind: StaffTaskKind;
  caseId: string;
  conversationId: string | null;
  status: 'open' | 'done';
  detail: Record<string, string | number>;
  createdAt: Date;
  doneAt: Date | null;
  doneBy: string | null;
}
const StaffTaskSchema = new Schema<StaffTaskDoc>(
  {
    _id: String,
    kind: { type: String, required: true },
    caseId: { type: String, required: true },
    conversationId: { type: String, default: null },
    status: { type: String, required: true, index: true },
    detail: { type: Schema.Types.Mixed, default: {} },
    createdAt: { type: Date, required: true },
    doneAt: { type: Date, default: null },
    doneBy: { type: String, default: null },
  },
  { collection: 'staff_tasks', versionKey: false, minimize: false },
);

export interface FollowUpModels {
  Scheduled: Model<FollowUpRecord>;
  Survey: Model<SurveyDoc>;
  StaffTask: Model<StaffTaskDoc>;
}

/** Registers the models once per connection (the CLI, the workers and tests may ask more than once). */
export const createFollowUpModels = modelsPerConnection(
  (connection): FollowUpModels => ({
    Scheduled: connection.model('ScheduledMessage', ScheduledSchema),
    Survey: connection.model('Survey', SurveySchema),
    StaffTask: connection.model('StaffTask', StaffTaskSchema),
  }),
);
