import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { WebChatModule } from '../../src/channels/web/web.module';
import { launchChromium } from '../support/chromium';
import { t } from '../support/engine-setup';
import { makeNationalId } from '../support/fixtures';
import { startWebChat, type WebChatRun } from '../support/web-chat';

/**
 * The web chat in real headless Chromium (Debian's, driven by playwright-core) against the real
 * pipeline: fastify on a loopback port, WebSocket, Redis live bus, BullMQ workers, engine, MongoDB.
 */

const SCREENSHOTS = join(__dirname, '..', '..', '.local', 'screenshots');
const XSS = '<img src=x onerror=alert(1)>';
const PHONE = { width: 390, height: 844 };

let chat: WebChatRun;
let web: WebChatModule;
let browser: Browser;
let baseUrl: string;

beforeAll(async () => {
  browser = await launchChromium();
  chat = await startWebChat('webchat', randomBytes(32).toString('base64'));
  ({ web } = chat);
  baseUrl = `http://127.0.0.1:${chat.port}`;
  mkdirSync(SCREENSHOTS, { recursive: true });
}, 600_000); // the first run on a fresh machine installs Chromium

afterAll(async () => {
  await browser?.close();
  await chat?.close();
});

/** A phone-sized page that records dialogs, script errors and CSP violations, which must never happen. */
async function openChat(viewport = PHONE): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
  const context = await browser.newContext({ viewport, locale: 'ar-SA' });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  const problems: string[] = [];
  page.on('dialog', (dialog) => {
    problems.push(`dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  await page.goto(baseUrl);
  return { context, page, problems };
}

const firstLine = (text: string): string => text.split('\n')[0] ?? text;
const botCount = (page: Page): Promise<number> => page.locator('.msg.bot').count();

/** Types a message and presses Enter, as a visitor does. */
async function say(page: Page, text: string): Promise<void> {
  await page.locator('#text').fill(text);
  await page.locator('#text').press('Enter');
  await page.locator('.msg.user', { hasText: text }).last().waitFor();
}

async function botSays(page: Page, text: string): Promise<void> {
  await page.locator('.msg.bot', { hasText: firstLine(text) }).last().waitFor();
}

/** Clicks the option button with this label; the visitor's bubble must show the label. */
async function choose(page: Page, label: string): Promise<void> {
  await page.locator('.options').getByRole('button', { name: label, exact: true }).click();
  await page.locator('.msg.user', { hasText: label }).last().waitFor();
}

/** Waits until the page shows more than `than` bot bubbles. */
async function waitForMoreBotBubbles(page: Page, than: number): Promise<void> {
  await page.locator('.msg.bot').nth(than).waitFor();
}

describe('web chat in headless Chromium (real pipeline, WebSocket, Redis live bus)', () => {
  it('greets, files a request by buttons and typing, keeps it over a reload, answers its status, and switches to English by the language button', async () => {
    const { context, page, problems } = await openChat();
    expect(await page.locator('html').getAttribute('dir')).toBe('rtl');
    expect(await page.locator('html').getAttribute('lang')).toBe('ar');

    await say(page, 'السلام عليكم');
    await botSays(page, t('ar', 'answers.welcome'));
    await choose(page, t('ar', 'menu.items.request_new'));
    expect(await page.locator('.msg.user').last().textContent()).not.toContain('intent:request_new');
    await botSays(page, t('ar', 'request.ask.applicantName'));
    await say(page, 'فاطمة أحمد الزهراني');
    await botSays(page, t('ar', 'request.ask.nationalId'));
    await say(page, makeNationalId(8801));
    await botSays(page, t('ar', 'request.ask.phone'));
    await say(page, '0501234567');
    await botSays(page, t('ar', 'request.ask.relation'));
    await page.locator('.options button').first().waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'web-chat-ar.png') });
    await choose(page, t('ar', 'request.relation.spouse'));
    await botSays(page, t('ar', 'request.ask.inmateName'));
    await say(page, 'محمد علي الزهراني');
    await choose(page, t('ar', 'request.facility.dammam_general'));
    await choose(page, t('ar', 'request.support_type.financial'));
    await botSays(page, t('ar', 'request.ask.description'));
    // The description comes back in the summary: the bot's bubble must show it as text, not HTML.
    await say(page, `نحتاج مساعدة في إيجار البيت ${XSS} ومصاريف المدارس للأطفال`);
    await page.locator('.msg.bot', { hasText: XSS }).waitFor();
    await choose(page, t('ar', 'request.summary_confirm'));
    await choose(page, t('ar', 'request.attest_confirm'));
    const submitted = page.locator('.msg.bot', { hasText: /BSR-\d{4}-\d{5}/ });
    await submitted.waitFor();
    const reference = /BSR-\d{4}-\d{5}/.exec((await submitted.textContent()) ?? '')?.[0] as string;
    expect(reference).toBeDefined();

    await page.reload();
    await page.locator('.msg.bot', { hasText: reference }).waitFor();
    expect(await page.locator('.msg.user', { hasText: t('ar', 'menu.items.request_new') }).count()).toBe(1);
    expect(await page.locator('.msg.bot', { hasText: XSS }).count()).toBe(1);
    const before = await page.locator('.msg.bot', { hasText: reference }).count();
    await say(page, 'وين وصل طلبي');
    await page.locator('.msg.bot', { hasText: reference }).nth(before).waitFor();

    // The header's language button asks the engine for its language menu (a platform command).
    await page.locator('#language').click();
    await botSays(page, t('ar', 'language.choose'));
    await choose(page, 'English');
    await botSays(page, t('en', 'language.switched'));
    await page.locator('html[dir="ltr"][lang="en"]').waitFor({ state: 'attached' });
    await page.locator('#send', { hasText: t('en', 'web:send') }).waitFor();
    await page.locator('.options button').first().waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'web-chat-en.png') });

    expect(await page.locator('img').count()).toBe(0);
    expect(problems).toEqual([]);
    await context.close();
  }, 120_000);

  it('shows a banner when the server drops the socket, reconnects, and still delivers a message typed meanwhile', async () => {
    const { context, page, problems } = await openChat({ width: 360, height: 740 });
    await say(page, 'السلام عليكم');
    await botSays(page, t('ar', 'answers.welcome'));
    await page.locator('.options button').first().waitFor();
    // Mobile-first: nothing sticks out sideways at 360 px.
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(360);

    const banner = page.locator('#banner');
    const shown = banner.waitFor({ state: 'visible' });
    expect(web.dropConnections()).toBeGreaterThan(0);
    await shown;
    expect(await page.locator('#banner-text').textContent()).toBe(t('ar', 'web:status.reconnecting'));

    const bots = await botCount(page);
    await say(page, XSS);
    await banner.waitFor({ state: 'hidden' });
    await page.locator('.msg.user.pending').waitFor({ state: 'detached' });
    await waitForMoreBotBubbles(page, bots);
    expect(await page.locator('.msg.user', { hasText: XSS }).count()).toBe(1);
    expect(await page.locator('img').count()).toBe(0);
    expect(problems).toEqual([]);
    await context.close();
  }, 60_000);

  it('widget.js on another site opens the chat in an iframe that works', async () => {
    const context = await browser.newContext({ viewport: PHONE });
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    // The partner site: a page of its own server, on `localhost` (another site than the bot's 127.0.0.1,
    // so the chat runs cross-site) but on loopback too, since Chromium refuses loopback scripts to
    // public pages (Private Network Access), which real, public sites never meet.
    const hostPage = `<!doctype html><html lang="en"><head><title>Partner</title></head><body><h1>Partner site</h1><script src="${baseUrl}/widget.js" defer></script></body></html>`;
    const partner = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(hostPage));
    await new Promise<void>((resolve) => partner.listen(0, '127.0.0.1', resolve));
    await page.goto(`http://localhost:${(partner.address() as AddressInfo).port}/`);

    await page.getByRole('button', { name: t('en', 'web:widget.open') }).click();
    const chat = page.frameLocator('#basirah-chat-frame');
    await chat.locator('html[lang="en"][dir="ltr"]').waitFor({ state: 'attached' });
    await chat.locator('#text').fill('Hello');
    await chat.locator('#text').press('Enter');
    await chat.locator('.msg.bot', { hasText: firstLine(t('en', 'answers.welcome')) }).waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'web-chat-widget.png') });

    await page.getByRole('button', { name: t('en', 'web:widget.close') }).click();
    await page.locator('#basirah-chat-frame').waitFor({ state: 'hidden' });
    await context.close();
    await new Promise((resolve) => partner.close(resolve));
  }, 60_000);
});
