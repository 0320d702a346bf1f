import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest, FastifyInstance } from 'fastify';
import type { DeskOutcome, DeskRefusal } from '../../handoffs/handoff-desk';
import type { HandoffDetail, TranscriptLine } from '../../handoffs/handoff-views';
import { actorOf, INBOX_ROLES, OVERRIDE_ROLES } from '../handoff.routes';
import { holdsAnyRole } from '../roles';
import type { AuditAction } from '../staff.models';
import { staffOf } from '../staff.guard';
import type { FormBody } from './console.plugin';
import type { PageText } from './console.i18n';
import { renderPage, type Viewer } from './console.layout';
import { html, type Html } from './html';
import { EVENTS_URL, handoffFacts, INBOX_PAGE, staffNames, type InboxPageDeps } from './inbox.page';

const HANDOFF_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const CLIENT_ID = /^[A-Za-z0-9_-]{8,64}$/;
/** The API's limits (src/staff/handoff.schemas.ts). */
const REPLY_MAX = 3500;
const NOTE_MAX = 4000;

/** What the page says after an action (303 to GET /staff/inbox/:id?done=…). */
const DONE = ['claimed', 'released', 'transferred', 'replied', 'noted'] as const;

/** A refusal shown on the page: the desk's (with who holds the chat) or the form's own. */
type Problem = DeskRefusal | { refused: 'invalid-transfer-target' } | { refused: 'text-required' };

type IdRequest = FastifyRequest<{ Params: { id: string }; Body: FormBody }>;

/**
 * GET /staff/inbox/:id: one conversation, its holder and what the viewer may do with it. Each
 * action is a form post that calls the same desk action as the API, with the same roles (the
 * page guard) and the same CSRF check (the `_csrf` field), and is audited the same way; then
 * 303 back to the page. Two parts of the page re-fetch themselves on the chat's live events.
 */
