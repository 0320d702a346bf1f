import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { makeNationalId } from '../support/fixtures';
import { launchChromium } from '../support/chromium';
import { startConsoleHarness, type ConsoleHarness } from '../support/console';
import { firstPaint, logInThroughPage, screenshotsDir, scrollWidth, watchedPage } from '../support/console-browser';

/**
 * The console's cases pages in real Chromium: a researcher reveals a national ID for a reason and
 * an admin sees the entry in the audit log; a request moves submitted → social_research →
 * committee (researcher) → accepted (committee member); an agent is kept out of admin pages;
 * Arabic right-to-left on first paint, no horizontal overflow at 390 px; screenshots.
 */
const SCREENSHOTS = screenshotsDir();

let c: ConsoleHarness;
let browser: Browser;
let base: string;
let reference: string;

beforeAll(async () => {
  c = await startConsoleHarness('console-cases-e2e');
  await c.app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://localhost:${(c.app.server.address() as AddressInfo).port}`;
  browser = await launchChromium();
  reference = await c.staff.createRequest(401, { supportType: 'educational' });
  await c.staff.createRequest(402, { facility: 'deportation_center' });
  await c.staff.createRequest(403);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await c?.close();
});

async function session(roles: Parameters<ConsoleHarness['staff']['createStaff']>[0], width = 1280): Promise<Page> {
  const who = await c.staff.createStaff(roles, { name: 'سارة الباحثة' });
  const context = await browser.newContext({ viewport: { width, height: 900 }, locale: 'ar-SA' });
  const { page, problems } = await watchedPage(context);
  await logInThroughPage(page, base, who);
  (page as Page & { problems?: string[] }).problems = problems;
  return page;
}

it('searches by a reference typed in Arabic-Indic digits, and shows a search it cannot read as an error, not as old results', async () => {
  const page = await session(['researcher']);
  await page.goto(`${base}/staff/cases`);
  const sequence = String(Number(reference.split('-')[2]));
  await page.fill('input[name=reference]', sequence.replace(/\d/g, (d) => '٠١٢٣٤٥٦٧٨٩'[Number(d)] as string));
  await Promise.all([page.waitForURL(/reference=/), page.click('form.filters button[type=submit]')]);
  await page.waitForSelector(`#case-results a[href="/staff/cases/${reference}"]`);
  await page.fill('input[name=reference]', 'طلبي');
  await page.click('form.filters button[type=submit]');
  // The 400 answer is swapped in: the error is shown and the earlier result is gone.
  await page.waitForSelector('#case-results .notice.error');
  expect(await page.locator(`#case-results a[href="/staff/cases/${reference}"]`).count()).toBe(0);
  expect((page as Page & { problems?: string[] }).problems?.filter((p) => !p.includes('400'))).toEqual([]);
}, 60_000);

it('lets a researcher reveal an ID for a reason, which an admin then sees in the audit log', async () => {
  const page = await session(['researcher']);
  await page.goto(`${base}/staff/cases`);
  await Promise.all([page.waitForURL(`${base}/staff/cases/${reference}`), page.click(`a[href="/staff/cases/${reference}"]`)]);
  expect(await page.textContent('main')).not.toContain(makeNationalId(401));
  await page.click('details.reveal summary');
  await page.fill('#reveal-reason', 'مطابقة الهوية مع ملف الأسرة');
  await Promise.all([page.waitForLoadState('load'), page.click('details.reveal button[type=submit]')]);
  expect(await page.textContent('.value-once')).toBe(makeNationalId(401));

  const admin = await session(['admin']);
  await admin.goto(`${base}/staff/audit?action=personal-data-revealed`);
  const row = await admin.textContent('table.audit tbody');
  // The field in words (the audit page's details column), not its code.
  expect(row).toContain('رقم الهوية');
  expect(row).not.toContain('nationalId');
  expect(row).toContain(reference);
}, 120_000);

it('moves a request through the workflow: researcher to committee, committee member accepts', async () => {
  const researcher = await session(['researcher']);
  for (const to of ['social_research', 'committee']) {
    await researcher.goto(`${base}/staff/cases/${reference}`);
    await researcher.check(`input[name=status][value=${to}]`);
    await Promise.all([researcher.waitForURL(`${base}/staff/cases/${reference}?done=status`), researcher.click('section[aria-labelledby=status-h] button[type=submit]')]);
  }
  expect(await researcher.textContent('main')).toContain('لا يوجد تغيير للحالة متاح لك الآن');
  const committee = await session(['committee']);
  await committee.goto(`${base}/staff/cases/${reference}`);
  await committee.check('input[name=status][value=accepted]');
  await Promise.all([committee.waitForURL(`${base}/staff/cases/${reference}?done=status`), committee.click('section[aria-labelledby=status-h] button[type=submit]')]);
  expect(await committee.textContent('dl.fields .badge')).toBe('مقبول');
  const told = (await c.staff.followUps.scheduled.ofCase(reference)).filter((r) => r.kind === 'status');
  expect(told).toHaveLength(3);
}, 120_000);

it('keeps an agent out of the admin pages and the tasks', async () => {
  const agent = await session(['agent']);
  for (const path of ['/staff/audit', '/staff/staff', '/staff/channels', '/staff/tasks']) {
    const response = await agent.goto(`${base}${path}`);
    expect([path, response?.status()]).toEqual([path, 403]);
  }
  expect(await agent.locator('nav.sections a[href="/staff/audit"]').count()).toBe(0);
}, 60_000);

it('is right-to-left on first paint and fits a 390 px phone; screenshots', async () => {
  for (const width of [1280, 390]) {
    const page = await session(['researcher', 'committee', 'supervisor'], width);
    for (const [name, path] of [
      ['cases', '/staff/cases'],
      ['case', `/staff/cases/${reference}`],
    ] as const) {
      expect(await firstPaint(page, `${base}${path}`)).toEqual({ lang: 'ar', dir: 'rtl' });
      expect([path, width, await scrollWidth(page)]).toEqual([path, width, width]);
      await page.screenshot({ path: join(SCREENSHOTS, `${name}-ar-${width}.png`), fullPage: true });
    }
    expect((page as Page & { problems?: string[] }).problems).toEqual([]);
  }
}, 120_000);
