import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { REQUEST_STATUSES, type RequestStatus } from '../../domain/support-request';
import { CASE_READERS, CASE_ROUTE_ROLES, REVEALERS } from '../case.access';
import type { CaseActions, CaseDetail, CaseFailure } from '../case.actions';
import type { RevealableField } from '../case.repository';
import { caseActorOf } from '../case.routes';
import { holdsAnyRole } from '../roles';
import type { FormBody } from './console.plugin';
import { errorPage } from './console.plugin';
import type { PageText } from './console.i18n';
import { renderPage } from './console.layout';
import { html, type Html } from './html';
import type { PageKit } from './page.kit';

export interface CasePageDeps {
  kit: PageKit;
  actions: CaseActions;
}

const READ = { access: { roles: CASE_ROUTE_ROLES } };
const REVEAL = { access: { roles: REVEALERS } };
const CHANGE = { access: { roles: CASE_READERS } };
const REFERENCE = /^BSR-\d{4}-\d{5,7}$/;
const DONE = ['status', 'status-unchanged', 'note'] as const;
const FAILURE_STATUS: Record<CaseFailure, number> = {
  'not-found': 404,
  'case-not-yours': 403,
  'invalid-request': 400,
  'transition-forbidden': 403,
  'transition-not-allowed': 409,
  'note-required': 400,
  'status-conflict': 409,
};

type ByReference = { Params: { reference: string } };
/** What the page shows besides the case: a refusal, or a value revealed once. */
interface Extra {
  error?: CaseFailure;
  revealed?: { field: RevealableField; value: string };
}

/**
 * GET /staff/cases/:reference and its forms: reveal (a reason, the value shown once in that
 * response, audited), change of status (only the changes the viewer may make, with the note field
 * when the change needs one) and internal notes. The same {@link CaseActions} as the JSON API.
 */
export async function casePage(app: FastifyInstance, deps: CasePageDeps): Promise<void> {
  const show = async (request: FastifyRequest<ByReference>, reply: FastifyReply, extra: Extra = {}, status = 200): Promise<FastifyReply> => {
    const { reference } = request.params;
    if (!REFERENCE.test(reference)) return errorPage(request, reply, deps.kit, 'case.errors.not-found', 404);
    const detail = await deps.actions.detail(caseActorOf(request), reference);
    if (!detail.ok) return errorPage(request, reply, deps.kit, `case.errors.${detail.error}`, FAILURE_STATUS[detail.error]);
    const frame = deps.kit.frame(request);
    const viewer = deps.kit.viewer(request);
    const done = (request.query as { done?: string }).done;
    const body = caseBody(frame.text, detail, {
      csrf: viewer.csrfToken,
      mayReveal: holdsAnyRole(viewer.roles, REVEALERS),
      notice: done !== undefined && (DONE as readonly string[]).includes(done) ? done : undefined,
      ...extra,
    });
    return deps.kit.send(reply, renderPage(frame, viewer, { title: frame.text.t('case.title', { reference }), current: 'cases', body }), status);
  };
  const refused = (request: FastifyRequest<ByReference>, reply: FastifyReply, error: CaseFailure): Promise<FastifyReply> => show(request, reply, { error }, FAILURE_STATUS[error]);

  app.get<ByReference>('/cases/:reference', { config: READ }, async (request, reply) => show(request, reply));

  app.post<ByReference & { Body: FormBody }>('/cases/:reference/reveal', { config: REVEAL }, async (request, reply) => {
    const field = text(request.body, 'field');
    if (field !== 'nationalId' && field !== 'phone') return refused(request, reply, 'invalid-request');
    const outcome = await deps.actions.reveal(caseActorOf(request), request.params.reference, field, text(request.body, 'reason'));
    if (!outcome.ok) return refused(request, reply, outcome.error);
    return show(request, reply, { revealed: { field: outcome.field, value: outcome.value } });
  });

  app.post<ByReference & { Body: FormBody }>('/cases/:reference/status', { config: CHANGE }, async (request, reply) => {
    const to = text(request.body, 'status');
    if (!(REQUEST_STATUSES as readonly string[]).includes(to)) return refused(request, reply, 'invalid-request');
    const outcome = await deps.actions.changeStatus(caseActorOf(request), request.params.reference, to as RequestStatus, text(request.body, 'note'));
    if (!outcome.ok) return refused(request, reply, outcome.error);
    return deps.kit.redirect(reply, `/staff/cases/${request.params.reference}?done=${outcome.changed ? 'status' : 'status-unchanged'}`);
  });

  app.post<ByReference & { Body: FormBody }>('/cases/:reference/notes', { config: READ }, async (request, reply) => {
    const outcome = await deps.actions.addNote(caseActorOf(request), request.params.reference, text(request.body, 'text'));
    if (!outcome.ok) return outcome.error === 'case-not-yours' ? errorPage(request, reply, deps.kit, 'case.errors.case-not-yours', 403) : refused(request, reply, outcome.error);
    return deps.kit.redirect(reply, `/staff/cases/${request.params.reference}?done=note`);
  });
}

