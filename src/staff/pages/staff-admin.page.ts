import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { STAFF_ROLES, type StaffRole } from '../roles';
import type { Actor, CreateAccountResult, StaffAccounts } from '../staff.accounts';
import { staffOf } from '../staff.guard';
import type { StaffAccount, StaffRepository } from '../staff.repository';
import type { FormBody } from './console.plugin';
import type { PageText } from './console.i18n';
import { renderPage } from './console.layout';
import { html, type Html } from './html';
import type { PageKit } from './page.kit';

export interface StaffAdminPageDeps {
  kit: PageKit;
  /** The same operations as the admin API and the command line: audited, sessions ended. */
  accounts: StaffAccounts;
  staff: StaffRepository;
}

const ADMIN = { access: { roles: ['admin'] as const } };
const OBJECT_ID = /^[0-9a-f]{24}$/;

/** What the page says after an action (303 to GET /staff/staff?done=…). */
const DONE = ['created', 'disabled', 'sessions-ended'] as const;

/** The create form as posted: check boxes arrive as one string or a list. */
const NewAccountForm = z.object({
  email: z.string().trim().min(1).max(254),
  name: z.string().trim().min(1).max(100),
  password: z.string().min(1).max(200),
  roles: z.union([z.string(), z.array(z.string())]).transform((r) => (Array.isArray(r) ? r : [r])).pipe(z.array(z.enum(STAFF_ROLES)).min(1)),
});

type Problem = { key: string; params?: Record<string, string> };

/** GET /staff/staff (admins): accounts, a form to create one, and per account disable / end sessions. */
export async function staffAdminPage(app: FastifyInstance, deps: StaffAdminPageDeps): Promise<void> {
  const { kit } = deps;
  const show = async (request: FastifyRequest, reply: FastifyReply, problems: Problem[], status = 200, values: Partial<Record<'email' | 'name', string>> & { roles?: string[] } = {}): Promise<FastifyReply> => {
    const frame = kit.frame(request);
    const { text } = frame;
    const viewer = kit.viewer(request);
    const done = (request.query as { done?: string }).done;
    const notice = done !== undefined && (DONE as readonly string[]).includes(done) ? html`<p class="notice ok" role="status">${text.t(`staff.done.${done}`)}</p>` : '';
    const errors = problems.length > 0 ? html`<ul class="notice error" role="alert">${problems.map((p) => html`<li>${text.t(p.key, p.params)}</li>`)}</ul>` : '';
    const accounts = await deps.staff.list();
    const body = html`${notice}${errors}
<section aria-labelledby="accounts-h"><h2 id="accounts-h">${text.t('staff.accounts')}</h2>
<ul class="cards">${accounts.map((a) => accountCard(text, a, viewer.csrfToken, staffOf(request).account.id))}</ul>
</section>
${createForm(text, viewer.csrfToken, values)}`;
    return kit.send(reply, renderPage(frame, viewer, { title: text.t('nav.staff'), current: 'staff', body }), status);
  };

  app.get('/staff', { config: ADMIN }, async (request, reply) => show(request, reply, []));

  app.post<{ Body: FormBody }>('/staff', { config: ADMIN }, async (request, reply) => {
    const form = NewAccountForm.safeParse(request.body ?? {});
    const values = { email: field(request.body, 'email'), name: field(request.body, 'name'), roles: list(request.body, 'roles') };
    if (!form.success) return show(request, reply, [{ key: 'staff.errors.incomplete' }], 400, values);
    const result = await deps.accounts.create({ ...form.data, roles: form.data.roles as StaffRole[] }, actorOf(request));
    if (result.ok) return kit.redirect(reply, '/staff/staff?done=created');
    return show(request, reply, createProblems(result), result.reason === 'email-taken' ? 409 : 400, values);
  });

  app.post<{ Params: { id: string } }>('/staff/:id/disable', { config: ADMIN }, async (request, reply) => {
    if (!OBJECT_ID.test(request.params.id)) return show(request, reply, [{ key: 'staff.errors.not-found' }], 404);
    const outcome = await deps.accounts.disable(request.params.id, actorOf(request));
    if (outcome === 'disabled') return kit.redirect(reply, '/staff/staff?done=disabled');
    return show(request, reply, [{ key: `staff.errors.${outcome === 'self' ? 'cannot-disable-self' : outcome}` }], outcome === 'not-found' ? 404 : 409);
  });

  app.post<{ Params: { id: string } }>('/staff/:id/sessions/end', { config: ADMIN }, async (request, reply) => {
    if (!OBJECT_ID.test(request.params.id)) return show(request, reply, [{ key: 'staff.errors.not-found' }], 404);
    const ended = await deps.accounts.endSessions(request.params.id, actorOf(request));
    if (ended === null) return show(request, reply, [{ key: 'staff.errors.not-found' }], 404);
    return kit.redirect(reply, '/staff/staff?done=sessions-ended');
  });
}

