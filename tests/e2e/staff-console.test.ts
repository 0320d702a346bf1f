import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { Browser } from 'playwright-core';
import { FOLLOW_UP_QUEUE } from '../../src/jobs/followup.queue';
import { INBOUND_QUEUE } from '../../src/jobs/inbound.queue';
import { launchChromium } from '../support/chromium';
import { startConsoleHarness, type ConsoleHarness } from '../support/console';
import { firstPaint, logInThroughPage, screenshotsDir, scrollWidth, watchedPage } from '../support/console-browser';
import { seedSurveys } from '../support/console-surveys';

/**
 * The staff console in real Chromium: Arabic right-to-left on first paint, no horizontal overflow
 * on a 390 px phone, the English switch, charts drawn under the strict CSP, an agent kept out of
 * the audit log, the queues board (bull-board) drawn for an admin. Screenshots go to
 * bench/results/console-screenshots/ (committed, looked at).
 */

const SCREENSHOTS = screenshotsDir();

let c: ConsoleHarness;
let browser: Browser;
let base: string;

beforeAll(async () => {
  c = await startConsoleHarness('console-e2e');
  await c.app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://localhost:${(c.app.server.address() as AddressInfo).port}`;
  browser = await launchChromium();
  Object.assign(c.counts.byStatus, { submitted: 14, social_research: 9, committee: 5, accepted: 11, rejected: 3, registration_incomplete: 4, service_delivered: 21 });
  Object.assign(c.counts.byType, { financial: 26, family_social: 12, educational: 9, legal_guidance: 8, post_release: 7, other: 5 });
  c.counts.waiting = 4;
  await seedSurveys(c.staff.surveys);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await c?.close();
});

it('shows an admin the dashboard in Arabic, right-to-left, on a laptop and a phone, then in English', async () => {
  const admin = await c.staff.createStaff(['admin'], { name: 'نورة العتيبي' });
  for (const width of [1280, 390]) {
    const context = await browser.newContext({ viewport: { width, height: width === 390 ? 844 : 900 }, locale: 'ar-SA' });
    const { page, problems } = await watchedPage(context);
    expect(await firstPaint(page, `${base}/staff/login`)).toEqual({ lang: 'ar', dir: 'rtl' });
    expect(await scrollWidth(page)).toBeLessThanOrEqual(width);
    await page.screenshot({ path: join(SCREENSHOTS, `login-ar-${width}.png`), fullPage: true });

    await logInThroughPage(page, base, admin);
    expect(await page.evaluate<string[]>('[document.documentElement.lang, document.documentElement.dir]')).toEqual(['ar', 'rtl']);
    expect(await firstPaint(page, `${base}/staff/dashboard`)).toEqual({ lang: 'ar', dir: 'rtl' });
    // Chart.js drew every chart (a canvas it owns gets a size attribute and a chart instance).
    await page.waitForFunction("document.querySelectorAll('canvas').length === 4 && Array.from(document.querySelectorAll('canvas')).every((el) => el.width > 0)");
    const charts = await page.evaluate<boolean[]>("Array.from(document.querySelectorAll('canvas')).map((el) => window.Chart.getChart(el) !== undefined)");
    expect(charts).toEqual([true, true, true, true]);
    expect(await scrollWidth(page)).toBeLessThanOrEqual(width);
    await page.screenshot({ path: join(SCREENSHOTS, `dashboard-ar-${width}.png`), fullPage: true });

    for (const path of ['/staff/audit', '/staff/staff', '/staff/channels']) {
      await page.goto(`${base}${path}`);
      expect([path, await scrollWidth(page)]).toEqual([path, expect.any(Number)]);
      expect([path, (await scrollWidth(page)) <= width]).toEqual([path, true]);
      if (width === 390) await page.screenshot({ path: join(SCREENSHOTS, `${path.split('/')[2]}-ar-390.png`), fullPage: true });
    }

    await page.goto(`${base}/staff/dashboard`);
    await Promise.all([page.waitForURL(/lng=en/), page.click('a[hreflang="en"]')]);
    expect(await page.evaluate<string[]>('[document.documentElement.lang, document.documentElement.dir]')).toEqual(['en', 'ltr']);
    expect(await page.textContent('h1')).toBe('Dashboard');
    await page.goto(`${base}/staff/audit`);
    expect(await page.evaluate<string>('document.documentElement.lang')).toBe('en');
    expect(problems).toEqual([]);
    await context.close();
  }
}, 120_000);