function text(body: FormBody | undefined, name: string): string {
  const value = body?.[name];
  return typeof value === 'string' ? value : '';
}

interface View extends Extra {
  csrf: string;
  mayReveal: boolean;
  notice: string | undefined;
}

function caseBody(t: PageText, d: CaseDetail, view: View): Html {
  const c = d.case;
  return html`${view.notice ? html`<p class="notice ok" role="status">${t.t(`case.done.${view.notice}`)}</p>` : ''}
${view.error ? html`<p class="notice error" role="alert">${t.t(`case.errors.${view.error}`)}</p>` : ''}
${view.revealed ? html`<p class="notice ok revealed" role="status">${t.t(`case.field.${view.revealed.field}`)}: <bdi dir="ltr" class="value-once">${view.revealed.value}</bdi> <span class="hint">${t.t('case.reveal_once')}</span></p>` : ''}
<div class="grid">
<section class="card" aria-labelledby="fields-h"><h2 id="fields-h">${t.t('case.fields')}</h2>
<dl class="fields">
${row(t.t('cases.status'), html`<span class="badge status-${c.status}">${t.t(`request_status.${c.status}`)}</span>`)}
${c.statusNote ? row(t.t('case.status_note'), c.statusNote) : ''}
${row(t.t('case.applicant'), c.applicantName)}
${row(t.t('case.relation'), t.t(`relation.${c.relation}`))}
${row(t.t('case.field.nationalId'), html`<bdi dir="ltr">${c.nationalIdMasked}</bdi>`)}
${row(t.t('case.field.phone'), html`<bdi dir="ltr">${c.phoneMasked}</bdi>`)}
${row(t.t('case.inmate'), c.inmateName ?? '—')}
${row(t.t('cases.facility'), c.facilityOther ? `${t.t(`facility.${c.facility}`)} — ${c.facilityOther}` : t.t(`facility.${c.facility}`))}
${row(t.t('cases.support_type'), t.t(`support_type.${c.supportType}`))}
${row(t.t('case.description'), c.description)}
${row(t.t('case.channel'), t.t(`channel.${c.channel}`))}
${row(t.t('case.language'), t.t(`language.name_${c.language}`))}
${row(t.t('cases.submitted'), t.dateTime(c.submittedAt))}
</dl>
${view.mayReveal ? revealForm(t, c.reference, view.csrf) : ''}
</section>
${statusForm(t, c.reference, d.transitions, view.csrf)}
</div>
<section class="card" aria-labelledby="history-h"><h2 id="history-h">${t.t('case.history')}</h2>
<ol class="timeline">${d.history.map((h) => html`<li><span class="badge">${t.t(`request_status.${h.status}`)}</span> ${t.dateTime(h.at)} · ${who(t, h.by, h.byName)}${h.note ? html`<br><span class="detail">${h.note}</span>` : ''}</li>`)}</ol>
</section>
<section class="card" aria-labelledby="notes-h"><h2 id="notes-h">${t.t('case.notes')}</h2>
${d.notes.length === 0 ? html`<p class="hint">${t.t('case.no_notes')}</p>` : html`<ul class="timeline">${d.notes.map((n) => html`<li><span class="hint">${t.dateTime(n.at)} · ${who(t, n.by, n.byName)}</span><br>${n.text}</li>`)}</ul>`}
<form method="post" action="/staff/cases/${c.reference}/notes" class="stack">
<input type="hidden" name="_csrf" value="${view.csrf}">
<label for="note-text">${t.t('case.add_note')}</label>
<textarea id="note-text" name="text" required maxlength="4000" rows="3"></textarea>
<p class="hint">${t.t('case.note_hint')}</p>
<button type="submit">${t.t('case.add_note_submit')}</button>
</form>
</section>
<section class="card" aria-labelledby="conv-h"><h2 id="conv-h">${t.t('case.conversation')}</h2>
${d.conversation.length === 0 ? html`<p class="hint">${t.t('case.no_conversation')}</p>` : html`<ol class="transcript">${d.conversation.map((m) => html`<li class="${m.direction}"><span class="hint">${t.t(`case.direction.${m.direction}`)} · ${t.dateTime(m.at)}</span><br>${m.text}</li>`)}</ol>`}
</section>
<section class="card" aria-labelledby="fu-h"><h2 id="fu-h">${t.t('case.follow_ups')}</h2>
${d.followUps.length === 0 ? html`<p class="hint">${t.t('case.no_follow_ups')}</p>` : html`<ul class="timeline">${d.followUps.map((f) => html`<li>${t.t(`follow_up.${f.kind}`)} · <span class="badge">${t.t(`follow_up_state.${f.state}`)}</span> · ${t.t('case.due')}: ${t.dateTime(f.dueAt)}${f.sentAt ? html` · ${t.t('case.sent')}: ${t.dateTime(f.sentAt)}` : ''}</li>`)}</ul>`}
</section>
<section class="card" aria-labelledby="att-h"><h2 id="att-h">${t.t('case.attestation')}</h2>
<dl class="fields">
${row(t.t('case.attested_at'), t.dateTime(d.attestation.attestedAt))}
${row(t.t('case.channel'), t.t(`channel.${d.attestation.channel}`))}
${row(t.t('case.wording'), html`<bdi dir="ltr">${d.attestation.wordingVersion}</bdi>`)}
${row(t.t('case.message_digest'), html`<code dir="ltr">${d.attestation.messageDigest}</code>`)}
${row(t.t('case.data_hash'), html`<code dir="ltr">${d.attestation.dataHash}</code>`)}
</dl>
</section>`;
}

