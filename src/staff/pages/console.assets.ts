import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';

/**
 * The console's static files, read once at startup: our own (public/, shipped next to the
 * compiled module like the web chat's) and two libraries from node_modules. Each is served under
 * a URL carrying its content hash, so it can be cached for a year and a deploy still shows at once.
 */
export const CONSOLE_PUBLIC_DIR = join(__dirname, 'public');

export type AssetName = 'console.css' | 'dashboard.js' | 'inbox.js' | 'favicon.svg' | 'htmx.js' | 'chart.js';

export interface ConsoleAsset {
  url: string;
  body: Buffer;
  contentType: string;
}

export type ConsoleAssets = Record<AssetName, ConsoleAsset>;

const TYPES: Record<string, string> = { '.css': 'text/css; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.svg': 'image/svg+xml' };

/** A year, and `immutable`: the URL changes whenever the content does. */
export const ASSET_CACHE = 'public, max-age=31536000, immutable';

/** Where a library's browser build lies. chart.js exports no subpaths, so its UMD build is found next to its main file. */
function librarySources(): Record<'htmx.js' | 'chart.js', string> {
  return {
    'htmx.js': require.resolve('htmx.org/dist/htmx.min.js'),
    'chart.js': join(dirname(require.resolve('chart.js')), 'chart.umd.min.js'),
  };
}

export function loadConsoleAssets(dir: string = CONSOLE_PUBLIC_DIR): ConsoleAssets {
  const libraries = librarySources();
  const sources: Record<AssetName, string> = {
    'console.css': join(dir, 'console.css'),
    'dashboard.js': join(dir, 'dashboard.js'),
    'inbox.js': join(dir, 'inbox.js'),
    'favicon.svg': join(dir, 'favicon.svg'),
    ...libraries,
  };
  const entries = Object.entries(sources).map(([name, path]) => [name, asset(name, readFileSync(path))] as const);
  return Object.fromEntries(entries) as ConsoleAssets;
}

function asset(name: string, body: Buffer): ConsoleAsset {
  const hash = createHash('sha256').update(body).digest('base64url').slice(0, 12);
  const ext = extname(name);
  return { url: `/staff/assets/${name.slice(0, -ext.length)}.${hash}${ext}`, body, contentType: TYPES[ext] ?? 'application/octet-stream' };
}