export async function handoffPage(app: FastifyInstance, deps: InboxPageDeps): Promise<void> {
  const { kit } = deps;
  const show = async (request: IdRequest, reply: FastifyReply, problem: Problem | null = null, status = 200, unsent = ''): Promise<FastifyReply> => {
    const frame = kit.frame(request);
    const { text } = frame;
    const viewer = kit.viewer(request);
    const detail = HANDOFF_ID.test(request.params.id) ? await deps.handoffs.views.detail(request.params.id, deps.clock.now()) : null;
    if (!detail) return kit.send(reply, renderPage(frame, viewer, { title: text.t('inbox.conversation'), current: 'inbox', body: html`<p class="notice error" role="alert">${text.t('inbox.errors.not-found')}</p>${backLink(text)}` }), 404);
    const done = (request.query as { done?: string }).done;
    const notice = done !== undefined && (DONE as readonly string[]).includes(done) ? html`<p class="notice ok" role="status">${text.t(`inbox.done.${done}`)}</p>` : '';
    const error = problem ? html`<p class="notice error" role="alert">${await problemText(text, problem)}</p>` : '';
    const holds = detail.status === 'open' && detail.claimedBy === staffOf(request).account.id;
    // A refused reply is never lost: back in the reply box when the viewer may still send it, shown to copy otherwise.
    const keptText =
      unsent !== '' && !holds
        ? html`<details open class="unsent"><summary>${text.t('inbox.unsent')}</summary><textarea readonly rows="4" dir="auto" aria-label="${text.t('inbox.unsent')}">${unsent}</textarea></details>`
        : '';
    const live = (part: string, content: Html): Html =>
      html`<div id="handoff-${part}" data-live data-handoff="${detail.id}" hx-get="/staff/inbox/${detail.id}/${part}" hx-trigger="refresh" hx-swap="innerHTML">${content}</div>`;
    const body = html`${backLink(text)}${notice}${error}${keptText}
<div data-events="${EVENTS_URL}">
${live('state', await stateOf(request, detail))}
<section aria-labelledby="transcript-h"><h2 id="transcript-h">${text.t('inbox.transcript')}</h2>
${live('transcript', transcriptOf(text, detail, await staffNames(deps.staff)))}</section>
${holds ? await replyForm(text, viewer, detail, unsent) : ''}
${detail.status === 'open' ? noteForm(text, viewer, detail.id) : ''}
</div>`;
    return kit.send(reply, renderPage(frame, viewer, { title: text.t('inbox.conversation'), current: 'inbox', body, scripts: ['inbox.js'] }), status);
  };
  const problemText = async (text: PageText, problem: Problem): Promise<string> => {
    if (problem.refused === 'handoff-claimed' || (problem.refused === 'handoff-not-yours' && problem.claimedBy !== null)) {
      return text.t(`inbox.errors.${problem.refused}`, { name: (await staffNames(deps.staff))(problem.claimedBy) ?? '' });
    }
    return text.t(problem.refused === 'handoff-not-yours' ? 'inbox.errors.handoff-not-yours-free' : `inbox.errors.${problem.refused}`);
  };
  const stateOf = async (request: FastifyRequest, detail: HandoffDetail): Promise<Html> => {
    const { text } = kit.frame(request);
    const name = await staffNames(deps.staff);
    return html`${handoffFacts(text, detail, name(detail.claimedBy))}${await actions(request, detail)}`;
  };
  const actions = async (request: FastifyRequest, detail: HandoffDetail): Promise<Html> => {
    const { text } = kit.frame(request);
    const viewer = kit.viewer(request);
    if (detail.status === 'closed') return html`<p class="notice">${text.t('inbox.closed')}</p>`;
    const self = staffOf(request).account.id;
    const button = (path: string, label: string, extra: Html | string = ''): Html =>
      html`<form method="post" action="/staff/inbox/${detail.id}/${path}"><input type="hidden" name="_csrf" value="${viewer.csrfToken}">${extra}<button type="submit" class="${path === 'claim' ? '' : 'secondary'}">${label}</button></form>`;
    // The desk's rule (HandoffDesk.mayAct): the holder, or a supervisor or admin for any chat.
    const mayManage = detail.claimedBy === self || holdsAnyRole(viewer.roles, OVERRIDE_ROLES);
    const colleagues = (await deps.staff.list()).filter((s) => !s.disabled && s.id !== detail.claimedBy && holdsAnyRole(s.roles, INBOX_ROLES));
    const transfer = html`<label for="transfer-to" class="visually-hidden">${text.t('inbox.transfer_to')}</label><select id="transfer-to" name="staffId" required><option value="">${text.t('inbox.transfer_to')}</option>${colleagues.map((s) => html`<option value="${s.id}">${s.name}</option>`)}</select>`;
    return html`<div class="actions">
${detail.claimedBy === null ? button('claim', text.t('inbox.claim')) : ''}
${mayManage ? html`${button('release', text.t('inbox.release'))}${button('return-to-bot', text.t('inbox.return_to_bot'))}${button('close', text.t('inbox.close'))}` : ''}
${mayManage ? html`<div class="transfer">${button('transfer', text.t('inbox.transfer'), transfer)}</div>` : ''}
</div>
${detail.claimedBy !== self ? html`<p class="hint">${text.t('inbox.claim_to_reply')}</p>` : ''}`;
  };
  const replyForm = async (text: PageText, viewer: Viewer, detail: HandoffDetail, draft = ''): Promise<Html> => {
    const canned = await deps.handoffs.canned.list(detail.language);
    return html`<section aria-labelledby="reply-h"><h2 id="reply-h">${text.t('inbox.reply')}</h2>
${canned.length > 0 ? html`<div class="canned" aria-label="${text.t('canned.title')}"><span class="hint">${text.t('canned.insert')}</span>${canned.map((c) => html`<button type="button" class="secondary" data-canned data-target="reply-text" data-text="${c.text}">${c.title}</button>`)}</div>` : ''}
<form method="post" action="/staff/inbox/${detail.id}/reply" class="stack">
<input type="hidden" name="_csrf" value="${viewer.csrfToken}">
<input type="hidden" name="clientId" value="${randomUUID()}">
<label for="reply-text">${text.t('inbox.reply_label')}</label>
<textarea id="reply-text" name="text" rows="4" required maxlength="${REPLY_MAX}" dir="auto">${draft}</textarea>
<button type="submit">${text.t('inbox.send')}</button>
</form></section>`;
  };

  app.get<{ Params: { id: string }; Body: FormBody }>('/inbox/:id', { config: INBOX_PAGE }, async (request, reply) => show(request, reply));
  for (const part of ['state', 'transcript'] as const) {
    app.get<{ Params: { id: string } }>(`/inbox/:id/${part}`, { config: INBOX_PAGE }, async (request, reply) => {
      const detail = HANDOFF_ID.test(request.params.id) ? await deps.handoffs.views.detail(request.params.id, deps.clock.now()) : null;
      if (!detail) return kit.send(reply, '', 404);
      const fragment = part === 'state' ? await stateOf(request, detail) : transcriptOf(kit.frame(request).text, detail, await staffNames(deps.staff));
      return kit.send(reply, fragment.text);
    });
  }
  await handoffActions(app, deps, show);
}