function row(label: string, value: Html | string): Html {
  return html`<dt>${label}</dt><dd>${value}</dd>`;
}

function who(t: PageText, by: string, name: string | null): string {
  if (name) return name;
  return by === 'beneficiary' ? t.t('case.by_beneficiary') : t.t('case.by_system');
}

function revealForm(t: PageText, reference: string, csrf: string): Html {
  return html`<details class="reveal"><summary>${t.t('case.reveal')}</summary>
<form method="post" action="/staff/cases/${reference}/reveal" class="stack">
<input type="hidden" name="_csrf" value="${csrf}">
<fieldset><legend>${t.t('case.reveal_field')}</legend>
<label class="check"><input type="radio" name="field" value="nationalId" checked> ${t.t('case.field.nationalId')}</label>
<label class="check"><input type="radio" name="field" value="phone"> ${t.t('case.field.phone')}</label>
</fieldset>
<label for="reveal-reason">${t.t('case.reveal_reason')}</label>
<input id="reveal-reason" name="reason" required minlength="10" maxlength="500" autocomplete="off">
<p class="hint">${t.t('case.reveal_hint')}</p>
<button type="submit">${t.t('case.reveal_submit')}</button>
</form></details>`;
}

/** Only the changes the viewer may make now; a change that needs a note says which, and the field is then required by the server. */
function statusForm(t: PageText, reference: string, transitions: CaseDetail['transitions'], csrf: string): Html {
  if (transitions.length === 0) return html`<section class="card" aria-labelledby="status-h"><h2 id="status-h">${t.t('case.change_status')}</h2><p class="hint">${t.t('case.no_transitions')}</p></section>`;
  return html`<section class="card" aria-labelledby="status-h"><h2 id="status-h">${t.t('case.change_status')}</h2>
<form method="post" action="/staff/cases/${reference}/status" class="stack">
<input type="hidden" name="_csrf" value="${csrf}">
<fieldset><legend>${t.t('case.new_status')}</legend>
${transitions.map((tr, i) => html`<label class="check"><input type="radio" name="status" value="${tr.to}"${i === 0 ? html` checked` : ''} required> ${t.t(`request_status.${tr.to}`)}${tr.note ? html` <span class="hint">(${t.t(`case.note_required.${tr.note}`)})</span>` : ''}</label>`)}
</fieldset>
<label for="status-note">${t.t('case.status_note_label')}</label>
<textarea id="status-note" name="note" maxlength="1000" rows="3"></textarea>
<p class="hint">${t.t('case.status_note_hint')}</p>
<button type="submit">${t.t('case.change_submit')}</button>
</form></section>`;
}
