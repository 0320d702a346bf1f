import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LANGUAGES } from '../../domain/language';
import type { Translator } from '../../engine/ports';
import { scriptSafeJson, webStrings } from './web.i18n';

/**
 * The chat's static files, read once at startup (they are small). The production image must ship
 * this folder next to the compiled module (dist/channels/web/public).
 */
export const PUBLIC_DIR = join(__dirname, 'public');

export interface Asset {
  body: string;
  contentType: string;
  etag: string;
  cacheControl: string;
}

export interface WebAssets {
  /** index.html with {{placeholders}}, rendered per request. */
  pageTemplate: string;
  /** Served files by URL path. */
  files: ReadonlyMap<string, Asset>;
}

const JS = 'text/javascript; charset=utf-8';
// Chat files are not fingerprinted: browsers revalidate them (a cheap 304) so a deploy shows at once.
const REVALIDATE = 'public, no-cache';
// The widget is loaded by other sites on every page view: cache it for an hour.
const WIDGET_CACHE = 'public, max-age=3600';

export function loadWebAssets(translator: Translator, dir: string = PUBLIC_DIR): WebAssets {
  const read = (name: string): string => readFileSync(join(dir, name), 'utf8');
  const files = new Map<string, Asset>([
    ['/chat.css', asset(read('chat.css'), 'text/css; charset=utf-8', REVALIDATE)],
    ['/chat.js', asset(read('chat.js'), JS, REVALIDATE)],
    ['/widget.js', asset(withWidgetLabels(read('widget.js'), translator), JS, WIDGET_CACHE)],
    ['/favicon.svg', asset(read('favicon.svg'), 'image/svg+xml', 'public, max-age=86400')],
  ]);
  return { pageTemplate: read('index.html'), files };
}

function asset(body: string, contentType: string, cacheControl: string): Asset {
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
  return { body, contentType, etag, cacheControl };
}

/** The widget runs on other sites and cannot fetch our locales (no CORS): its few labels are baked in. */
function withWidgetLabels(source: string, translator: Translator): string {
  const labels = Object.fromEntries(
    LANGUAGES.map((lng) => {
      const s = webStrings(translator, lng);
      return [lng, { open: s['widget.open'], close: s['widget.close'], title: s['widget.frame_title'] }];
    }),
  );
  if (!source.includes('__WIDGET_LABELS__')) throw new Error('widget.js lacks the __WIDGET_LABELS__ placeholder');
  return source.replace('__WIDGET_LABELS__', scriptSafeJson(labels));
}