type Show = (request: IdRequest, reply: FastifyReply, problem: Problem | null, status: number, unsent?: string) => Promise<FastifyReply>;

/**
 * Where the page opens after an action: at the reply box (the newest messages just above it) after
 * claiming or replying, at the notes after a note; a long chat on a phone otherwise opened at its
 * top after every message sent (outside review).
 */
const LAND_AT: Partial<Record<string, string>> = { claimed: '#reply-h', replied: '#reply-h', noted: '#note-h' };

/** The form posts: each one the desk's action, audited as the API audits it. */
async function handoffActions(app: FastifyInstance, deps: InboxPageDeps, show: Show): Promise<void> {
  const audit = (request: FastifyRequest, action: AuditAction, targetId: string, detail: string | null = null): Promise<void> =>
    deps.audit.append({ at: deps.clock.now(), action, actorId: staffOf(request).account.id, targetId, via: 'api', ip: request.ip, detail });
  const refused = (request: IdRequest, reply: FastifyReply, problem: Problem): Promise<FastifyReply> => {
    const status = problem.refused === 'not-found' ? 404 : problem.refused === 'invalid-transfer-target' || problem.refused === 'text-required' ? 400 : 409;
    const typed = request.routeOptions.url?.endsWith('/reply') ? field(request.body, 'text').slice(0, REPLY_MAX) : '';
    return show(request, reply, problem, status, typed);
  };
  const post = (path: string, run: (request: IdRequest) => Promise<Acted | Problem>): void => {
    app.post<{ Params: { id: string }; Body: FormBody }>(`/inbox/:id/${path}`, { config: INBOX_PAGE }, async (request, reply) => {
      if (!HANDOFF_ID.test(request.params.id)) return refused(request, reply, { refused: 'not-found' });
      const result = await run(request);
      if ('refused' in result) return refused(request, reply, result);
      if ('refused' in result.outcome) return refused(request, reply, result.outcome);
      if (result.audit) await audit(request, result.audit, request.params.id, result.detail ?? null);
      const target = result.done === 'returned' || result.done === 'closed' ? `/staff/inbox?done=${result.done}` : `/staff/inbox/${request.params.id}?done=${result.done}${LAND_AT[result.done] ?? ''}`;
      return deps.kit.redirect(reply, target);
    });
  };
  const { desk } = deps.handoffs;
  post('claim', async (r) => ({ outcome: await desk.claim(r.params.id, actorOf(r)), audit: 'handoff-claimed', done: 'claimed' }));
  post('release', async (r) => ({ outcome: await desk.release(r.params.id, actorOf(r)), audit: 'handoff-released', done: 'released' }));
  post('transfer', async (r) => {
    const staffId = field(r.body, 'staffId');
    const target = /^[0-9a-f]{24}$/.test(staffId) ? await deps.staff.findById(staffId) : null;
    if (!target || target.disabled || !holdsAnyRole(target.roles, INBOX_ROLES)) return { refused: 'invalid-transfer-target' };
    return { outcome: await desk.transfer(r.params.id, actorOf(r), target.id), audit: 'handoff-transferred', detail: `to:${target.id}`, done: 'transferred' };
  });
  post('reply', async (r) => {
    const text = field(r.body, 'text');
    const clientId = field(r.body, 'clientId');
    if (text.trim() === '' || text.length > REPLY_MAX || !CLIENT_ID.test(clientId)) return { refused: 'text-required' };
    const outcome = await desk.reply(r.params.id, actorOf(r), text, clientId);
    // A repeated post (same clientId) sent nothing, so it is not audited again, as in the API.
    if ('refused' in outcome || outcome.duplicate) return { outcome, audit: null, done: 'replied' };
    return { outcome, audit: 'handoff-replied', detail: outcome.outboundId, done: 'replied' };
  });
  post('notes', async (r) => {
    const text = field(r.body, 'text');
    if (text.trim() === '' || text.length > NOTE_MAX) return { refused: 'text-required' };
    const outcome = await desk.note(r.params.id, actorOf(r), text);
    return { outcome, audit: 'handoff-note', detail: 'refused' in outcome ? null : outcome.noteId, done: 'noted' };
  });
  post('return-to-bot', async (r) => finished(await desk.finish(r.params.id, actorOf(r), false), 'handoff-returned', 'returned'));
  post('close', async (r) => finished(await desk.finish(r.params.id, actorOf(r), true), 'handoff-closed', 'closed'));
}

