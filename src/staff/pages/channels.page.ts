import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { ChannelHealth } from '../../channels/channel';
import type { WwebPhase } from '../../channels/whatsapp-web/wweb.connection';
import { qrToPng } from '../../channels/whatsapp-web/wweb.qr';
import type { PageText } from './console.i18n';
import { renderPage } from './console.layout';
import { html, type Html } from './html';
import type { PageKit } from './page.kit';

/** What the channels page reads: the same health /ready reports, and the WhatsApp Web link when this process runs it. */
export interface ChannelStatusSource {
  health(): ChannelHealth[];
  whatsappQr?: () => { state: WwebPhase; qr: string | null };
}

export interface ChannelsPageDeps {
  kit: PageKit;
  channels: ChannelStatusSource;
}

const ADMIN = { access: { roles: ['admin'] as const } };
/** WhatsApp replaces its code about every 20 seconds; the page fetches the new one with htmx. */
const POLL = 'every 10s';

/** GET /staff/channels (admins) and the pending WhatsApp QR code as an image. */
export async function channelsPage(app: FastifyInstance, deps: ChannelsPageDeps): Promise<void> {
  app.get('/channels', { config: ADMIN }, async (request, reply) => {
    const frame = deps.kit.frame(request);
    const { text } = frame;
    const link = deps.channels.whatsappQr?.() ?? null;
    const body = html`<div id="channels" hx-get="/staff/channels" hx-trigger="${POLL}" hx-select="#channels" hx-swap="outerHTML">
<ul class="cards">${deps.channels.health().map((h) => channelCard(text, h))}</ul>
${link ? whatsappLink(text, link) : ''}
</div>`;
    return deps.kit.send(reply, renderPage(frame, deps.kit.viewer(request), { title: text.t('nav.channels'), current: 'channels', body }));
  });

  app.get('/channels/whatsapp-qr.png', { config: ADMIN }, async (_request, reply) => {
    const qr = deps.channels.whatsappQr?.().qr ?? null;
    if (qr === null) return reply.code(404).type('text/plain; charset=utf-8').send('');
    return reply.type('image/png').send(await qrToPng(qr));
  });
}

function channelCard(text: PageText, h: ChannelHealth): Html {
  return html`<li class="card state-${h.state}">
<p class="title">${text.t(`channel.${h.channel}`)}</p>
<p><span class="badge state-${h.state}">${text.t(`channel_state.${h.state}`)}</span></p>
${h.detail ? html`<details><summary>${text.t('channels.detail')}</summary><p dir="ltr" class="detail">${h.detail}</p></details>` : ''}
</li>`;
}

function whatsappLink(text: PageText, link: { state: WwebPhase; qr: string | null }): Html {
  // The code logs a device into the association's number: it is shown only here and never cached.
  const version = link.qr === null ? '' : createHash('sha256').update(link.qr).digest('base64url').slice(0, 10);
  return html`<section aria-labelledby="wweb-h" class="card">
<h2 id="wweb-h">${text.t('channels.whatsapp_link')}</h2>
<p>${text.t(`wweb_phase.${link.state}`)}</p>
${link.qr === null ? '' : html`<p>${text.t('channels.scan')}</p><img class="qr" src="/staff/channels/whatsapp-qr.png?v=${version}" alt="${text.t('channels.qr_alt')}" width="320" height="320">`}
</section>`;
}
