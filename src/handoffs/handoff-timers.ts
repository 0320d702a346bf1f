import { addWorkingMinutes } from '../domain/working-hours';
import type { ChannelId } from '../domain/messages';
import type { Clock, TaskRepository } from '../engine/ports';
import type { Mode } from '../engine/state';
import type { FollowUpPlanner } from '../jobs/followup.planner';
import type { FollowUpPreparation, HandoffTimerHooks } from '../jobs/followup.runner';
import type { HandoffTurnWatcher } from '../jobs/inbound.queue';
import type { HandoffInboxRepository } from '../persistence/handoff-inbox.repository';
import type { HandoffDesk } from './handoff-desk';

/** The answer the "wait is longer" notice promises: within this many working minutes from when it is sent. */
export const EXPECTED_ANSWER_WORKING_MINUTES = 60;

/**
 * The inbox's timers, fired through the follow-up machinery (records in MongoDB, deterministic
 * BullMQ jobs, re-checked here when they fire), and its hook into the message pipeline's turns.
 */
export class HandoffTimers implements HandoffTimerHooks, HandoffTurnWatcher {
  constructor(
    private readonly deps: {
      inbox: HandoffInboxRepository;
      desk: HandoffDesk;
      planner: FollowUpPlanner;
      tasks: Pick<TaskRepository, 'open'>;
      clock: Clock;
    },
  ) {}

  async claimOverdue(handoffId: string, now: Date): Promise<FollowUpPreparation> {
    const h = await this.deps.inbox.get(handoffId);
    if (!h || h.status !== 'open') return { type: 'skip', reason: 'handoff_ended' };
    if (h.claimedBy !== null) return { type: 'skip', reason: 'claimed' };
    const expectBy = addWorkingMinutes(now, EXPECTED_ANSWER_WORKING_MINUTES);
    return { type: 'event', event: { type: 'handoff_wait', handoffId, expectBy: expectBy.toISOString() } };
  }

  /** Measured from the holder's last reply (or the claim): only real silence releases the chat. */
  async silent(handoffId: string, claimVersion: number, now: Date): Promise<FollowUpPreparation> {
    const h = await this.deps.inbox.get(handoffId);
    if (!h || h.status !== 'open') return { type: 'skip', reason: 'handoff_ended' };
    if (h.claimVersion !== claimVersion || h.claimedBy === null) return { type: 'skip', reason: 'owner_changed' };
    const since = Math.max(h.claimedAt?.getTime() ?? 0, h.lastStaffReplyAt?.getTime() ?? 0);
    const due = addWorkingMinutes(new Date(since), this.deps.planner.handoffTimers.silentMinutes);
    if (due.getTime() > now.getTime() + 1000) return { type: 'later', until: due, reason: 'staff_replied' };
    if ((await this.deps.desk.releaseSilent(h)) === 'conflict') return { type: 'skip', reason: 'owner_changed' };
    await this.deps.tasks.open({ kind: 'handoff_silent', caseId: `${handoffId}-c${claimVersion}`, conversationId: h.conversationId, detail: { handoffId, staffId: h.claimedBy } }, now);
    return { type: 'skip', reason: 'released_to_queue' };
  }

  /** After each committed turn: a handoff opened (claim timer, live event), a message into one, or the person left it. */
  async afterTurn(conversationId: string, channel: ChannelId, before: Mode | null, after: Mode): Promise<void> {
    const was = before?.type === 'handoff' ? before.handoffId : null;
    const is = after.type === 'handoff' ? after.handoffId : null;
    if (is !== null && is !== was) {
      await this.deps.planner.handoffOpened({ id: is, conversationId, channel, openedAt: this.deps.clock.now() });
      await this.deps.desk.publish('handoff.opened', is);
    }
    if (was !== null && was === is) await this.deps.desk.publish('handoff.message', was);
    if (was !== null && was !== is) {
      await this.deps.planner.handoffEnded(was);
      await this.deps.desk.publish('handoff.closed', was);
    }
  }
}
