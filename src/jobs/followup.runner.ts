import type { ChannelSender } from '../channels/channel';
import { followUpIds, type FollowUpRecord } from '../domain/followup';
import type { ChannelId, Reply } from '../domain/messages';
import { isQuiet } from '../domain/quiet-hours';
import { isRequestStatus } from '../domain/support-request';
import type { Engine } from '../engine/engine';
import type { ProactiveDecision, ProactiveEvent } from '../engine/proactive';
import type { Clock } from '../engine/ports';
import type { Logger } from '../logging/logger';
import type { ConversationRecords } from '../persistence/conversation-records';
import type { MessageLogRepository } from '../persistence/message-log.repository';
import type { MongoRequestRepository } from '../persistence/request.repository';
import type { ScheduledRepository } from '../persistence/scheduled.repository';
import type { MongoSurveyRepository, MongoTaskRepository } from '../persistence/survey.repository';
import type { FollowUpPlanner } from './followup.planner';
import type { FollowUpQueue } from './followup.queue';

export interface RunnerDeps {
  planner: FollowUpPlanner;
  queue: FollowUpQueue;
  scheduled: ScheduledRepository;
  surveys: MongoSurveyRepository;
  tasks: MongoTaskRepository;
  requests: MongoRequestRepository;
  records: ConversationRecords;
  log: Pick<MessageLogRepository, 'hasOutbound'>;
  engine: Engine;
  senders: ReadonlyMap<string, ChannelSender>;
  /** Sends what the conversation's outbox holds (the pipeline's exactly-once send path). */
  send: (conversationId: string, channel: ChannelId) => Promise<void>;
  clock: Clock;
  logger: Logger;
  /** The staff inbox's timers (handoff_claim, handoff_silent); without it those records are skipped. */
  handoffs?: HandoffTimerHooks;
}

/** What the staff inbox decides when one of its timers fires (it re-reads the handoff). */
export interface HandoffTimerHooks {
  /** Nobody claimed the handoff in time: the event telling the person, or why not. */
  claimOverdue(handoffId: string, now: Date): Promise<FollowUpPreparation>;
  /** The agent holding version `claimVersion` may have gone silent: acts, and says when to look again or why it is done. */
  silent(handoffId: string, claimVersion: number, now: Date): Promise<FollowUpPreparation>;
}

/** A status change not found yet may be a change still being written: wait this long before giving up on it. */
const CHANGE_GRACE_MS = 2 * 60_000;
/** When the record was first due (before any postponement). */
function firstDue(record: FollowUpRecord): Date {
  return record.detail.firstDueAt ? new Date(record.detail.firstDueAt) : record.createdAt;
}

/** Postponements that wait for the person to be free; a week after it was first due the message is dropped. */
const STALLS = new Set(['busy', 'with_staff']);
const MAX_STALL_MS = 7 * 86_400_000;
/** Notes staff write for these statuses are meant for the beneficiary (reason, what is missing); others stay internal. */
const NOTE_SHOWN = new Set(['rejected', 'registration_incomplete']);

/** What a due record comes to: a message to decide, or not now, or never. */
export type FollowUpPreparation = { type: 'event'; event: ProactiveEvent } | Exclude<ProactiveDecision, { type: 'send' }>;
type Prepared = FollowUpPreparation;

/**
 * Fires a due follow-up: re-reads its record and its case, asks the engine what to say given the
 * conversation as it is now, and puts the message in the conversation's outbox — the same
 * exactly-once send path as replies. Safe to run twice: a stale version, a finished record or a
 * claim already taken ends it without sending.
 */
export class FollowUpRunner {
  constructor(private readonly deps: RunnerDeps) {}

  async fire(recordId: string, version: number): Promise<void> {
    const record = await this.deps.scheduled.get(recordId);
    if (!record || record.state !== 'scheduled' || record.version !== version) return;
    const now = this.deps.clock.now();
    // Fired early (a clock moved, a job promoted): a new alarm for the real time, under a new
    // version — this job's own id is still taken while it runs, so re-adding it would do nothing.
    if (record.dueAt.getTime() > now.getTime() + 1000) return this.deps.planner.postpone(record, record.dueAt, 'early');
    if (isQuiet(now, this.deps.planner.settings.quietHours)) return this.deps.planner.postpone(record, now, 'quiet_hours');
    const prepared = await this.prepare(record, now);
    if (prepared.type !== 'event') return this.settle(record, prepared);
    const outcome = await this.deliver(record, prepared.event, now);
    if (outcome.type !== 'send') return this.settle(record, outcome);
    await this.afterSent(record, now);
    await this.deps.send(record.conversationId, record.channel as ChannelId);
  }

