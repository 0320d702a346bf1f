import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';

/** Where the console's e2e tests put their screenshots (committed, and looked at). */
export const SCREENSHOTS = join(__dirname, '..', '..', 'bench', 'results', 'console-screenshots');

export function screenshotsDir(): string {
  mkdirSync(SCREENSHOTS, { recursive: true });
  return SCREENSHOTS;
}

/** A page whose script errors and console errors (CSP violations are reported there) are collected, for the test to assert none. */
export async function watchedPage(context: BrowserContext): Promise<{ page: Page; problems: string[] }> {
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  return { page, problems };
}

/** The <html> element's lang and dir as the server sent them: from the response text, before any script could change them. */
export function htmlTagOf(body: string): { lang: string | null; dir: string | null } {
  const tag = /<html lang="([^"]+)" dir="([^"]+)">/.exec(body);
  return { lang: tag?.[1] ?? null, dir: tag?.[2] ?? null };
}

/** Navigates to `url` and returns the first paint's language and direction (see {@link htmlTagOf}). */
export async function firstPaint(page: Page, url: string): Promise<{ lang: string | null; dir: string | null }> {
  const response = await page.goto(url);
  return htmlTagOf((await response?.text()) ?? '');
}

/** Fills in and sends the log-in form the page shows; the console then shows the dashboard. */
export async function submitLogIn(page: Page, base: string, who: { email: string; password: string }): Promise<void> {
  await page.fill('#email', who.email);
  await page.fill('#password', who.password);
  await Promise.all([page.waitForURL(`${base}/staff/dashboard`), page.click('button[type=submit]')]);
}

/** Logs in through the log-in page as a person does; the console then shows the dashboard. */
export async function logInThroughPage(page: Page, base: string, who: { email: string; password: string }): Promise<void> {
  await page.goto(`${base}/staff/login`);
  await submitLogIn(page, base, who);
}

/** The document's full width: more than the viewport's means the page scrolls sideways. */
export const scrollWidth = (page: Page): Promise<number> => page.evaluate<number>('document.documentElement.scrollWidth');

/**
 * At each width (a laptop, then a 390 px phone): asserts the page does not scroll sideways and
 * takes a full-page screenshot named by `fileOf(width)`; the viewport is then 1280 px again.
 */
export async function shootWidths(page: Page, fileOf: (width: number) => string, widths: readonly number[] = [1280, 390]): Promise<void> {
  screenshotsDir();
  for (const width of widths) {
    await page.setViewportSize({ width, height: width <= 390 ? 844 : 900 });
    const file = fileOf(width);
    expect([file, width, (await scrollWidth(page)) <= width]).toEqual([file, width, true]);
    await page.screenshot({ path: join(SCREENSHOTS, file), fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}
