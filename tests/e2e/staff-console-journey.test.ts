import type { Browser, Page } from 'playwright-core';
import { maskNationalId } from '../../src/domain/national-id';
import { launchChromium } from '../support/chromium';
import type { ConsoleHarness } from '../support/console';
import { firstPaint, htmlTagOf, logInThroughPage, shootWidths, submitLogIn, watchedPage } from '../support/console-browser';
import { t } from '../support/engine-setup';
import { makeTelegramUpdate, type FakeMessage, type FakeTelegramApi, type RecordedCall } from '../support/fake-telegram-api';
import { makeNationalId } from '../support/fixtures';
import { chatOf, telegramBeneficiaries, type TelegramBeneficiaries } from '../support/inbox-chat';
import { startTelegramConsole, type TelegramConsole } from '../support/telegram-console';

/**
 * The whole staff-console journey in one browser, in order, as people act: the agent logs in and
 * opens the inbox; a beneficiary on Telegram (fake Bot API) starts a request, typing answers in
 * words, and halfway asks for a person; the chat appears in the open inbox by itself; the agent
 * claims it, reads the history, types a reply (delivered once), and returns the chat to the bot;
 * the beneficiary continues at the same step and submits; a researcher finds the request by its
 * reference and moves it on, a committee member rejects it with a reason (the beneficiary told at
 * each step); the researcher reveals the national ID for a reason and the admin sees it in the
 * audit log; the agent is kept out of the admin pages. Arabic right-to-left on first paint, no
 * sideways scrolling at 390 px, screenshots bench/results/console-screenshots/journey-*.png.
 * Everything staff do goes through the pages; only the accounts are made directly.
 */

const CHAT = 7401;
const NATIONAL_ID = makeNationalId(7401);
const REPLY = 'أهلًا أم خالد، معك سارة من الجمعية. أكملي طلبك مع المساعد الآلي من حيث وقفتِ، وأنا أتابعه معك إن شاء الله.';
const REJECTION = 'لم تكتمل شروط الدعم المالي لهذه الدورة، ويمكن التقديم في الدورة القادمة';
const REVEAL_REASON = 'مطابقة رقم الهوية مع ملف الأسرة قبل الزيارة المنزلية';

let world: TelegramConsole;
let api: FakeTelegramApi;
let c: ConsoleHarness;
let base: string;
let browser: Browser;
let person: TelegramBeneficiaries;

beforeAll(async () => {
  // The dashboard counts what the database holds: the request this journey files.
  world = await startTelegramConsole('journey-e2e', { eventStreamMaxMs: 60_000, databaseCounts: true });
  ({ api, c, base } = world);
  browser = await launchChromium();
  tick();
  person = telegramBeneficiaries(api, world.run, tick);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await world?.close();
});

/**
 * Both hand-moved clocks follow the wall clock: Telegram dates the person's messages with the real
 * time, the transcript orders them with the staff's, and sessions and audit entries are dated by
 * the staff clock.
 */
function tick(): void {
  const now = new Date();
  world.run.env.clock.set(now);
  c.staff.clock.set(now);
}

const arabicDigits = (s: string): string => s.replace(/[0-9]/g, (d) => String.fromCharCode(0x0660 + Number(d)));
const buttonsOf = (call: RecordedCall): string[] => ((call.params.reply_markup as FakeMessage['reply_markup'])?.inline_keyboard ?? []).flat().map((b) => b.callback_data ?? '');
const textOf = (call: RecordedCall): string => String(call.params.text);
/** What the bot sent the person after call number `mark`. */
const sentSince = (mark: number): string[] => api.calls('sendMessage').filter((call) => call.seq > mark && call.status === 200 && chatOf(call) === CHAT).map(textOf);
const ui = (key: string, params?: Record<string, string | number>): string => t('ar', `console:${key}`, params);

