import { randomUUID } from 'node:crypto';
import { addWorkingMinutes } from '../domain/working-hours';
import { DEFAULT_HANDOFF_TIMERS, followUpIds, surveyIdOf, type FollowUpKind, type HandoffTimerSettings, type FollowUpRecord, type FollowUpSettings, type SurveySubject } from '../domain/followup';
import { outOfQuietHours } from '../domain/quiet-hours';
import { CLOSED_STATUSES, type RequestStatus } from '../domain/support-request';
import type { ChannelId } from '../domain/messages';
import type { Clock, ConversationRef } from '../engine/ports';
import type { Logger } from '../logging/logger';
import type { MongoRequestRepository } from '../persistence/request.repository';
import type { PlannedFollowUp, ScheduledRepository } from '../persistence/scheduled.repository';
import type { MongoSurveyRepository } from '../persistence/survey.repository';
import type { FollowUpQueue } from './followup.queue';

export interface PlannerDeps {
  scheduled: ScheduledRepository;
  surveys: MongoSurveyRepository;
  requests: MongoRequestRepository;
  queue: FollowUpQueue;
  settings: FollowUpSettings;
  clock: Clock;
  /** The conversation id of a beneficiary (an HMAC: the planner never stores who they are). */
  conversationIdOf: (ref: ConversationRef) => string;
  logger: Logger;
  /** HANDOFF_CLAIM_MINUTES and HANDOFF_SILENT_MINUTES; defaults for tools and tests. */
  handoffTimers?: HandoffTimerSettings;
}

/** Where a follow-up goes. */
export interface FollowUpTarget {
  conversationId: string;
  channel: ChannelId;
}

/**
 * Decides what the bot will say first, and when: every scheduling decision of the follow-ups
 * lives here (the admin CLI, the staff console, the message pipeline and the runner call it).
 * A record is written before its alarm is set, so a crash in between leaves a record the sweep
 * arms; never an alarm without its record.
 */
export class FollowUpPlanner {
  constructor(private readonly deps: PlannerDeps) {}

  get settings(): FollowUpSettings {
    return this.deps.settings;
  }

  /** An unfinished request began: one reminder per REMINDER_HOURS entry, counted from the last message when due. */
  async draftStarted(target: FollowUpTarget, draftId: string): Promise<void> {
    const now = this.deps.clock.now();
    for (const [index, hours] of this.deps.settings.reminderHours.entries()) {
      const ordinal = index + 1;
      await this.schedule({ id: followUpIds.reminder(draftId, ordinal), kind: 'reminder', caseId: draftId, ...target, dueAt: new Date(now.getTime() + hours * 3_600_000), detail: { ordinal } }, now);
    }
  }

  /** The draft was submitted or cancelled: its reminders are cancelled. */
  draftClosed(draftId: string, reason: 'submitted' | 'cancelled'): Promise<void> {
    return this.cancel(draftId, ['reminder'], reason);
  }

  /**
   * Staff change a request's status; the beneficiary is told (with the change's id, so a later
   * change supersedes an earlier unsent one). With the committee: the two-week promise is set.
   * Closed (delivered or rejected): the satisfaction survey. Setting the status a request already
   * has changes nothing and tells nobody (a command run twice must not message the family twice).
   * With `from` (the staff console), the change is made only if the request is still in that
   * status; otherwise `conflict` and nobody is told.
   */
  async changeRequestStatus(reference: string, status: RequestStatus, note: string | null, by: string, from?: RequestStatus): Promise<'changed' | 'unchanged' | 'not_found' | 'conflict'> {
    const facts = await this.deps.requests.followUpFacts(reference);
    if (!facts) return 'not_found';
    if (facts.status === status && (facts.statusNote ?? null) === note) return 'unchanged';
    if (from !== undefined && facts.status !== from) return 'conflict';
    const now = this.deps.clock.now();
    const target: FollowUpTarget = { conversationId: this.deps.conversationIdOf(facts.applicant), channel: facts.applicant.channel };
    const changeId = randomUUID();
    // Written first, armed after the change: the runner checks the change exists before telling anyone.
    const { record } = await this.deps.scheduled.plan({ id: followUpIds.status(changeId), kind: 'status', caseId: reference, ...target, dueAt: this.dueAt(now), detail: { status, changeId } }, now);
    const changed = await this.deps.requests.setStatus(reference, status, note, by, now, changeId, from);
    if (!changed) {
      // Never armed; ended here so the sweep does not pick it up either.
      await this.deps.scheduled.finish(record._id, 'cancelled', 'status_not_changed', now);
      return from === undefined ? 'not_found' : 'conflict';
    }
    await this.deps.queue.arm(record, now);
    if (status !== 'committee') await this.cancel(reference, ['promise'], 'decided');
    if (status === 'committee') {
      const due = new Date(now.getTime() + this.deps.settings.promiseDays * 86_400_000);
      await this.schedule({ id: followUpIds.promise(reference, changeId), kind: 'promise', caseId: reference, ...target, dueAt: due, detail: { changeId } }, now);
    }
    if (CLOSED_STATUSES.has(status)) {
      await this.scheduleSurvey({ type: 'request', id: reference }, target, facts.language, facts.supportType, now);
    }
    return 'changed';
  }