it('filters the audit log with htmx without leaving the page', async () => {
  const admin = await c.staff.createStaff(['admin']);
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const { page, problems } = await watchedPage(context);
  await logInThroughPage(page, base, admin);
  await page.goto(`${base}/staff/audit`);
  await page.evaluate("document.body.setAttribute('data-marker', 'same-document')");
  await page.selectOption('select[name=action]', 'login');
  await Promise.all([page.waitForURL(/action=login/), page.click('form.filters button')]);
  await page.waitForSelector('#audit-results td');
  expect(await page.getAttribute('body', 'data-marker')).toBe('same-document');
  const actions = await page.$$eval('#audit-results tbody tr td:nth-child(2)', (cells) => [...new Set(cells.map((td) => td.textContent))]);
  expect(actions).toEqual(['تسجيل دخول']);
  expect(problems).toEqual([]);
  await context.close();
}, 60_000);

it('keeps an agent out of the audit log', async () => {
  const agent = await c.staff.createStaff(['agent']);
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const { page } = await watchedPage(context);
  await logInThroughPage(page, base, agent);
  expect(await page.locator('a[href="/staff/audit"]').count()).toBe(0);
  const response = await page.goto(`${base}/staff/audit`);
  expect(response?.status()).toBe(403);
  expect(await page.textContent('[role=alert]')).toContain('صلاحياتك لا تسمح بفتح هذه الصفحة.');
  await context.close();
}, 60_000);

it('shows an admin the queues board, read-only, under its own CSP, from the console’s navigation', async () => {
  const { prefix } = c.staff.queues;
  const redis = new Redis(process.env.REDIS_URL as string);
  // Jobs of the test's own, under the pipeline's prefix, so the board has something to count.
  const turns = new Queue(INBOUND_QUEUE, { connection: redis, prefix });
  const followUps = new Queue(FOLLOW_UP_QUEUE, { connection: redis, prefix });
  await turns.add('turns', { conversationId: 'c-board-1' });
  await followUps.add('fire', { type: 'sweep' }, { delay: 3_600_000 });
  const admin = await c.staff.createStaff(['admin']);
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const { page, problems } = await watchedPage(context);
  try {
    await logInThroughPage(page, base, admin);
    await Promise.all([page.waitForURL(`${base}/staff/queues`), page.click('a[href="/staff/queues"]')]);
    // Rendered by bull-board's scripts (not the server): the queue cards with their job counts.
    await page.waitForSelector(`main a[href$="/queue/${INBOUND_QUEUE}"]`);
    expect(await page.textContent('header a span')).toBe('طوابير بصيرة');
    const cards = await page.$$eval('main a[href*="/queue/"]:not([role=progressbar])', (links) => links.map((a) => a.textContent ?? ''));
    expect(cards.sort()).toEqual([...c.staff.queues.names].sort());
    const counts = await page.$$eval('main a[role=progressbar]', (bars) => bars.map((a) => `${a.getAttribute('href') ?? ''} ${a.textContent ?? ''}`));
    expect(counts.sort()).toEqual([`/staff/queues/queue/${FOLLOW_UP_QUEUE}?status=delayed 1`, `/staff/queues/queue/${INBOUND_QUEUE}?status=waiting 1`]);
    await page.screenshot({ path: join(SCREENSHOTS, 'queues.png'), fullPage: true });

    // A queue's page shows its job and offers no action on it or the queue: read-only.
    await page.click(`nav a[href$="/queue/${INBOUND_QUEUE}"]`);
    await page.waitForSelector('text=c-board-1');
    // Only the job's view tabs and the copy button: no retry, promote, clean or queue actions menu.
    expect(await page.$$eval('main button', (buttons) => buttons.map((b) => b.textContent ?? ''))).toEqual(['Data', 'Progress', 'Options', 'Logs', 'Error', '']);
    await page.screenshot({ path: join(SCREENSHOTS, 'queues-job.png'), fullPage: true });

    // The header menu leads back to the console.
    await page.click('header ul li:last-child button');
    await Promise.all([page.waitForURL(`${base}/staff/dashboard`), page.click('text=العودة إلى اللوحة')]);
    // Its Google Fonts stylesheet is refused on purpose (no third-party origins); nothing else is.
    expect(problems.filter((p) => !p.includes("'https://fonts.googleapis.com/"))).toEqual([]);
  } finally {
    await context.close();
    await Promise.all([turns.close(), followUps.close()]);
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  }
}, 60_000);