  private async settle(record: FollowUpRecord, outcome: Exclude<ProactiveDecision, { type: 'send' }>): Promise<void> {
    const now = this.deps.clock.now();
    // A person who stays with staff (or in a form) for a week does not get last week's message.
    if (outcome.type === 'later' && STALLS.has(outcome.reason) && now.getTime() - firstDue(record).getTime() > MAX_STALL_MS) {
      return this.deps.scheduled.finish(record._id, 'skipped', `never_free:${outcome.reason}`, now);
    }
    if (outcome.type === 'later') return this.deps.planner.postpone(record, outcome.until, outcome.reason);
    await this.deps.scheduled.finish(record._id, 'skipped', outcome.reason, now);
  }

  /** Re-reads the case: what to say now, or why nothing (the case moved on). */
  private async prepare(record: FollowUpRecord, now: Date): Promise<Prepared> {
    switch (record.kind) {
      case 'reminder':
        return this.reminderEvent(record, now);
      case 'status':
        return this.statusEvent(record, now);
      case 'promise': {
        const facts = await this.deps.requests.followUpFacts(record.caseId);
        const latest = facts?.history[facts.history.length - 1];
        if (!facts || facts.status !== 'committee' || latest?.id !== record.detail.changeId) return { type: 'skip', reason: 'decided' };
        // Staff hear of the broken promise when it comes due, whether or not the person can be told now.
        await this.deps.tasks.open({ kind: 'promise_overdue', caseId: record.caseId, conversationId: record.conversationId, detail: { reference: record.caseId } }, now);
        return { type: 'event', event: { type: 'promise', reference: facts.reference } };
      }
      case 'survey':
      case 'survey_reminder': {
        const survey = await this.deps.surveys.get(record.detail.surveyId ?? record.caseId);
        if (!survey) return { type: 'skip', reason: 'no_survey' };
        if (survey.rating !== null) return { type: 'skip', reason: 'answered' };
        const about = survey.subjectType;
        return { type: 'event', event: { type: 'survey', surveyId: survey._id, about, reference: about === 'request' ? survey.subjectId : null, reminder: record.kind === 'survey_reminder' } };
      }
      case 'handoff_claim':
      case 'handoff_silent': {
        const hooks = this.deps.handoffs;
        const handoffId = record.detail.handoffId ?? record.caseId;
        if (!hooks) return { type: 'skip', reason: 'no_inbox' };
        return record.kind === 'handoff_claim' ? hooks.claimOverdue(handoffId, now) : hooks.silent(handoffId, record.detail.claimVersion ?? 0, now);
      }
      default: {
        const unreachable: never = record.kind;
        return unreachable;
      }
    }
  }

  /**
   * A reminder after real silence; a later one also not sooner after the one before than their
   * hours apart (quiet hours can make both due at 08:00).
   */
  private async reminderEvent(record: FollowUpRecord, now: Date): Promise<Prepared> {
    const hours = this.deps.planner.settings.reminderHours;
    const ordinal = record.detail.ordinal ?? 1;
    const at = (n: number): number => hours[Math.min(n - 1, hours.length - 1)] ?? 24;
    if (ordinal > 1) {
      const previous = await this.deps.scheduled.get(followUpIds.reminder(record.caseId, ordinal - 1));
      const gapMs = (at(ordinal) - at(ordinal - 1)) * 3_600_000;
      if (previous?.state === 'scheduled') return { type: 'later', until: new Date(now.getTime() + gapMs), reason: 'after_previous' };
      if (previous?.sentAt && now.getTime() - previous.sentAt.getTime() < gapMs) return { type: 'later', until: new Date(previous.sentAt.getTime() + gapMs), reason: 'after_previous' };
    }
    return { type: 'event', event: { type: 'reminder', draftId: record.caseId, silenceMs: at(ordinal) * 3_600_000 } };
  }

