import type { QuietHours } from './quiet-hours';

/**
 * Messages the bot sends without being asked (policy: reach beneficiaries "without the need for
 * them to ask"). Each is a stored record — the truth — and a delayed job that only wakes it up.
 */

/**
 * - `reminder`: an unfinished request after silence (the 1st and 2nd reminder are two records).
 * - `status`: a request's status changed.
 * - `promise`: a request has been with the committee for the promised two weeks, undecided.
 * - `survey`: the satisfaction survey after a closed request or handoff.
 * - `survey_reminder`: the one reminder of an unanswered survey.
 * - `handoff_claim`: nobody took a handoff within HANDOFF_CLAIM_MINUTES of working time: the
 *   person is told the wait is longer and when to expect an answer.
 * - `handoff_silent`: the agent holding a handoff wrote nothing for HANDOFF_SILENT_MINUTES of
 *   working time: it goes back to the queue and a supervisor gets a task (nothing is sent).
 */
export const FOLLOW_UP_KINDS = ['reminder', 'status', 'promise', 'survey', 'survey_reminder', 'handoff_claim', 'handoff_silent'] as const;
export type FollowUpKind = (typeof FOLLOW_UP_KINDS)[number];

/** scheduled → sent, or cancelled (the case moved on before it was due) / skipped (due, but not sendable: `reason`). */
export type FollowUpState = 'scheduled' | 'sent' | 'cancelled' | 'skipped';

/** What a survey is about: a request (by reference) or a staff handoff (by id). */
export type SurveySubject = { type: 'request'; id: string } | { type: 'handoff'; id: string };

/** Kind-specific facts a follow-up needs when it fires; ids and codes only, never personal data. */
export interface FollowUpDetail {
  /** reminder: 1 or 2. */
  ordinal?: number;
  /** status: the status announced, and the id of its history entry. */
  status?: string;
  changeId?: string;
  /** survey, survey_reminder: the survey's id. */
  surveyId?: string;
  /** handoff_claim, handoff_silent: the handoff, and (silent) the ownership version the timer watches. */
  handoffId?: string;
  claimVersion?: number;
  /** When it was first due (ISO), before any postponement: a message that cannot go out for a week is dropped. */
  firstDueAt?: string;
}

/** A scheduled message as stored. `_id` is `<kind>-<case id>` (with the ordinal for reminders). */
export interface FollowUpRecord {
  _id: string;
  kind: FollowUpKind;
  /** The draft id, the request reference, the handoff id or the survey id the message is about. */
  caseId: string;
  conversationId: string;
  channel: string;
  dueAt: Date;
  /** Bumped when the due time moves: the job id carries it, so an older job finds itself stale. */
  version: number;
  state: FollowUpState;
  reason: string | null;
  detail: FollowUpDetail;
  createdAt: Date;
  updatedAt: Date;
  sentAt: Date | null;
}

export interface FollowUpSettings {
  /** Null: quiet hours off (the end-to-end tests). */
  quietHours: QuietHours | null;
  /** Hours of silence before each reminder of an unfinished request (REMINDER_HOURS). */
  reminderHours: readonly number[];
  surveyDelayMinutes: number;
  /** The policy's promise: the committee decides in not less than two weeks. */
  promiseDays: number;
  /** An unanswered survey is asked once more after this long. */
  surveyReminderHours: number;
}

/** Defaults (quiet hours off) for tests and tools; the app takes its settings from the configuration. */
export const DEFAULT_FOLLOW_UP_SETTINGS: FollowUpSettings = { quietHours: null, reminderHours: [24, 72], surveyDelayMinutes: 60, promiseDays: 14, surveyReminderHours: 24 };

/** The id of a record's delayed job: `<record id>-v<version>` (BullMQ ids may not contain `:`). */
export function followUpJobId(record: Pick<FollowUpRecord, '_id' | 'version'>): string {
  return `${record._id}-v${record.version}`;
}

/** Record ids, one per thing: scheduling the same thing twice finds the same record. */
export const followUpIds = {
  reminder: (draftId: string, ordinal: number): string => `reminder${ordinal}-${draftId}`,
  status: (changeId: string): string => `status-${changeId}`,
  promise: (reference: string, changeId: string): string => `promise-${reference}-${changeId}`,
  survey: (surveyId: string): string => `survey-${surveyId}`,
  surveyReminder: (surveyId: string): string => `survey_reminder-${surveyId}`,
  handoffClaim: (handoffId: string): string => `handoff_claim-${handoffId}`,
  handoffSilent: (handoffId: string, claimVersion: number): string => `handoff_silent-${handoffId}-c${claimVersion}`,
};

/** The staff inbox's timers (HANDOFF_CLAIM_MINUTES, HANDOFF_SILENT_MINUTES), in working minutes. */
export interface HandoffTimerSettings {
  claimMinutes: number;
  silentMinutes: number;
}

export const DEFAULT_HANDOFF_TIMERS: HandoffTimerSettings = { claimMinutes: 15, silentMinutes: 30 };

/** A survey's id: at most one survey per request and per handoff. */
export function surveyIdOf(subject: SurveySubject): string {
  return `${subject.type}-${subject.id}`;
}

/** Parses `REMINDER_HOURS` ("24,72"): increasing whole hours, at most two reminders. */
export function parseReminderHours(text: string): number[] {
  const hours = text.split(',').map((h) => h.trim()).filter((h) => h !== '');
  const values = hours.map((h) => (/^\d{1,4}$/.test(h) ? Number(h) : Number.NaN));
  if (values.length === 0 || values.length > 2 || values.some((h) => !Number.isInteger(h) || h < 1)) {
    throw new Error('REMINDER_HOURS: expected one or two whole hours, e.g. 24,72 (at most two reminders)');
  }
  if (values.some((h, i) => i > 0 && h <= (values[i - 1] ?? 0))) throw new Error('REMINDER_HOURS: hours must increase, e.g. 24,72');
  return values;
}

/** Parses a duration such as `48h`, `30m`, `7d` (the admin CLI's `--due-within`). */
export function parseDuration(text: string): number | null {
  const m = /^(\d{1,5})\s*([mhd])$/i.exec(text.trim());
  if (!m || !m[1] || !m[2]) return null;
  const unit = { m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2].toLowerCase() as 'm' | 'h' | 'd'];
  return Number(m[1]) * unit;
}
