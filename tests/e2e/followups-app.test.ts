import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanUp } from '../../src/cli/bench/cleanup';
import { withDatabase } from '../../src/cli/bench/raw-mongo';
import type { SatisfactionReport } from '../../src/domain/satisfaction';
import type { SurveyDoc } from '../../src/persistence/followup.models';
import { loadOrCreateDevSecrets } from '../../src/security/dev-secrets';
import { FieldCipher } from '../../src/security/field-cipher';
import { t } from '../support/engine-setup';
import { FakeTelegramApi, makeTelegramUpdate, type FakeMessage, type RecordedCall, type TelegramUpdate } from '../support/fake-telegram-api';
import { makeNationalId } from '../support/fixtures';
import { TEST_BOT_TOKEN } from '../support/telegram';
import { TelegramTranscript, writeTranscriptIfAsked } from '../support/telegram-transcript';

/**
 * Follow-ups from the outside: the bot runs as `npm start` in a child process, Telegram is the
 * fake Bot API (long polling), and staff act through `npm run admin` in further processes on the
 * same database, queue prefix and DATA_DIR (the development keys live there, so both sides seal
 * and open with the same keys). Nothing is called in-process: what the person sees is what the
 * fake Bot API received.
 */

const ROOT = join(__dirname, '..', '..');
const CHAT = 5301;
const TRANSCRIPT = join(ROOT, 'bench', 'results', 'survey-transcript-telegram-ar.md');
/** tsx compiles and the classifier trains at boot: seconds, more on a busy machine. */
const BOOT_MS = 90_000;
const REPLY_MS = 30_000;

interface AppChild {
  process: ChildProcess;
  /** What it wrote (stdout and stderr), for the failure message. */
  output: string[];
  exited: Promise<number | null>;
}

/**
 * `npm start` in the test's own process group: whoever stops the test run (Ctrl-C, a group kill)
 * stops the app with it. Its stdout and stderr are kept for failure messages.
 */
