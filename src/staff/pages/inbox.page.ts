import type { FastifyInstance } from 'fastify';
import type { Clock } from '../../engine/ports';
import type { HandoffListItem } from '../../handoffs/handoff-views';
import type { AuditRepository } from '../audit.repository';
import type { CannedReplyRepository } from '../canned-replies.repository';
import { INBOX_ROLES, type HandoffRouteDeps } from '../handoff.routes';
import type { StaffRepository } from '../staff.repository';
import type { PageText } from './console.i18n';
import { renderPage } from './console.layout';
import { html, type Html } from './html';
import type { PageKit } from './page.kit';

/** What the inbox pages need: the API's desk, views and events, and the staff context's records. */
export interface InboxPageDeps {
  kit: PageKit;
  handoffs: HandoffRouteDeps & { canned: CannedReplyRepository };
  staff: StaffRepository;
  audit: AuditRepository;
  clock: Clock;
}

/** The same roles as the inbox API (src/staff/handoff.routes.ts). */
export const INBOX_PAGE = { access: { roles: INBOX_ROLES } };

/** The event stream the live parts of a page listen to (public/inbox.js). */
export const EVENTS_URL = '/staff/api/handoffs/events';

/** Who a staff id is, for the pages: names from the staff list, read once per page. */
export async function staffNames(staff: StaffRepository): Promise<(id: string | null) => string | null> {
  const byId = new Map((await staff.list()).map((s) => [s.id, s.name]));
  return (id) => (id === null ? null : (byId.get(id) ?? id));
}

/** Waiting time as hours and minutes (`1:05`), written in the page's digits. */
export function waitingTime(text: PageText, seconds: number): string {
  const minutes = Math.floor(seconds / 60);
  return `${text.number(Math.floor(minutes / 60))}:${String(minutes % 60).padStart(2, '0')}`;
}

/** The facts of a handoff shared by the list and the conversation page. */
export function handoffFacts(text: PageText, h: HandoffListItem, holder: string | null): Html {
  const fact = (key: string, value: Html | string): Html => html`<div><dt>${text.t(`inbox.${key}`)}</dt><dd>${value}</dd></div>`;
  return html`<dl class="facts">
${fact('waiting', html`<bdi>${waitingTime(text, h.waitingSeconds)}</bdi>`)}
${fact('language', text.t(`language.name_${h.language}`))}
${fact('channel', text.t(`channel.${h.channel}`))}
${fact('reason', text.t(`inbox.reasons.${h.reason}`))}
${fact('holder', holder === null ? html`<span class="badge off">${text.t('inbox.unclaimed')}</span>` : html`<bdi>${holder}</bdi>`)}
${fact('messages', html`<bdi>${text.number(h.messageCount)}</bdi> · ${text.t('inbox.last_at', { time: text.dateTime(h.lastMessageAt) })}`)}
${fact('request', h.request ? html`<bdi dir="ltr">${h.request.reference}</bdi> <span class="badge">${text.t(`request_status.${h.request.status}`)}</span>` : text.t('inbox.no_request'))}
</dl>`;
}

/** GET /staff/inbox: the open handoffs, oldest first, kept current by the event stream; GET /staff/inbox/list: the list alone. */
export async function inboxPage(app: FastifyInstance, deps: InboxPageDeps): Promise<void> {
  const { kit } = deps;
  const list = async (text: PageText): Promise<Html> => {
    const [items, name] = await Promise.all([deps.handoffs.views.list(deps.clock.now()), staffNames(deps.staff)]);
    if (items.length === 0) return html`<p class="notice" id="inbox-empty">${text.t('inbox.empty')}</p>`;
    return html`<p class="hint">${text.t('inbox.count', { n: text.number(items.length) })}</p>
<ul class="cards inbox">${items.map(
      (h) => html`<li class="card handoff${h.claimedBy === null ? ' unclaimed' : ''}" data-handoff-id="${h.id}">
<p class="title"><a href="/staff/inbox/${h.id}">${text.t('inbox.open_conversation')}</a></p>
${handoffFacts(text, h, name(h.claimedBy))}
</li>`,
    )}</ul>`;
  };

  app.get('/inbox', { config: INBOX_PAGE }, async (request, reply) => {
    const frame = kit.frame(request);
    const { text } = frame;
    const viewer = kit.viewer(request);
    const done = (request.query as { done?: string }).done;
    const notice = done === 'returned' || done === 'closed' ? html`<p class="notice ok" role="status">${text.t(`inbox.done.${done}`)}</p>` : '';
    const admin = viewer.roles.includes('admin') ? html`<p><a href="/staff/canned-replies">${text.t('canned.manage')}</a></p>` : '';
    const body = html`${notice}${admin}
<div id="inbox-list" data-live data-events="${EVENTS_URL}" hx-get="/staff/inbox/list" hx-trigger="refresh, every 60s" hx-swap="innerHTML" aria-live="polite">${await list(text)}</div>`;
    return kit.send(reply, renderPage(frame, viewer, { title: text.t('nav.inbox'), current: 'inbox', body, scripts: ['inbox.js'] }));
  });

  app.get('/inbox/list', { config: INBOX_PAGE }, async (request, reply) => kit.send(reply, (await list(kit.frame(request).text)).text));
}
