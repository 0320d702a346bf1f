/**
 * CLI: `npm run bench [-- --quick] [--only <step>,…]` — drives the whole bot as `npm start` builds it (startApp, roles
 * web,channels,workers, in a child process) through its external interfaces only: the web chat's
 * HTTP routes and WebSocket, and the Telegram webhook against a fake Bot API on 127.0.0.1. Prints a
 * line per step and writes bench/results/<date>.md and .json. Private database and queue prefix per
 * run, dropped at the end even on failure.
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../config/config';
import { ensureLocalServices } from '../infra/local-services';
import { AppHandle, type AppEnv } from './bench/app-handle';
import { appEnv, BENCH_TELEGRAM } from './bench/app-env';
import { cleanUp } from './bench/cleanup';
import type { BenchContext } from './bench/context';
import { FakeBotApi } from './bench/fake-bot-api';
import { JourneyMaker } from './bench/journeys';
import { measureBackground } from './bench/measure';
import { parsePlan } from './bench/options';
import { findServicePids, loadAverage } from './bench/proc-cpu';
import { runScenarios } from './bench/run';

const PROJECT_ROOT = join(__dirname, '..', '..');
const say = (line: string): void => console.log(line);
const progress = (line: string): void => void process.stderr.write(`${line}\n`);

async function main(): Promise<number> {
  const plan = parsePlan(process.argv.slice(2));
  const started = new Date();
  const t0 = performance.now();
  const loadStart = loadAverage();
  // MONGODB_URI / REDIS_URL select the servers; unset, the project-local ones (as the tests do).
  const base = loadConfig();
  const local = await ensureLocalServices({ projectRoot: PROJECT_ROOT, needMongo: !base.mongoUri, needRedis: !base.redisUrl, progress });
  const urls = { mongoUri: base.mongoUri ?? local.mongoUri ?? '', redisUrl: base.redisUrl ?? local.redisUrl ?? '' };
  const databases: string[] = [];
  const prefixes: string[] = [];
  const envs: AppEnv[] = [];
  const fake = await FakeBotApi.start();
  let app: AppHandle | null = null;
  const errors = { lines: 0, last: [] as string[] };

  const startApp = async (): Promise<AppHandle> => {
    const suffix = databases.length === 0 ? '' : `_${databases.length + 1}`;
    const names = { database: `bench_${process.pid}${suffix}`, prefix: `bench_${process.pid}${suffix}` };
    databases.push(names.database);
    prefixes.push(names.prefix);
    progress(`bench: starting the app (database ${names.database})…`);
    const env = appEnv(base, urls, names, fake.apiRoot);
    envs.push(env);
    return AppHandle.start(env, names.database);
  };
  const retire = async (old: AppHandle): Promise<void> => {
    errors.lines += old.errorLines;
    errors.last = [...errors.last, ...old.lastErrors].slice(-5);
    await old.close();
  };
  let cleaned = false;
  const cleanup = async (): Promise<void> => {
    if (cleaned) return;
    cleaned = true;
    if (app) await retire(app).catch(() => undefined);
    app = null;
    await fake.close().catch(() => undefined);
    const problems = await cleanUp(urls.mongoUri, urls.redisUrl, databases, prefixes);
    for (const p of problems) progress(`bench: clean-up: ${p}`);
  };
  const onSignal = (): void => void cleanup().finally(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    app = await startApp();
    const pids = findServicePids(PROJECT_ROOT);
    const ctx: BenchContext = {
      plan,
      get app() {
        return app as AppHandle;
      },
      async restartApp(reason) {
        progress(`bench: restarting the app: ${reason}`);
        if (app) await retire(app);
        app = await startApp();
      },
      pids,
      background: await measureBackground(pids, plan.quick ? 2 : 5),
      fake,
      telegram: BENCH_TELEGRAM,
      journeys: new JourneyMaker(42, (process.pid * 7919 + Date.now()) % 90_000_000),
      mongoUri: urls.mongoUri,
      redisUrl: urls.redisUrl,
      database: () => databases[databases.length - 1] as string,
      queuePrefix: () => prefixes[prefixes.length - 1] as string,
      appConfig: () => loadConfig(envs[envs.length - 1]),
      results: [],
      baselines: [],
      say,
    };
    const failures = await runScenarios(ctx, { projectRoot: PROJECT_ROOT, started, t0, loadStart, errors });
    return failures === 0 ? 0 : 1;
  } finally {
    await cleanup();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