function startApp(env: NodeJS.ProcessEnv): AppChild {
  const child = spawn('npm', ['start'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  for (const stream of [child.stdout, child.stderr]) stream?.setEncoding('utf8').on('data', (chunk: string) => output.push(chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { process: child, output, exited };
}

/** A process and everything under it (npm → sh → tsx → node), and the leaves: those that started nothing. */
function processTree(pid: number): { pids: number[]; leaves: number[] } {
  const listed = spawnSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' }).stdout ?? '';
  const children = listed.split('\n').map((line) => Number(line.trim())).filter((child) => child > 0);
  if (children.length === 0) return { pids: [pid], leaves: [pid] };
  const subtrees = children.map(processTree);
  return { pids: [pid, ...subtrees.flatMap((t) => t.pids)], leaves: subtrees.flatMap((t) => t.leaves) };
}

function signal(pids: readonly number[], name: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, name);
    } catch {
      // ESRCH: that one has exited already.
    }
  }
}

/**
 * SIGTERM to the app itself (the leaf: npm would die at once and leave it running), which closes
 * its queues and connections; npm and tsx exit after it. SIGKILL to all that is left after 15 s.
 */
async function stopApp(app: AppChild): Promise<void> {
  if (app.process.pid === undefined || app.process.exitCode !== null || app.process.signalCode !== null) return;
  const tree = processTree(app.process.pid);
  signal(tree.leaves, 'SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([app.exited, new Promise((resolve) => (timer = setTimeout(resolve, 15_000)))]);
  clearTimeout(timer);
  signal(tree.pids, 'SIGKILL');
}

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `npm run admin -- <args>` as staff type it (`--silent`: npm's banner would precede the JSON). */
function admin(env: NodeJS.ProcessEnv, args: readonly string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile('npm', ['run', '--silent', 'admin', '--', ...args], { cwd: ROOT, env, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
    });
  });
}

const chatOf = (call: RecordedCall): number => Number(call.params.chat_id);
const callbacksOf = (call: RecordedCall): string[] => ((call.params.reply_markup as FakeMessage['reply_markup'])?.inline_keyboard ?? []).flat().map((b) => b.callback_data ?? '');

describe('follow-ups through `npm start`, Telegram and the admin CLI', () => {
  const hex = randomBytes(4).toString('hex');
  const names = { database: `t_fuapp_${hex}`, prefix: `t-fuapp-${hex}` };
  const dataDir = mkdtempSync(join(tmpdir(), 'basirah-fuapp-'));
  let api: FakeTelegramApi;
  let app: AppChild | undefined;
  let env: NodeJS.ProcessEnv;
  let chat: TelegramTranscript;

  beforeAll(async () => {
    api = await FakeTelegramApi.start(TEST_BOT_TOKEN);
    chat = new TelegramTranscript(api, CHAT);
    env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME ?? dataDir,
      NODE_ENV: 'development',
      LOG_LEVEL: 'warn',
      MONGODB_URI: process.env.MONGODB_URI,
      REDIS_URL: process.env.REDIS_URL,
      MONGODB_DB: names.database,
      QUEUE_PREFIX: names.prefix,
      DATA_DIR: dataDir,
      HOST: '127.0.0.1',
      PORT: '0',
      QUIET_HOURS: 'off',
      SURVEY_DELAY_MINUTES: '0',
      TELEGRAM_BOT_TOKEN: TEST_BOT_TOKEN,
      TELEGRAM_API_ROOT: api.apiRoot,
    };
    const started = startApp(env);
    app = started;
    // Polling has begun once the app asks for updates; the workers are started before the channels.
    const exitedEarly = started.exited.then((code) => Promise.reject(new Error(`npm start exited (${code}):\n${started.output.join('')}`)));
    await Promise.race([api.waitForCall('getUpdates', () => true, BOOT_MS), exitedEarly]);
  }, BOOT_MS + 10_000);

  afterAll(async () => {
    // Exited before we stopped it: its output says why the tests waited in vain.
    const crashed = app && app.process.exitCode !== null ? app.output.join('') : null;
    try {
      if (app) await stopApp(app);
    } finally {
      const problems = await cleanUp(process.env.MONGODB_URI as string, process.env.REDIS_URL as string, [names.database], [names.prefix]);
      await api?.close();
      rmSync(dataDir, { recursive: true, force: true });
      expect(problems).toEqual([]);
    }
    if (crashed !== null) throw new Error(`npm start exited during the tests:\n${crashed}`);
  }, 60_000);

  /** The person sends an update; resolves with the next message to the chat containing `expected`. */
  async function send(update: TelegramUpdate, expected: string): Promise<RecordedCall> {
    const mark = api.calls().length;
    chat.person(update);
    return api.waitForCall('sendMessage', (c) => c.seq > mark && chatOf(c) === CHAT && String(c.params.text).includes(expected), REPLY_MS);
  }
  const type = (text: string, expected: string): Promise<RecordedCall> => send(makeTelegramUpdate.text(CHAT, text), expected);
  const tap = (question: RecordedCall, value: string, expected: string): Promise<RecordedCall> =>
    send(makeTelegramUpdate.callback(CHAT, value, question.result as FakeMessage), expected);

  /** Staff run `npm run admin -- <args>`; resolves with its output once it exited 0. */
  const staff = (args: readonly string[]): Promise<string> =>
    chat.staff(`npm run admin -- ${args.join(' ')}`, async () => {
      const result = await admin(env, args);
      if (result.code !== 0) throw new Error(`admin ${args.join(' ')} exited ${result.code}:\n${result.stdout}\n${result.stderr}`);
      return result.stdout;
    });

  it('files a request by typing and tapping; staff set its status by the CLI and the person is told', async () => {
    const menu = await type('السلام عليكم', t('ar', 'menu.title'));
    await tap(menu, 'intent:request_new', t('ar', 'request.ask.applicantName'));
    await type('نورة سعد القحطاني', t('ar', 'request.ask.nationalId'));
    await type(makeNationalId(5301), t('ar', 'request.ask.phone'));
    await type('0551234567', t('ar', 'request.ask.relation'));
    await type('زوجي', t('ar', 'request.ask.inmateName'));
    const facility = await type('سعد محمد القحطاني', t('ar', 'request.ask.facility'));
    const support = await tap(facility, 'facility:dammam_general', t('ar', 'request.ask.supportType'));
    await tap(support, 'support:financial', t('ar', 'request.ask.description'));
    const mark = api.calls().length;
    chat.person(makeTelegramUpdate.text(CHAT, 'زوجي موقوف منذ ستة أشهر ونحتاج مساعدة في إيجار البيت ومصاريف الأولاد'));
    const summary = await api.waitForCall('sendMessage', (c) => c.seq > mark && chatOf(c) === CHAT && callbacksOf(c).includes('summary:confirm'), REPLY_MS);
    const attest = await tap(summary, 'summary:confirm', t('ar', 'request.attest_text'));
    const done = await tap(attest, 'attest:confirm', 'BSR-');
    const reference = /BSR-\d{4}-\d{5}/.exec(String(done.params.text))?.[0] as string;
    expect(done.params.text).toContain(t('ar', 'request.submitted', { reference }));
    await api.waitForCall('sendMessage', (c) => c.seq > done.seq && chatOf(c) === CHAT && String(c.params.text) === t('ar', 'menu.anything_else'), REPLY_MS);

    const before = api.calls().length;
    expect(await staff(['request:status', reference, 'social_research'])).toContain(`${reference} → social_research`);
    const news = await api.waitForCall('sendMessage', (c) => c.seq > before && chatOf(c) === CHAT && String(c.params.text).includes(t('ar', 'followups.status_header', { reference })), REPLY_MS);
    expect(String(news.params.text)).toContain(t('ar', 'status.explain.social_research'));
    expect(String(news.params.text)).toContain(t('ar', 'followups.next.social_research'));
  }, 180_000);

  it('surveys after staff close a handoff by the CLI; the rating and the sealed comment are stored and reported', async () => {
    // The last bubble of that turn: staff act after the person has read it all.
    await type('أريد التحدث مع موظف', t('ar', 'handoff.cancel_hint'));
    const open = (await staff(['handoffs'])).split('\n').filter((line) => line.includes('telegram'));
    expect(open).toHaveLength(1);
    const handoffId = open[0]?.split(/\s+/)[0] as string;

    const before = api.calls().length;
    expect(await staff(['handoff:close', handoffId])).toContain('Closed');
    const invite = t('ar', 'followups.survey.invite_handoff', { reference: '' });
    const survey = await api.waitForCall('sendMessage', (c) => c.seq > before && chatOf(c) === CHAT && c.params.text === invite, REPLY_MS);
    expect(callbacksOf(survey)).toEqual(['rate:1', 'rate:2', 'rate:3', 'rate:4', 'rate:5']);

    const thanks = await tap(survey, 'rate:4', t('ar', 'followups.survey.thanks'));
    expect(callbacksOf(thanks)).toEqual(['survey:skip']);
    const comment = 'كان التعامل راقيًا لكن الانتظار طال قليلًا';
    await type(comment, t('ar', 'followups.survey.comment_thanks'));

    const report = JSON.parse(await staff(['report:satisfaction', '--json'])) as SatisfactionReport;
    expect(report.overall).toMatchObject({ invited: 1, rated: 1, average: 4 });
    expect(report.overall.distribution['4']).toBe(1);
    expect(report.byChannel.telegram).toMatchObject({ rated: 1, average: 4 });
    expect(report.bySupportType.handoff).toMatchObject({ rated: 1 });

    const stored = await withDatabase(process.env.MONGODB_URI as string, names.database, (db) => db.collection<SurveyDoc>('surveys').findOne({ _id: `handoff-${handoffId}` }));
    expect(stored).toMatchObject({ rating: 4, channel: 'telegram', subjectType: 'handoff' });
    expect(stored?.commentSealed?.ct).toEqual(expect.any(String));
    expect(JSON.stringify(stored)).not.toContain(comment);
    expect(JSON.stringify(stored)).not.toContain('الانتظار');
    // Sealed with the development keys both processes read from DATA_DIR.
    const keys = loadOrCreateDevSecrets(dataDir, () => undefined);
    expect(FieldCipher.fromStrings(keys.encryptionKeys, keys.hmacKey).open(stored!.commentSealed!)).toBe(comment);

    writeTranscriptIfAsked(
      TRANSCRIPT,
      chat.render(
        'Telegram, Arabic: a request, its status news, a handoff and the satisfaction survey',
        'Recorded by `tests/e2e/followups-app.test.ts` (run with `WRITE_TRANSCRIPT=1`): the bot ran as `npm start` against the fake Bot API; staff acted through `npm run admin`. The reference and the dates differ from run to run.',
      ),
    );
  }, 180_000);
});