/** A desk action's outcome and, when it succeeded, what to audit and which notice to show. */
interface Acted {
  outcome: DeskOutcome;
  audit: AuditAction | null;
  detail?: string | null;
  done: string;
}

function finished(outcome: DeskOutcome<{ told: boolean }>, action: AuditAction, done: string): Acted {
  return { outcome, audit: action, detail: 'refused' in outcome || outcome.told ? null : 'not-told', done };
}

function transcriptOf(text: PageText, detail: HandoffDetail, name: (id: string | null) => string | null): Html {
  const who = (l: TranscriptLine): string => (l.from === 'staff' ? text.t('inbox.from.staff_named', { name: name(l.staffId) ?? '' }) : text.t(`inbox.from.${l.from}`));
  const line = (l: TranscriptLine): Html => html`<li class="line from-${l.from}">
<p class="meta"><span class="who">${who(l)}</span> <time datetime="${l.at.toISOString()}">${text.dateTime(l.at)}</time>${l.status === 'failed' ? html` <span class="badge off">${text.t('inbox.not_delivered')}</span>` : ''}</p>
<p class="text" dir="auto">${l.text}</p>${l.attachment ? html`<p class="hint">${text.t('inbox.attachment')}</p>` : ''}
</li>`;
  const notes = detail.notes.length > 0 ? html`<h3>${text.t('inbox.notes')}</h3><ul class="notes">${detail.notes.map((n) => html`<li><p class="meta"><span class="who">${name(n.by)}</span> <time datetime="${n.at.toISOString()}">${text.dateTime(n.at)}</time></p><p class="text" dir="auto">${n.text}</p></li>`)}</ul>` : '';
  return html`<ol class="transcript">${detail.transcript.map(line)}</ol>${notes}`;
}

function noteForm(text: PageText, viewer: Viewer, id: string): Html {
  return html`<section aria-labelledby="note-h"><h2 id="note-h">${text.t('inbox.add_note')}</h2>
<form method="post" action="/staff/inbox/${id}/notes" class="stack">
<input type="hidden" name="_csrf" value="${viewer.csrfToken}">
<label for="note-text">${text.t('inbox.note_label')}</label>
<textarea id="note-text" name="text" rows="3" required maxlength="${NOTE_MAX}" dir="auto"></textarea>
<button type="submit" class="secondary">${text.t('inbox.save_note')}</button>
</form></section>`;
}

function backLink(text: PageText): Html {
  return html`<p><a href="/staff/inbox">${text.t('inbox.back')}</a></p>`;
}

function field(body: FormBody | undefined, name: string): string {
  const value = body?.[name];
  return typeof value === 'string' ? value : '';
}