function createProblems(result: Exclude<CreateAccountResult, { ok: true }>): Problem[] {
  if (result.reason === 'weak-password') return result.problems.map((p) => ({ key: `staff.password_problem.${p}` }));
  return [{ key: `staff.errors.${result.reason}` }];
}

function accountCard(text: PageText, a: StaffAccount, csrfToken: string, selfId: string): Html {
  const action = (path: string, label: string, confirm: string): Html =>
    html`<form method="post" action="${path}" hx-post="${path}" hx-confirm="${confirm}" hx-target="#main" hx-select="#main" hx-swap="outerHTML"><input type="hidden" name="_csrf" value="${csrfToken}"><button type="submit" class="secondary">${label}</button></form>`;
  return html`<li class="card${a.disabled ? ' disabled' : ''}">
<p class="title">${a.name}</p>
<p class="email"><bdi>${a.email}</bdi></p>
<p>${a.roles.map((r) => html`<span class="badge">${text.t(`role.${r}`)}</span> `)}${a.disabled ? html`<span class="badge off">${text.t('staff.disabled')}</span>` : ''}</p>
<p class="hint">${text.t('staff.last_login')}: ${a.lastLoginAt ? text.dateTime(a.lastLoginAt) : text.t('staff.never')}</p>
<div class="actions">
${action(`/staff/staff/${a.id}/sessions/end`, text.t('staff.end_sessions'), text.t('staff.confirm_end_sessions', { name: a.name }))}
${a.disabled || a.id === selfId ? '' : action(`/staff/staff/${a.id}/disable`, text.t('staff.disable'), text.t('staff.confirm_disable', { name: a.name }))}
</div>
</li>`;
}

function createForm(text: PageText, csrfToken: string, values: Partial<Record<'email' | 'name', string>> & { roles?: string[] }): Html {
  return html`<section aria-labelledby="create-h"><h2 id="create-h">${text.t('staff.create')}</h2>
<form method="post" action="/staff/staff" class="stack">
<input type="hidden" name="_csrf" value="${csrfToken}">
<label for="new-name">${text.t('staff.name')}</label>
<input id="new-name" name="name" required maxlength="100" value="${values.name ?? ''}">
<label for="new-email">${text.t('staff.email')}</label>
<input id="new-email" name="email" type="email" dir="ltr" required maxlength="254" autocomplete="off" value="${values.email ?? ''}">
<fieldset><legend>${text.t('staff.roles')}</legend>
${STAFF_ROLES.map((r) => html`<label class="check"><input type="checkbox" name="roles" value="${r}"${values.roles?.includes(r) ? html` checked` : ''}> ${text.t(`role.${r}`)}</label>`)}
</fieldset>
<label for="new-password">${text.t('staff.password')}</label>
<input id="new-password" name="password" type="password" dir="ltr" required minlength="12" maxlength="200" autocomplete="new-password">
<p class="hint">${text.t('staff.password_hint')}</p>
<button type="submit">${text.t('staff.create_submit')}</button>
</form></section>`;
}

function field(body: FormBody | undefined, name: string): string {
  const value = body?.[name];
  return typeof value === 'string' ? value : '';
}

function list(body: FormBody | undefined, name: string): string[] {
  const value = body?.[name];
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

function actorOf(request: FastifyRequest): Actor {
  return { staffId: staffOf(request).account.id, via: 'api', ip: request.ip };
}