  private async statusEvent(record: FollowUpRecord, now: Date): Promise<Prepared> {
    const facts = await this.deps.requests.followUpFacts(record.caseId);
    if (!facts) return { type: 'skip', reason: 'no_request' };
    const index = facts.history.findIndex((h) => h.id === record.detail.changeId);
    if (index < 0) {
      // The record is written before the change; a crash in between leaves a record with no change.
      if (now.getTime() - record.createdAt.getTime() < CHANGE_GRACE_MS) return { type: 'later', until: new Date(now.getTime() + 30_000), reason: 'change_pending' };
      return { type: 'skip', reason: 'status_not_changed' };
    }
    if (index !== facts.history.length - 1) return { type: 'skip', reason: 'superseded' };
    const status = facts.history[index]?.status;
    if (!isRequestStatus(status)) return { type: 'skip', reason: 'unknown_status' };
    const note = NOTE_SHOWN.has(status) ? facts.statusNote : null;
    return { type: 'event', event: { type: 'status', reference: facts.reference, status, note } };
  }

  /** Under the conversation's lock: decide, claim, and add the message to the outbox in one write. */
  private deliver(record: FollowUpRecord, event: ProactiveEvent, now: Date): Promise<ProactiveDecision> {
    const records = this.deps.records;
    return records.exclusive(record.conversationId, async () => {
      const doc = await records.load(record.conversationId);
      if (!doc) return { type: 'skip', reason: 'no_conversation' };
      const ref = records.refOf(doc);
      const lastInboundAt = typeof doc.state.lastInboundAt === 'string' ? new Date(doc.state.lastInboundAt) : null;
      const purpose = event.type === 'survey' ? 'survey' : 'followup';
      const reach = this.deps.senders.get(ref.channel)?.reach?.({ lastInboundAt, purpose }, now) ?? { ok: true };
      if (!reach.ok) return { type: 'skip', reason: reach.reason };
      const decision = await this.deps.engine.proactive(ref, records.stateOf(doc), event, now);
      if (decision.type !== 'send') return decision;
      const causeId = `fu-${record._id}`;
      if (!(await this.deps.scheduled.claim(record._id, now))) {
        // Claimed before: sent already, or its sender died between the claim and this write.
        const inOutbox = (doc.outbox ?? []).some((b) => b.id.startsWith(`${causeId}:`));
        if (inOutbox || (await this.deps.log.hasOutbound(`${causeId}:0`))) return decision;
        this.deps.logger.warn({ recordId: record._id }, 'follow-up claimed but never written; writing it now');
      }
      const replies = withTemplate(decision.replies, purpose, event);
      await records.commitTurn(ref, doc, { state: decision.state, replies, causeId, kind: 'proactive', lastInboundAt, processed: null }, now);
      return decision;
    });
  }

  private async afterSent(record: FollowUpRecord, now: Date): Promise<void> {
    await this.deps.scheduled.finish(record._id, 'sent', null, now);
    const target = { conversationId: record.conversationId, channel: record.channel as ChannelId };
    if (record.kind === 'survey' && record.detail.surveyId) {
      await this.deps.surveys.invited(record.detail.surveyId, now);
      await this.deps.planner.surveySent(record.detail.surveyId, target);
    }
  }
}

/**
 * Outside WhatsApp's 24-hour window only an approved template may be sent: the first bubble says
 * which one and its parameter (the reference, or a short handoff code), for channels that need it.
 */
function withTemplate(replies: readonly Reply[], purpose: 'followup' | 'survey', event: ProactiveEvent): Reply[] {
  const parameter =
    'reference' in event && event.reference
      ? event.reference
      : event.type === 'reminder'
        ? event.draftId.slice(0, 8)
        : event.type === 'survey'
          ? event.surveyId.slice(-8)
          : 'handoffId' in event
            ? event.handoffId.slice(0, 8)
            : '-';
  return replies.map((r, i) => (i === 0 ? { ...r, template: { purpose, parameters: [parameter] } } : r));
}
