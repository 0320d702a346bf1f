import type { FastifyInstance } from 'fastify';
import type { AuditRepository } from '../audit.repository';
import type { Clock } from '../../engine/ports';
import { staffOf } from '../staff.guard';
import type { StaffRepository } from '../staff.repository';
import type { TaskBoard, TaskView } from '../task.board';
import type { PageText } from './console.i18n';
import { errorPage } from './console.plugin';
import { renderPage } from './console.layout';
import { html, type Html } from './html';
import type { PageKit } from './page.kit';

export interface TasksPageDeps {
  kit: PageKit;
  board: Pick<TaskBoard, 'list' | 'done'>;
  audit: AuditRepository;
  clock: Clock;
  staff: Pick<StaffRepository, 'list'>;
}

/** As the API: supervisors work through the tasks; admins see everything. */
const WORKERS = { access: { roles: ['supervisor', 'admin'] as const } };

/**
 * GET /staff/tasks: the open tasks, oldest first, each linked to its case or handoff, with a
 * "done" button (POST, audited `task-done` as in the API).
 */
export async function tasksPage(app: FastifyInstance, deps: TasksPageDeps): Promise<void> {
  app.get('/tasks', { config: WORKERS }, async (request, reply) => {
    const frame = deps.kit.frame(request);
    const { text } = frame;
    const viewer = deps.kit.viewer(request);
    const [tasks, accounts] = await Promise.all([deps.board.list(), deps.staff.list()]);
    const names = new Map(accounts.map((a) => [a.id, a.name]));
    const done = (request.query as { done?: string }).done === '1' ? html`<p class="notice ok" role="status">${text.t('tasks.done_notice')}</p>` : '';
    const body = html`${done}${tasks.length === 0 ? html`<p class="notice">${text.t('tasks.none')}</p>` : html`<ul class="cards tasks">${tasks.map((task) => taskCard(text, task, viewer.csrfToken, names))}</ul>`}`;
    return deps.kit.send(reply, renderPage(frame, viewer, { title: text.t('nav.tasks'), current: 'tasks', body }));
  });

  app.post<{ Params: { id: string } }>('/tasks/:id/done', { config: WORKERS }, async (request, reply) => {
    const { id } = request.params;
    const actor = staffOf(request).account.id;
    const now = deps.clock.now();
    if (id.length > 200 || !(await deps.board.done(id, actor, now))) return errorPage(request, reply, deps.kit, 'tasks.not_found', 404);
    await deps.audit.append({ at: now, action: 'task-done', actorId: actor, targetId: id, via: 'api', ip: request.ip });
    return deps.kit.redirect(reply, '/staff/tasks?done=1');
  });
}

function taskCard(text: PageText, task: TaskView, csrf: string, names: ReadonlyMap<string, string>): Html {
  const link = task.reference
    ? html`<a href="/staff/cases/${task.reference}" dir="ltr">${task.reference}</a>`
    : task.handoffId
      ? html`<a href="/staff/inbox/${task.handoffId}">${text.t('tasks.open_handoff')}</a>`
      : '';
  const details = [
    task.rating !== null ? text.t('tasks.rating', { rating: task.rating }) : null,
    task.channel ? text.t(`channel.${task.channel}`) : null,
    task.reason ? text.t(`tasks.reason.${task.reason}`) : null,
    task.staffId ? text.t('tasks.silent_staff', { name: names.get(task.staffId) ?? task.staffId }) : null,
  ].filter((d): d is string => d !== null);
  return html`<li class="card">
<p class="title">${text.t(`tasks.kind.${task.kind}`)}</p>
<p class="hint">${text.t('tasks.since')}: ${text.dateTime(task.at)}</p>
${details.length > 0 ? html`<p>${details.join(' · ')}</p>` : ''}
${link ? html`<p>${link}</p>` : ''}
<form method="post" action="/staff/tasks/${encodeURIComponent(task.id)}/done" class="actions"><input type="hidden" name="_csrf" value="${csrf}"><button type="submit" class="secondary">${text.t('tasks.done')}</button></form>
</li>`;
}
