import { LANGUAGES, type Language } from '../../domain/language';
import { holdsAnyRole, STAFF_ROLES, type StaffRole } from '../roles';
import type { AssetName, ConsoleAssets } from './console.assets';
import type { PageText } from './console.i18n';
import { html, type Html } from './html';

/** The console's sections, in the order of the navigation, with the roles that see each. */
export const NAV = [
  // The inbox API's roles (INBOX_ROLES in src/staff/handoff.routes.ts).
  { key: 'inbox', path: '/staff/inbox', roles: ['agent', 'researcher', 'supervisor', 'admin'] },
  { key: 'cases', path: '/staff/cases', roles: STAFF_ROLES },
  { key: 'tasks', path: '/staff/tasks', roles: ['supervisor', 'admin'] },
  { key: 'dashboard', path: '/staff/dashboard', roles: STAFF_ROLES },
  { key: 'audit', path: '/staff/audit', roles: ['admin'] },
  { key: 'staff', path: '/staff/staff', roles: ['admin'] },
  { key: 'channels', path: '/staff/channels', roles: ['admin'] },
  // bull-board's own page (queues.page.ts), outside the console's frame.
  { key: 'queues', path: '/staff/queues', roles: ['admin'] },
] as const satisfies ReadonlyArray<{ key: string; path: string; roles: readonly StaffRole[] }>;

export type NavKey = (typeof NAV)[number]['key'];

/** What every page's frame needs. */
export interface Frame {
  text: PageText;
  /** The CSP nonce of this response. */
  nonce: string;
  assets: ConsoleAssets;
  /** The page's path (without query), for the language switch. */
  path: string;
}

/** The signed-in person, for the navigation and the log-out form. */
export interface Viewer {
  name: string;
  roles: readonly StaffRole[];
  csrfToken: string;
}

export interface PageContent {
  title: string;
  body: Html;
  current?: NavKey;
  scripts?: AssetName[];
}

/**
 * htmx's settings: no injected indicator <style> (the CSP allows stylesheets from our origin only),
 * no eval, and no copies of pages (with their CSRF token) in localStorage. A 400 is swapped in like
 * a 200: the console answers a filter it cannot read with the page and its error message, which
 * htmx's default (no swap for 4xx) hid, leaving the old results looking like the answer (outside
 * review: a case search in Arabic-Indic digits).
 */
const HTMX_CONFIG = JSON.stringify({
  includeIndicatorStyles: false,
  allowEval: false,
  allowScriptTags: false,
  historyCacheSize: 0,
  refreshOnHistoryMiss: true,
  responseHandling: [
    { code: '204', swap: false },
    { code: '[23]..', swap: true },
    { code: '400', swap: true, error: false },
    { code: '[45]..', swap: false, error: true },
    { code: '...', swap: false },
  ],
});

function head(frame: Frame, title: string, scripts: readonly AssetName[]): Html {
  const { text, nonce, assets } = frame;
  return html`<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="htmx-config" content="${HTMX_CONFIG}">
<meta name="referrer" content="same-origin">
<title>${title} — ${text.t('app.title')}</title>
<link rel="stylesheet" href="${assets['console.css'].url}">
<link rel="icon" href="${assets['favicon.svg'].url}" type="image/svg+xml">
<script src="${assets['htmx.js'].url}" nonce="${nonce}" defer></script>
${scripts.map((name) => html`<script src="${assets[name].url}" nonce="${nonce}" defer></script>\n`)}</head>`;
}

/** Links to the console in each language, each written in its own language. */
function languageSwitch(frame: Frame): Html {
  const others = LANGUAGES.filter((l: Language) => l !== frame.text.lng);
  return html`<nav class="languages" aria-label="${frame.text.t('language.label')}">${others.map(
    (l) => html`<a href="${frame.path}?lng=${l}" lang="${l}" hreflang="${l}">${frame.text.t(`language.name_${l}`)}</a>`,
  )}</nav>`;
}

function navigation(frame: Frame, viewer: Viewer, current: NavKey | undefined): Html {
  const items = NAV.filter((item) => holdsAnyRole(viewer.roles, item.roles));
  return html`<nav class="sections" aria-label="${frame.text.t('nav.label')}"><ul>${items.map(
    (item) => html`<li><a href="${item.path}"${item.key === current ? html` aria-current="page"` : ''}>${frame.text.t(`nav.${item.key}`)}</a></li>`,
  )}</ul></nav>`;
}

/** A signed-in page: header with navigation, language switch and log-out, then the content. */
export function renderPage(frame: Frame, viewer: Viewer, content: PageContent): string {
  const { text } = frame;
  const page = html`<!doctype html>
<html lang="${text.lng}" dir="${text.dir}">
${head(frame, content.title, content.scripts ?? [])}
<body>
<a class="skip" href="#main">${text.t('nav.skip')}</a>
<header class="top">
<div class="bar">
<a class="brand" href="/staff/dashboard">${text.t('app.title')}</a>
<div class="who">
<span class="name">${viewer.name}</span>
${languageSwitch(frame)}
<form method="post" action="/staff/logout" class="logout">
<input type="hidden" name="_csrf" value="${viewer.csrfToken}">
<button type="submit" class="link">${text.t('nav.logout')}</button>
</form>
</div>
</div>
${navigation(frame, viewer, content.current)}
</header>
<main id="main">
<h1>${content.title}</h1>
${content.body}
</main>
</body>
</html>
`;
  return page.text;
}

/** A page for someone not signed in (log-in, errors before log-in). */
export function renderBarePage(frame: Frame, content: Pick<PageContent, 'title' | 'body'>): string {
  const { text } = frame;
  return html`<!doctype html>
<html lang="${text.lng}" dir="${text.dir}">
${head(frame, content.title, [])}
<body class="bare">
<main id="main" class="card narrow">
<p class="brand">${text.t('app.title')}</p>
${languageSwitch(frame)}
<h1>${content.title}</h1>
${content.body}
</main>
</body>
</html>
`.text;
}