  /** Staff closed a handoff: the survey follows (not when the beneficiary left it themselves). */
  async handoffClosed(handoff: { id: string; conversationId: string; channel: ChannelId; language: string }): Promise<void> {
    const now = this.deps.clock.now();
    await this.scheduleSurvey({ type: 'handoff', id: handoff.id }, { conversationId: handoff.conversationId, channel: handoff.channel }, handoff.language, null, now);
  }

  get handoffTimers(): HandoffTimerSettings {
    return this.deps.handoffTimers ?? DEFAULT_HANDOFF_TIMERS;
  }

  /** A handoff opened: if nobody claims it within HANDOFF_CLAIM_MINUTES of working time, the person is told the wait is longer. */
  async handoffOpened(handoff: { id: string; conversationId: string; channel: ChannelId; openedAt: Date }): Promise<void> {
    const now = this.deps.clock.now();
    const due = addWorkingMinutes(handoff.openedAt, this.handoffTimers.claimMinutes);
    const target = { conversationId: handoff.conversationId, channel: handoff.channel };
    await this.schedule({ id: followUpIds.handoffClaim(handoff.id), kind: 'handoff_claim', caseId: handoff.id, ...target, dueAt: due, detail: { handoffId: handoff.id } }, now);
  }

  /**
   * An agent took the handoff (claim or transfer, ownership version `claimVersion`): a silence
   * timer for that holder. Replies do not move it; when it fires it measures from the last reply.
   */
  async handoffClaimed(handoff: { id: string; conversationId: string; channel: ChannelId }, claimVersion: number, claimedAt: Date): Promise<void> {
    const now = this.deps.clock.now();
    const due = addWorkingMinutes(claimedAt, this.handoffTimers.silentMinutes);
    const target = { conversationId: handoff.conversationId, channel: handoff.channel };
    await this.schedule({ id: followUpIds.handoffSilent(handoff.id, claimVersion), kind: 'handoff_silent', caseId: handoff.id, ...target, dueAt: due, detail: { handoffId: handoff.id, claimVersion } }, now);
  }

  /** The handoff ended (returned, closed, left by the person): its timers are cancelled. */
  handoffEnded(handoffId: string): Promise<void> {
    return this.cancel(handoffId, ['handoff_claim', 'handoff_silent'], 'handoff_ended');
  }

  /** The survey's one reminder, after it was sent. */
  async surveySent(surveyId: string, target: FollowUpTarget): Promise<void> {
    const now = this.deps.clock.now();
    const due = new Date(now.getTime() + this.deps.settings.surveyReminderHours * 3_600_000);
    await this.schedule({ id: followUpIds.surveyReminder(surveyId), kind: 'survey_reminder', caseId: surveyId, ...target, dueAt: due, detail: { surveyId } }, now);
  }

  /** Moves a record to a later time (quiet hours applied) under a new version, and sets its alarm. */
  async postpone(record: FollowUpRecord, until: Date, reason: string): Promise<void> {
    const now = this.deps.clock.now();
    const moved = await this.deps.scheduled.reschedule(record, this.dueAt(until), reason, now);
    if (moved) await this.deps.queue.arm(moved, now);
  }

  /**
   * Sets the alarm of every scheduled record due within `aheadMs` whose alarm Redis no longer has
   * (a restart without persistence, a flush). Run by one BullMQ job scheduler for all processes.
   * Returns how many were re-armed.
   */
  async sweep(aheadMs = 10 * 60_000, limit = 2000): Promise<number> {
    const now = this.deps.clock.now();
    const due = await this.deps.scheduled.dueBy(new Date(now.getTime() + aheadMs), limit);
    let rearmed = 0;
    for (const record of due) {
      if (await this.deps.queue.isArmed(record)) continue;
      await this.deps.queue.arm(record, now);
      rearmed += 1;
    }
    if (rearmed > 0) this.deps.logger.warn({ rearmed }, 'follow-up sweep re-armed scheduled messages whose alarm was missing');
    return rearmed;
  }

  /** The due time, moved out of quiet hours (a message due at night goes out in the morning). */
  dueAt(at: Date): Date {
    return outOfQuietHours(at, this.deps.settings.quietHours);
  }

  private async scheduleSurvey(subject: SurveySubject, target: FollowUpTarget, language: string, supportType: string | null, now: Date): Promise<void> {
    const surveyId = surveyIdOf(subject);
    await this.deps.surveys.create({ id: surveyId, subject, ...target, language, supportType }, now);
    const due = new Date(now.getTime() + this.deps.settings.surveyDelayMinutes * 60_000);
    await this.schedule({ id: followUpIds.survey(surveyId), kind: 'survey', caseId: surveyId, ...target, dueAt: due, detail: { surveyId } }, now);
  }

  private async schedule(planned: PlannedFollowUp, now: Date): Promise<void> {
    const dueAt = this.dueAt(planned.dueAt);
    const { record } = await this.deps.scheduled.plan({ ...planned, dueAt, detail: { ...planned.detail, firstDueAt: dueAt.toISOString() } }, now);
    if (record.state === 'scheduled') await this.deps.queue.arm(record, now);
  }

  private async cancel(caseId: string, kinds: readonly FollowUpKind[], reason: string): Promise<void> {
    const cancelled = await this.deps.scheduled.cancelCase(caseId, kinds, reason, this.deps.clock.now());
    for (const record of cancelled) await this.deps.queue.disarm(record);
  }
}