/** Runs one step of the story; a failure names the step. */
async function step(name: string, run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (error) {
    if (error instanceof Error) {
      const message = error.message;
      error.message = `[${name}] ${message}`;
      if (error.stack !== undefined && !error.stack.includes(error.message)) error.stack = error.stack.replace(message, error.message);
    }
    throw error;
  }
}

/** Waits for the status news of `reference` telling `status`, sent after call `mark`; returns it. */
function statusNews(mark: number, reference: string, status: string): Promise<RecordedCall> {
  return api.waitForCall('sendMessage', (call) => call.seq > mark && chatOf(call) === CHAT && textOf(call).includes(t('ar', 'followups.status_header', { reference })) && textOf(call).includes(t('ar', `status.explain.${status}`)));
}

/** On a case page: chooses `to` in the status form (with a note when given) and submits it. */
async function changeStatus(page: Page, reference: string, to: string, note?: string): Promise<void> {
  await page.check(`input[name=status][value=${to}]`);
  if (note !== undefined) await page.fill('#status-note', note);
  await Promise.all([page.waitForURL(`${base}/staff/cases/${reference}?done=status`), page.click('section[aria-labelledby=status-h] button[type=submit]')]);
  expect(await page.textContent('dl.fields .badge')).toBe(ui(`request_status.${to}`));
  expect(await page.textContent('[role=status]')).toBe(ui('case.done.status'));
}

