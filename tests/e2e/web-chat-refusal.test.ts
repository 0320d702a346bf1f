import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import type { InboundSink } from '../../src/channels/channel';
import { InProcessWebLiveBus } from '../../src/channels/web/web.live';
import { createWebChatModule } from '../../src/channels/web/web.module';
import type { InboundMessage } from '../../src/domain/messages';
import { buildApp } from '../../src/http/app';
import { createLogger } from '../../src/logging/logger';
import { launchChromium } from '../support/chromium';
import { t } from '../support/engine-setup';
import { RefusingSink } from '../support/refusing-sink';
import { I18nTranslator } from '../../src/i18n/translator';
import { LOCALES_DIR } from '../../src/nlu/training-data';

/**
 * What a visitor sees when a message is not taken in, in real headless Chromium: the page keeps
 * the message, says why in the page's language, and sends it again by itself after the wait the
 * server gave; a session over its socket cap is told so instead of reconnecting in a loop.
 */

const stored: InboundMessage[] = [];
const store: InboundSink = { accept: async (m) => (stored.push(m), 'accepted') };
const sink = new RefusingSink(() => store);
let browser: Browser;
let app: FastifyInstance;
let baseUrl: string;

beforeAll(async () => {
  browser = await launchChromium();
  const web = createWebChatModule({
    sink,
    translator: I18nTranslator.load(LOCALES_DIR),
    logger: createLogger('silent'),
    sessionSecret: randomBytes(32).toString('base64'),
    history: async () => [],
    live: new InProcessWebLiveBus(),
    secureCookies: false,
    socketCaps: { socketsPerSession: 1, socketsPerIp: 40 },
  });
  app = await buildApp({ ready: async () => ({ mongo: 'ok', redis: 'ok', channels: [] }), plugins: [web.httpPlugin], logger: false });
  await app.listen({ host: '127.0.0.1', port: 0 });
  baseUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

async function openPage(lng: 'ar' | 'en'): Promise<Page> {
  const context = await browser.newContext({ locale: lng === 'ar' ? 'ar-SA' : 'en-GB' });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  await page.goto(`${baseUrl}/?lng=${lng}`);
  await page.locator('#banner').waitFor({ state: 'hidden' });
  return page;
}

it('keeps a refused message, explains it in the page language, and sends it again by itself after the wait', async () => {
  const page = await openPage('ar');
  const text = 'ابي اقدم طلب دعم';
  sink.refuse((m) => m.text === text, 1, { reason: 'backlog', retryAfterMs: 1500 });
  await page.locator('#text').fill(text);
  await page.locator('#text').press('Enter');

  const failure = page.locator('.failure');
  await failure.waitFor();
  expect(await failure.locator('span').textContent()).toBe(t('ar', 'web:errors.backlog'));
  expect(await failure.getByRole('button').textContent()).toBe(t('ar', 'web:message.retry'));
  await page.locator('.msg.user.failed', { hasText: text }).waitFor();

  // After the 1.5 s the server asked for, the page resends it (same client id) and it is stored once.
  await failure.waitFor({ state: 'detached' });
  await page.locator('.msg.user:not(.failed):not(.pending)', { hasText: text }).waitFor();
  const offers = sink.offers.filter((o) => o.message.text === text);
  expect(offers.map((o) => (typeof o.outcome === 'string' ? o.outcome : o.outcome.reason))).toEqual(['backlog', 'accepted']);
  expect(offers[1]?.message.messageId).toBe(offers[0]?.message.messageId);
  expect(stored.filter((m) => m.text === text)).toHaveLength(1);
  await page.context().close();
}, 60_000);

it('tells a visitor whose chat is open in too many windows, in English, instead of reconnecting in a loop', async () => {
  const first = await openPage('en');
  const second = await first.context().newPage();
  await second.goto(`${baseUrl}/?lng=en`);
  await second.locator('#banner-text', { hasText: t('en', 'web:status.too_many') }).waitFor();
  expect(await second.locator('#retry').isVisible()).toBe(true);
  // The first window still works.
  await first.locator('#text').fill('hello');
  await first.locator('#text').press('Enter');
  await first.locator('.msg.user:not(.pending)', { hasText: 'hello' }).waitFor();
  await first.context().close();
}, 60_000);
