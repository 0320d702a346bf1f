import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page, Route, WebSocketRoute } from 'playwright-core';
import { launchChromium } from '../support/chromium';

/**
 * chat.js alone, in headless Chromium, against a scripted server (Playwright routes the page, its
 * history requests and its WebSocket): what the page does when the server closes its socket for a
 * resync (the live subscription was lost and is back), and when a history answer comes back for a
 * connection that has since been replaced. Written with an outside review that found the page
 * re-rendering an older transcript over a newer reply.
 */
const PUBLIC = join(__dirname, '../../src/channels/web/public');
const HTML = readFileSync(join(PUBLIC, 'index.html'), 'utf8').replace(/\{\{@lang\}\}/, 'ar').replace(/\{\{@dir\}\}/, 'rtl');
const JS = readFileSync(join(PUBLIC, 'chat.js'), 'utf8');
const WELCOME = { direction: 'out', text: 'أهلاً بك', options: [] };

interface Scripted {
  page: Page;
  /** The page's latest socket, and how many it has opened. */
  ws: () => WebSocketRoute;
  sockets: () => number;
  frames: Array<{ type: string; clientId?: string; text?: string }>;
  /** History requests in arrival order; each is answered by the test. */
  histories: Route[];
}

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

async function open(): Promise<Scripted> {
  const page = await browser.newPage();
  const frames: Scripted['frames'] = [];
  const histories: Route[] = [];
  let socket: WebSocketRoute | null = null;
  let opened = 0;
  await page.routeWebSocket('ws://chat.test/ws', (ws) => {
    socket = ws;
    opened += 1;
    ws.onMessage((data) => frames.push(JSON.parse(String(data))));
  });
  await page.route('http://chat.test/**', async (route) => {
    const url = new URL(route.request().url());
    if (url.pathname === '/') return route.fulfill({ contentType: 'text/html; charset=utf-8', body: HTML });
    if (url.pathname === '/chat.js') return route.fulfill({ contentType: 'text/javascript', body: JS });
    if (url.pathname === '/api/web/i18n') return route.fulfill({ json: { lng: 'ar', dir: 'rtl', strings: {} } });
    if (url.pathname === '/api/web/history') return void histories.push(route);
    return route.fulfill({ status: 404, body: '' });
  });
  await page.goto('http://chat.test/');
  return { page, frames, histories, ws: () => socket as unknown as WebSocketRoute, sockets: () => opened };
}

async function until<T>(probe: () => T | undefined | false, what: string): Promise<T> {
  for (let i = 0; i < 200; i += 1) {
    const value = probe();
    if (value) return value;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const bubbles = (page: Page): Promise<string[]> =>
  page.$$eval('#log .msg', (els) => els.map((el) => (el.lastChild?.textContent ?? '').trim()));

describe('web chat page: resync and late history answers', () => {
  it('reconnects when the server closes its socket for a resync (1012) and shows, from its history, the reply it missed', async () => {
    const s = await open();
    try {
      await until(() => s.sockets() === 1 || undefined, 'the socket');
      s.ws().send(JSON.stringify({ type: 'ready' }));
      await (await until(() => s.histories[0], 'the first history request')).fulfill({ json: { messages: [WELCOME] } });
      await s.page.waitForSelector('#log .msg.bot');
      // The live subscription was lost and is back: a reply published meanwhile reached nobody.
      await s.ws().close({ code: 1012, reason: 'resync' });
      await until(() => s.sockets() === 2 || undefined, 'the page reconnecting');
      s.ws().send(JSON.stringify({ type: 'ready' }));
      const missed = { direction: 'out', text: 'ردّ أثناء الانقطاع', options: [] };
      await (await until(() => s.histories[1], 'the history read again')).fulfill({ json: { messages: [WELCOME, missed] } });
      await s.page.waitForFunction("document.querySelectorAll('#log .msg.bot').length === 2");
      expect(await bubbles(s.page)).toEqual(['أهلاً بك', 'ردّ أثناء الانقطاع']);
    } finally {
      await s.page.close();
    }
  });

  it("does not let the history answer of a replaced connection wipe the newer one's replies (before: the late answer re-rendered an older transcript)", async () => {
    const s = await open();
    try {
      await until(() => s.sockets() === 1 || undefined, 'the socket');
      s.ws().send(JSON.stringify({ type: 'ready' }));
      const stale = await until(() => s.histories[0], 'the first history request');
      // The first read is slow; meanwhile the socket drops and the page reconnects and syncs.
      await s.ws().close({ code: 1012, reason: 'resync' });
      await until(() => s.sockets() === 2 || undefined, 'the page reconnecting');
      s.ws().send(JSON.stringify({ type: 'ready' }));
      await (await until(() => s.histories[1], 'the second history request')).fulfill({ json: { messages: [WELCOME] } });
      await s.page.waitForSelector('#log .msg.bot');
      s.ws().send(JSON.stringify({ type: 'reply', text: 'ردّ جديد', options: [], lang: 'ar' }));
      await s.page.waitForFunction("document.querySelectorAll('#log .msg.bot').length === 2");
      await stale.fulfill({ json: { messages: [WELCOME] } });
      await new Promise((r) => setTimeout(r, 300));
      expect(await bubbles(s.page)).toEqual(['أهلاً بك', 'ردّ جديد']);
    } finally {
      await s.page.close();
    }
  });
});