it('takes a beneficiary from the bot to an agent and back, then through case review, with the audit and the roles holding', async () => {
  const timings: Record<string, number> = {};
  const problems: Record<string, string[]> = {};
  let reference = '';

  // 1. Staff accounts (made directly: the only setup that skips the pages).
  const agent = await c.staff.createStaff(['agent'], { name: 'سارة القحطاني' });
  const researcher = await c.staff.createStaff(['researcher'], { name: 'منيرة الدوسري' });
  const committee = await c.staff.createStaff(['committee'], { name: 'عبدالله الشهري' });
  const admin = await c.staff.createStaff(['admin'], { name: 'نورة العتيبي' });

  // 2. The agent logs in (a browser set to English: the console is Arabic by default) and opens the inbox.
  const agentContext = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
  const { page: inbox, problems: agentProblems } = await watchedPage(agentContext);
  problems.agent = agentProblems;
  await step('2. agent logs in and opens the inbox', async () => {
    expect(await firstPaint(inbox, `${base}/staff/login`)).toEqual({ lang: 'ar', dir: 'rtl' });
    await submitLogIn(inbox, base, agent);
    const [response] = await Promise.all([inbox.waitForResponse(`${base}/staff/inbox`), inbox.click('nav.sections a[href="/staff/inbox"]')]);
    expect(htmlTagOf(await response.text())).toEqual({ lang: 'ar', dir: 'rtl' });
    await inbox.waitForURL(`${base}/staff/inbox`);
    expect(await inbox.textContent('#inbox-empty')).toBe(ui('inbox.empty'));
    await inbox.waitForSelector('[data-events][data-stream="open"]');
    await inbox.evaluate("document.body.setAttribute('data-marker', 'same-document')");
  });

  // 3. The beneficiary starts a request, answering in words, and halfway asks for a person.
  await step('3. handoff appears live in the open inbox', async () => {
    await person.type(CHAT, 'السلام عليكم، أبغى أقدم طلب دعم', t('ar', 'request.ask.applicantName'));
    await person.type(CHAT, 'فاطمة أحمد الزهراني', t('ar', 'request.ask.nationalId'));
    await person.type(CHAT, arabicDigits(NATIONAL_ID), t('ar', 'request.ask.phone'));
    await person.type(CHAT, '٠٥٥ ١٢٣ ٤٥٦٧', t('ar', 'request.ask.relation'));
    await person.type(CHAT, 'زوجي', t('ar', 'request.ask.inmateName'));
    expect(await inbox.locator('li.card.handoff').count()).toBe(0);

    const mark = api.calls().length;
    tick();
    const sentAt = performance.now();
    api.injectUpdate(makeTelegramUpdate.text(CHAT, 'أريد التحدث مع شخص'));
    const visible = inbox.waitForSelector('li.card.handoff', { timeout: 15_000 }).then(() => performance.now());
    const answered = api.waitForCall('sendMessage', (call) => call.seq > mark && chatOf(call) === CHAT && textOf(call).includes(t('ar', 'handoff.opened'))).then(() => performance.now());
    const [visibleAt, answeredAt] = await Promise.all([visible, answered]);
    timings.beneficiaryMessageToBotAnswerMs = Math.round(answeredAt - sentAt);
    timings.beneficiaryMessageToInboxVisibleMs = Math.round(visibleAt - sentAt);
    console.log(`journey: beneficiary's «أريد التحدث مع شخص» → visible in the open inbox page ${timings.beneficiaryMessageToInboxVisibleMs} ms (the bot's answer at the fake Bot API: ${timings.beneficiaryMessageToBotAnswerMs} ms)`);
    expect(await inbox.getAttribute('body', 'data-marker')).toBe('same-document');
    const card = (await inbox.textContent('li.card.handoff.unclaimed')) ?? '';
    for (const fact of [ui('inbox.reasons.requested'), ui('language.name_ar'), ui('channel.telegram'), ui('inbox.unclaimed'), ui('inbox.no_request')]) expect(card).toContain(fact);
    await shootWidths(inbox, (width) => `journey-inbox-${width}.png`);
  });

  // 4. The agent opens the chat, reads the history, claims it and types a reply; it reaches Telegram once.
  const staffText = `${t('ar', 'handoff.staff_label')}\n${REPLY}`;
  await step('4. claim, history, reply delivered once', async () => {
    await Promise.all([inbox.waitForURL(/\/staff\/inbox\/[0-9a-f-]{36}$/), inbox.click('li.card.handoff a')]);
    expect(inbox.url()).toBe(`${base}/staff/inbox/${await person.handoffOf(CHAT)}`);
    const history = (await inbox.textContent('#handoff-transcript')) ?? '';
    for (const said of ['السلام عليكم، أبغى أقدم طلب دعم', 'فاطمة أحمد الزهراني', 'زوجي', 'أريد التحدث مع شخص']) expect(history).toContain(said);
    for (const asked of ['request.ask.applicantName', 'request.ask.relation', 'request.ask.inmateName']) expect(history).toContain(t('ar', asked));
    // The national ID the person typed is masked in the transcript.
    expect(history).not.toContain(arabicDigits(NATIONAL_ID));
    expect(history).toContain(arabicDigits(NATIONAL_ID).slice(-4));
    expect(await inbox.locator('#reply-text').count()).toBe(0);
    expect(await inbox.textContent('#handoff-state')).toContain(ui('inbox.claim_to_reply'));

    tick();
    await Promise.all([inbox.waitForURL(/done=claimed/), inbox.click('form[action$="/claim"] button')]);
    expect(await inbox.textContent('[role=status]')).toBe(ui('inbox.done.claimed'));
    expect(await inbox.textContent('#handoff-state')).toContain('سارة القحطاني');
    await inbox.locator('#reply-text').pressSequentially(REPLY);
    tick();
    const mark = api.calls().length;
    const clickedAt = performance.now();
    await Promise.all([inbox.waitForURL(/done=replied/), inbox.click('form[action$="/reply"] button[type=submit]')]);
    await api.waitForCall('sendMessage', (call) => call.seq > mark && chatOf(call) === CHAT && textOf(call) === staffText);
    timings.replyClickToBotApiMs = Math.round(performance.now() - clickedAt);
    expect(await inbox.textContent('[role=status]')).toBe(ui('inbox.done.replied'));
    // The page it comes back to shows the reply, before the send worker has logged it.
    await inbox.waitForSelector(`#handoff-transcript .from-staff:has-text("${REPLY.slice(0, 20)}")`, { timeout: 5_000 });

    // The person answers; it appears in the open conversation by itself.
    await inbox.waitForSelector('[data-events][data-stream="open"]');
    await inbox.evaluate("document.body.setAttribute('data-marker', 'same-document')");
    await person.type(CHAT, 'الله يعطيك العافية، طيب وش الأوراق اللي أجهزها بعدين؟', t('ar', 'handoff.ack'));
    await inbox.waitForSelector('#handoff-transcript .from-beneficiary:has-text("وش الأوراق")', { timeout: 15_000 });
    expect(await inbox.getAttribute('body', 'data-marker')).toBe('same-document');
    await shootWidths(inbox, (width) => `journey-conversation-${width}.png`);
    expect(api.sentTexts(CHAT).filter((s) => s === staffText)).toHaveLength(1);
  });

  // 5. Back to the bot: the person is told, asked the step they were at, continues from there and submits.
  await step('5. return to the bot at the same step, then submit', async () => {
    tick();
    const mark = api.calls().length;
    await Promise.all([inbox.waitForURL(`${base}/staff/inbox?done=returned`), inbox.click('form[action$="/return-to-bot"] button')]);
    expect(await inbox.textContent('[role=status]')).toBe(ui('inbox.done.returned'));
    expect(await inbox.textContent('#inbox-empty')).toBe(ui('inbox.empty'));
    await api.waitForCall('sendMessage', (call) => call.seq > mark && chatOf(call) === CHAT && textOf(call).includes(t('ar', 'request.ask.inmateName')));
    const told = sentSince(mark).join('\n');
    expect(told).toContain(t('ar', 'handoff.returned'));
    expect(told.indexOf(t('ar', 'handoff.returned'))).toBeLessThan(told.indexOf(t('ar', 'request.ask.inmateName')));

    const before = api.calls().length;
    const next = await person.type(CHAT, 'خالد محمد الزهراني', t('ar', 'request.ask.facility'));
    // The very next question is the one after the inmate's name: nothing asked again, nothing skipped.
    const between = sentSince(before).slice(0, sentSince(before).indexOf(textOf(next)) + 1);
    for (const earlier of ['request.ask.applicantName', 'request.ask.nationalId', 'request.ask.phone', 'request.ask.relation', 'request.ask.inmateName']) {
      expect(between.join('\n')).not.toContain(t('ar', earlier));
    }
    await person.type(CHAT, 'سجن الدمام العام', t('ar', 'request.ask.supportType'));
    await person.type(CHAT, 'مساعدة مالية', t('ar', 'request.ask.description'));
    const beforeSummary = api.calls().length;
    tick();
    api.injectUpdate(makeTelegramUpdate.text(CHAT, 'زوجي موقوف من ستة أشهر، وعلينا إيجار البيت متأخر ومصاريف مدارس الأولاد'));
    const summary = await api.waitForCall('sendMessage', (call) => call.seq > beforeSummary && chatOf(call) === CHAT && buttonsOf(call).includes('summary:confirm'));
    expect(textOf(summary)).toContain('خالد محمد الزهراني');
    await person.type(CHAT, 'كلها صح', t('ar', 'request.attest_text'));
    const done = await person.type(CHAT, 'أقر', 'BSR-');
    reference = /BSR-\d{4}-\d{5,7}/.exec(textOf(done))?.[0] ?? '';
    expect(textOf(done)).toContain(t('ar', 'request.submitted', { reference }));
    expect(api.sentTexts(CHAT).filter((s) => s === staffText)).toHaveLength(1);
  });

  // 6. A researcher finds the request by its reference and moves it on; a committee member rejects it with a reason.
  const researcherContext = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'ar-SA' });
  const { page: research, problems: researcherProblems } = await watchedPage(researcherContext);
  problems.researcher = researcherProblems;
  await step('6. case review through the workflow, the beneficiary told each time', async () => {
    await logInThroughPage(research, base, researcher);
    await Promise.all([research.waitForURL(`${base}/staff/cases`), research.click('nav.sections a[href="/staff/cases"]')]);
    await research.evaluate("document.body.setAttribute('data-marker', 'same-document')");
    await research.fill('input[name=reference]', reference);
    await Promise.all([research.waitForURL(/reference=BSR-/), research.click('form.filters button[type=submit]')]);
    await research.waitForSelector(`#case-results a[href="/staff/cases/${reference}"]`);
    expect(await research.locator('#case-results li.card').count()).toBe(1);
    expect(await research.getAttribute('body', 'data-marker')).toBe('same-document');
    const card = (await research.textContent('#case-results li.card')) ?? '';
    expect(card).toContain(ui('request_status.submitted'));
    expect(card).toContain(maskNationalId(NATIONAL_ID));
    await Promise.all([research.waitForURL(`${base}/staff/cases/${reference}`), research.click(`#case-results a[href="/staff/cases/${reference}"]`)]);
    expect(await research.textContent('main')).not.toContain(NATIONAL_ID);
    expect(await research.textContent('dl.fields')).toContain('فاطمة أحمد الزهراني');

    for (const to of ['social_research', 'committee']) {
      tick();
      const mark = api.calls().length;
      const clickedAt = performance.now();
      await changeStatus(research, reference, to);
      const news = await statusNews(mark, reference, to);
      timings[`statusChangeToBeneficiary_${to}_Ms`] = Math.round(performance.now() - clickedAt);
      expect(textOf(news)).toContain(t('ar', `followups.next.${to}`));
    }
    expect(await research.textContent('section[aria-labelledby=status-h]')).toContain(ui('case.no_transitions'));

    const committeeContext = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'ar-SA' });
    const { page: decide, problems: committeeProblems } = await watchedPage(committeeContext);
    await logInThroughPage(decide, base, committee);
    await Promise.all([decide.waitForURL(`${base}/staff/cases`), decide.click('nav.sections a[href="/staff/cases"]')]);
    await decide.selectOption('select[name=status]', 'committee');
    await Promise.all([decide.waitForURL(/status=committee/), decide.click('form.filters button[type=submit]')]);
    await decide.waitForSelector(`#case-results a[href="/staff/cases/${reference}"]`);
    await Promise.all([decide.waitForURL(`${base}/staff/cases/${reference}`), decide.click(`#case-results a[href="/staff/cases/${reference}"]`)]);
    // Rejecting needs the reason, which the beneficiary is told: sent without one, the form comes back refused.
    await decide.check('input[name=status][value=rejected]');
    const refused = await Promise.all([decide.waitForResponse((r) => r.url() === `${base}/staff/cases/${reference}/status`), decide.click('section[aria-labelledby=status-h] button[type=submit]')]);
    expect(refused[0].status()).toBe(400);
    expect(await decide.textContent('[role=alert]')).toBe(ui('case.errors.note-required'));
    // Chromium reports the refused post as a failed load: the one error this page is expected to have.
    expect(committeeProblems.splice(0)).toEqual([expect.stringContaining('status of 400')]);
    tick();
    const mark = api.calls().length;
    const clickedAt = performance.now();
    await changeStatus(decide, reference, 'rejected', REJECTION);
    const news = await statusNews(mark, reference, 'rejected');
    timings.statusChangeToBeneficiary_rejected_Ms = Math.round(performance.now() - clickedAt);
    expect(textOf(news)).toContain(t('ar', 'status.note.rejected', { note: REJECTION }));
    expect(await decide.textContent('dl.fields')).toContain(REJECTION);
    expect(committeeProblems).toEqual([]);
    await committeeContext.close();
  });

  // 7. The researcher reveals the national ID for a reason; the admin sees who, what and why in the audit log.
  const adminContext = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'ar-SA' });
  const { page: audit, problems: adminProblems } = await watchedPage(adminContext);
  problems.admin = adminProblems;
  await step('7. reveal for a reason, seen in the audit log; the dashboard', async () => {
    await research.goto(`${base}/staff/cases/${reference}`);
    await research.click('details.reveal summary');
    await research.fill('#reveal-reason', REVEAL_REASON);
    await Promise.all([research.waitForResponse((r) => r.url() === `${base}/staff/cases/${reference}/reveal` && r.status() === 200), research.click('details.reveal button[type=submit]')]);
    expect(await research.textContent('.value-once')).toBe(NATIONAL_ID);
    // Shown once: the next view of the case has it masked again.
    await research.goto(`${base}/staff/cases/${reference}`);
    expect(await research.locator('.value-once').count()).toBe(0);
    expect(await research.textContent('main')).not.toContain(NATIONAL_ID);

    await logInThroughPage(audit, base, admin);
    await Promise.all([audit.waitForURL(`${base}/staff/audit`), audit.click('nav.sections a[href="/staff/audit"]')]);
    await audit.selectOption('select[name=action]', 'personal-data-revealed');
    await Promise.all([audit.waitForURL(/action=personal-data-revealed/), audit.click('form.filters button[type=submit]')]);
    await audit.waitForSelector('#audit-results table.audit tbody tr');
    expect(await audit.locator('#audit-results table.audit tbody tr').count()).toBe(1);
    const row = await audit.$$eval('#audit-results table.audit tbody td', (cells) => cells.map((td) => (td.textContent ?? '').trim()));
    expect(row).toEqual(expect.arrayContaining([ui('audit_action.personal-data-revealed'), 'منيرة الدوسري', reference, ui('case.field.nationalId'), REVEAL_REASON]));

    await Promise.all([audit.waitForURL(`${base}/staff/dashboard`), audit.click('nav.sections a[href="/staff/dashboard"]')]);
    await audit.waitForFunction("document.querySelectorAll('canvas').length >= 2 && Array.from(document.querySelectorAll('canvas')).every((el) => el.width > 0)");
    expect(await audit.textContent('.figure .value')).toBe('1');
    // The chart's numbers, as the table under it gives them: the one request, rejected.
    const cellsOf = (selector: string): Promise<string[]> => audit.$$eval(selector, (cells) => cells.map((cell) => (cell.textContent ?? '').trim()));
    const [statuses, numbers] = await Promise.all([cellsOf('figure:has(#chart-status) tbody th'), cellsOf('figure:has(#chart-status) tbody td')]);
    expect(statuses.map((s, i) => [s, numbers[i]]).filter(([, n]) => n !== '0')).toEqual([[ui('request_status.rejected'), '1']]);
    await shootWidths(audit, (width) => `journey-dashboard-${width}.png`);
  });

  // 8. The agent cannot reach the admin pages, and the navigation does not offer them.
  expect(problems).toEqual({ agent: [], researcher: [], admin: [] });
  await step('8. the agent is kept out of the admin pages', async () => {
    await inbox.goto(`${base}/staff/dashboard`);
    const links = await inbox.$$eval('nav.sections a', (as) => as.map((a) => a.getAttribute('href')));
    expect(links).toEqual(['/staff/inbox', '/staff/cases', '/staff/dashboard']);
    for (const path of ['/staff/staff', '/staff/audit', '/staff/channels']) {
      const response = await inbox.goto(`${base}${path}`);
      expect([path, response?.status()]).toEqual([path, 403]);
      expect(htmlTagOf((await response?.text()) ?? '')).toEqual({ lang: 'ar', dir: 'rtl' });
      expect([path, await inbox.textContent('[role=alert]')]).toEqual([path, ui('errors.forbidden-role')]);
      expect(await inbox.locator('nav.sections').count()).toBe(0);
    }
  });

  console.log(`journey timings (ms): ${JSON.stringify(timings)}`);
  await Promise.all([agentContext.close(), researcherContext.close(), adminContext.close()]);
}, 300_000);
