import type { MessageLogRepository } from '../persistence/message-log.repository';
import { createModels } from '../persistence/models';
import type { FollowUps } from '../runtime/followups';
import type { Services } from '../runtime/services';
import { NO_CASE_LINKS, type CaseLinks } from './case.access';
import { createCaseModels } from './case.models';
import { CaseRepository } from './case.repository';
import type { CaseServices } from './case.routes';
import { TaskBoard } from './task.board';

/** Case review and the task list, as the staff plugin takes them. */
export interface CaseReview {
  services: CaseServices;
  board: TaskBoard;
}

/**
 * Wires case review from the process's follow-ups (the planner that tells the beneficiary of a
 * status change, its scheduled messages and staff tasks) and message log. The app runtime passes
 * the pipeline's own, so the staff console opens no second BullMQ connection.
 */
export async function createCaseReview(
  services: Pick<Services, 'mongo' | 'cipher'>,
  parts: { followUps: Pick<FollowUps, 'planner' | 'scheduled' | 'tasks'>; log: MessageLogRepository },
  links: CaseLinks = NO_CASE_LINKS,
): Promise<CaseReview> {
  const caseModels = await createCaseModels(services.mongo);
  const cases = new CaseRepository(await createModels(services.mongo), caseModels, services.cipher);
  const { followUps, log } = parts;
  const board = new TaskBoard(
    {
      openTasks: (limit) => followUps.tasks.listOpen(limit),
      doneTask: (id, by, now) => followUps.tasks.done(id, by, now),
      unanswered: (limit) => log.unanswered(limit),
      inboundExists: async (id) => (await log.loadInbound(id)) !== null,
    },
    caseModels,
  );
  return {
    services: { cases, planner: followUps.planner, scheduled: followUps.scheduled, conversation: (ref, limit) => log.history(ref, limit), links },
    board,
  };
}
