import type { FastifyInstance } from 'fastify';
import type { Clock } from '../engine/ports';
import type { AuditRepository } from './audit.repository';
import { listTasksSchema, taskDoneSchema } from './case.schemas';
import { sendError } from './staff.errors';
import { staffOf } from './staff.guard';
import type { TaskBoard } from './task.board';

export interface TaskRouteDeps {
  board: TaskBoard;
  audit: AuditRepository;
  clock: Clock;
}

/** Supervisors work through the tasks; admins see everything. */
const WORKERS = { access: { roles: ['supervisor', 'admin'] as const } };

/** The task list (relative to the /staff prefix). */
export async function taskRoutes(app: FastifyInstance, deps: TaskRouteDeps): Promise<void> {
  app.get('/api/tasks', { schema: listTasksSchema, config: WORKERS }, async () => ({ tasks: await deps.board.list() }));

  app.post<{ Params: { id: string } }>('/api/tasks/:id/done', { schema: taskDoneSchema, config: WORKERS }, async (request, reply) => {
    const actor = staffOf(request).account.id;
    const now = deps.clock.now();
    if (!(await deps.board.done(request.params.id, actor, now))) return sendError(reply, 'not-found');
    await deps.audit.append({ at: now, action: 'task-done', actorId: actor, targetId: request.params.id, via: 'api', ip: request.ip });
    return reply.code(204).send();
  });
}
