import type { ChannelId } from '../domain/messages';
import type { StaffTaskDoc } from '../persistence/followup.models';
import { isDuplicateKeyError } from '../persistence/mongo-errors';
import type { CaseModels } from './case.models';

/** One line of the supervisor's task list. */
export interface TaskView {
  id: string;
  kind: 'promise_overdue' | 'low_satisfaction' | 'handoff_silent' | 'unanswered_message';
  at: Date;
  reference: string | null;
  handoffId: string | null;
  channel: string | null;
  rating: number | null;
  reason: string | null;
  /** handoff_silent: the member of staff who held the chat and did not answer. */
  staffId: string | null;
}

/** The sources of the task list (the follow-ups' staff tasks, the message log's unanswered messages). */
export interface TaskSources {
  openTasks(limit: number): Promise<StaffTaskDoc[]>;
  doneTask(id: string, by: string, now: Date): Promise<boolean>;
  unanswered(limit: number): Promise<Array<{ id: string; channel: ChannelId; storedAt: Date; status: 'superseded' | 'failed' }>>;
  /** Whether an inbound message with that id is stored (and so can be marked handled). */
  inboundExists(id: string): Promise<boolean>;
}

/** Unanswered messages appear as tasks under this prefix and the inbound message's id. */
const UNANSWERED = 'unanswered-';
const TASK_LIMIT = 200;
const UNANSWERED_LIMIT = 100;

/**
 * The supervisor's task list: the follow-ups' alerts (two-week promise overdue, low satisfaction)
 * and the messages the bot did not answer (`inbound:unanswered`), oldest first. A staff task is
 * done in its own collection; an unanswered message, which has no task record, is marked handled in
 * `staff_inbound_handled` (the message log itself is left as the pipeline wrote it).
 */
export class TaskBoard {
  constructor(
    private readonly sources: TaskSources,
    private readonly models: CaseModels,
  ) {}

  async list(): Promise<TaskView[]> {
    const [tasks, unanswered] = await Promise.all([this.sources.openTasks(TASK_LIMIT), this.sources.unanswered(UNANSWERED_LIMIT)]);
    // A bounded $in (≤ 100 ids): scanned on FerretDB, fine for this small staff-only collection.
    const handled = new Set((await this.models.HandledInbound.find({ _id: { $in: unanswered.map((m) => m.id) } }, { _id: 1 }).lean()).map((d) => d._id));
    const views = [
      ...tasks.map(taskView),
      ...unanswered
        .filter((m) => !handled.has(m.id))
        .map((m): TaskView => ({ id: `${UNANSWERED}${m.id}`, kind: 'unanswered_message', at: m.storedAt, reference: null, handoffId: null, channel: m.channel, rating: null, reason: m.status, staffId: null })),
    ];
    return views.sort((a, b) => a.at.getTime() - b.at.getTime());
  }

  /** Marks an open task done; false when there is no such open task. */
  async done(id: string, by: string, now: Date): Promise<boolean> {
    if (!id.startsWith(UNANSWERED)) return this.sources.doneTask(id, by, now);
    const inboundId = id.slice(UNANSWERED.length);
    if (!(await this.sources.inboundExists(inboundId))) return false;
    try {
      await this.models.HandledInbound.create({ _id: inboundId, at: now, by });
      return true;
    } catch (error) {
      if (isDuplicateKeyError(error)) return false;
      throw error;
    }
  }
}

function taskView(task: StaffTaskDoc): TaskView {
  // A low rating's case is its survey: `request-<reference>` or `handoff-<id>`.
  const survey = /^(request|handoff)-(.+)$/.exec(task.kind === 'low_satisfaction' ? task.caseId : '');
  const reference = task.kind === 'promise_overdue' ? task.caseId : survey?.[1] === 'request' ? (survey[2] ?? null) : null;
  return {
    id: task._id,
    kind: task.kind,
    at: task.createdAt,
    reference,
    handoffId: task.kind === 'handoff_silent' ? String(task.detail.handoffId ?? '') || null : survey?.[1] === 'handoff' ? (survey[2] ?? null) : null,
    channel: null,
    rating: typeof task.detail.rating === 'number' ? task.detail.rating : null,
    reason: null,
    staffId: task.kind === 'handoff_silent' && typeof task.detail.staffId === 'string' ? task.detail.staffId : null,
  };
}
