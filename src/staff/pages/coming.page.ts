import type { FastifyInstance } from 'fastify';
import { ANY_STAFF } from '../staff.guard';
import { renderPage, type NavKey } from './console.layout';
import { html } from './html';
import type { PageKit } from './page.kit';

/**
 * The inbox: its pages are being built alongside (issue 10, section 2). Until
 * they are merged, its link leads to a page that says so, rather than to a 404.
 */
const COMING: ReadonlyArray<Extract<NavKey, 'inbox'>> = ['inbox'];

export async function comingPages(app: FastifyInstance, deps: { kit: PageKit }): Promise<void> {
  for (const key of COMING) {
    app.get(`/${key}`, { config: { access: ANY_STAFF } }, async (request, reply) => {
      const frame = deps.kit.frame(request);
      const { t } = frame.text;
      const body = html`<p class="notice">${t('coming.text')}</p>`;
      return deps.kit.send(reply, renderPage(frame, deps.kit.viewer(request), { title: t(`nav.${key}`), current: key, body }));
    });
  }
}
