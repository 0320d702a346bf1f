import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { LANGUAGES } from '../../domain/language';
import type { CannedReply, CannedReplyRepository } from '../canned-replies.repository';
import type { AuditRepository } from '../audit.repository';
import type { Clock } from '../../engine/ports';
import type { AuditAction } from '../staff.models';
import { staffOf } from '../staff.guard';
import type { FormBody } from './console.plugin';
import type { PageText } from './console.i18n';
import { renderPage } from './console.layout';
import { html, type Html } from './html';
import type { PageKit } from './page.kit';

export interface CannedPageDeps {
  kit: PageKit;
  canned: CannedReplyRepository;
  audit: AuditRepository;
  clock: Clock;
}

/** As the API: canned replies are written by admins only (src/staff/canned.routes.ts). */
const ADMIN = { access: { roles: ['admin'] as const } };
const OBJECT_ID = /^[0-9a-f]{24}$/;
const DONE = ['created', 'updated', 'deleted'] as const;

/** The API's limits (src/staff/handoff.schemas.ts). */
const CannedForm = z.object({
  language: z.enum(LANGUAGES),
  title: z.string().trim().min(1).max(100),
  text: z.string().trim().min(1).max(3500),
});

type CannedRequest = FastifyRequest<{ Params: { id: string }; Body: FormBody }>;

/** GET /staff/canned-replies (admins): the canned replies per language; add, edit, delete. */
export async function cannedPage(app: FastifyInstance, deps: CannedPageDeps): Promise<void> {
  const { kit } = deps;
  const audit = (request: FastifyRequest, action: AuditAction, id: string): Promise<void> =>
    deps.audit.append({ at: deps.clock.now(), action, actorId: staffOf(request).account.id, targetId: id, via: 'api', ip: request.ip });
  const show = async (request: FastifyRequest, reply: FastifyReply, problem: string | null = null, status = 200): Promise<FastifyReply> => {
    const frame = kit.frame(request);
    const { text } = frame;
    const viewer = kit.viewer(request);
    const done = (request.query as { done?: string }).done;
    const notice = done !== undefined && (DONE as readonly string[]).includes(done) ? html`<p class="notice ok" role="status">${text.t(`canned.done.${done}`)}</p>` : '';
    const error = problem ? html`<p class="notice error" role="alert">${text.t(`canned.errors.${problem}`)}</p>` : '';
    const all = await deps.canned.list();
    const sections = LANGUAGES.map(
      (lng) => html`<section aria-labelledby="canned-${lng}"><h2 id="canned-${lng}">${text.t(`language.name_${lng}`)}</h2>
${all.filter((c) => c.language === lng).length === 0 ? html`<p class="hint">${text.t('canned.none')}</p>` : ''}
<ul class="cards">${all.filter((c) => c.language === lng).map((c) => cannedCard(text, c, viewer.csrfToken))}</ul></section>`,
    );
    const body = html`${notice}${error}<p><a href="/staff/inbox">${text.t('inbox.back')}</a></p>${sections}
<section class="card" aria-labelledby="canned-new"><h2 id="canned-new">${text.t('canned.add')}</h2>${cannedForm(text, viewer.csrfToken, null)}</section>`;
    return kit.send(reply, renderPage(frame, viewer, { title: text.t('canned.title'), current: 'inbox', body }), status);
  };

  app.get('/canned-replies', { config: ADMIN }, async (request, reply) => show(request, reply));

  app.post<{ Body: FormBody }>('/canned-replies', { config: ADMIN }, async (request, reply) => {
    const form = CannedForm.safeParse(request.body ?? {});
    if (!form.success) return show(request, reply, 'incomplete', 400);
    const created = await deps.canned.add(form.data, staffOf(request).account.id, deps.clock.now());
    await audit(request, 'canned-reply-created', created.id);
    return kit.redirect(reply, '/staff/canned-replies?done=created');
  });

  app.post('/canned-replies/:id', { config: ADMIN }, async (request: CannedRequest, reply) => {
    const form = CannedForm.safeParse(request.body ?? {});
    if (!form.success) return show(request, reply, 'incomplete', 400);
    const updated = OBJECT_ID.test(request.params.id) ? await deps.canned.update(request.params.id, form.data, staffOf(request).account.id, deps.clock.now()) : null;
    if (!updated) return show(request, reply, 'not-found', 404);
    await audit(request, 'canned-reply-updated', updated.id);
    return kit.redirect(reply, '/staff/canned-replies?done=updated');
  });

  app.post('/canned-replies/:id/delete', { config: ADMIN }, async (request: CannedRequest, reply) => {
    if (!OBJECT_ID.test(request.params.id) || !(await deps.canned.remove(request.params.id))) return show(request, reply, 'not-found', 404);
    await audit(request, 'canned-reply-deleted', request.params.id);
    return kit.redirect(reply, '/staff/canned-replies?done=deleted');
  });
}

function cannedCard(text: PageText, c: CannedReply, csrfToken: string): Html {
  return html`<li class="card">
<p class="title" dir="auto">${c.title}</p>
<p class="text" dir="auto">${c.text}</p>
<details><summary>${text.t('canned.edit')}</summary>${cannedForm(text, csrfToken, c)}</details>
<form method="post" action="/staff/canned-replies/${c.id}/delete" class="actions">
<input type="hidden" name="_csrf" value="${csrfToken}">
<button type="submit" class="secondary">${text.t('canned.delete')}</button>
</form>
</li>`;
}

function cannedForm(text: PageText, csrfToken: string, c: CannedReply | null): Html {
  const id = c ? c.id : 'new';
  return html`<form method="post" action="/staff/canned-replies${c ? `/${c.id}` : ''}" class="stack">
<input type="hidden" name="_csrf" value="${csrfToken}">
<label for="lng-${id}">${text.t('canned.language')}</label>
<select id="lng-${id}" name="language">${LANGUAGES.map((l) => html`<option value="${l}"${c?.language === l ? html` selected` : ''}>${text.t(`language.name_${l}`)}</option>`)}</select>
<label for="title-${id}">${text.t('canned.title_label')}</label>
<input id="title-${id}" name="title" required maxlength="100" dir="auto" value="${c?.title ?? ''}">
<label for="text-${id}">${text.t('canned.text_label')}</label>
<textarea id="text-${id}" name="text" rows="3" required maxlength="3500" dir="auto">${c?.text ?? ''}</textarea>
<button type="submit">${text.t(c ? 'canned.save' : 'canned.add')}</button>
</form>`;
}
