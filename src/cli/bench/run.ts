import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { MemoryReport } from './app-messages';
import { bullmqBaseline } from './bullmq.baseline';
import { classifierBaseline } from './classifier.baseline';
import { closedLoop } from './closed-loop.scenario';
import type { BenchContext } from './context';
import { floodScenario } from './flood.scenario';
import { followUpDrainScenario } from './followup-drain.scenario';
import { idleMemoryScenario, type IdleMemoryResult } from './idle-memory.scenario';
import { lightLoad } from './light-load.scenario';
import { observations } from './observations';
import { openLoopRamp } from './open-loop.scenario';
import { stepKey } from './options';
import { prefillScenario } from './prefill.scenario';
import { loadAverage } from './proc-cpu';
import { rawDriverBaseline } from './raw-driver.baseline';
import { writeReport, type BenchReport } from './report';
import { telegrafEchoBaseline } from './telegraf-echo.baseline';
import { telegramScenario } from './telegram.scenario';

export interface RunInfo {
  projectRoot: string;
  started: Date;
  t0: number;
  loadStart: number;
  /** Error lines of apps already retired. */
  errors: { lines: number; last: string[] };
}

function commitOf(projectRoot: string): string {
  try {
    const git = (...args: string[]): string => execFileSync('git', args, { cwd: projectRoot, encoding: 'utf8' }).trim();
    const head = git('rev-parse', '--short', 'HEAD');
    return git('status', '--porcelain', '--untracked-files=no') === '' ? head : `${head} (with uncommitted changes in the tree)`;
  } catch {
    return 'unknown';
  }
}

/** Every scenario and baseline in order; a failing one is reported and the rest still run. Returns how many failed. */
export async function runScenarios(ctx: BenchContext, info: RunInfo): Promise<number> {
  const failures: string[] = [];
  const memory: Array<{ when: string } & MemoryReport> = [];
  let idleMemory: IdleMemoryResult | null = null;
  let highest: number | null = null;
  const bg = ctx.background;
  ctx.say(
    `bench (${ctx.plan.quick ? 'quick' : 'full'}) on ${commitOf(info.projectRoot)}, ${cpus().length} CPUs, load average ${info.loadStart}; app pid ${ctx.app.pid}; servers ${JSON.stringify(ctx.pids)}; idle background CPU ms/s: ferretdb ${bg.ferretdb.toFixed(1)}, postgres ${bg.postgres.toFixed(1)}, redis ${bg.redis.toFixed(1)}`,
  );
  const snapshot = async (when: string): Promise<void> => {
    memory.push({ when, ...(await ctx.app.memory()) });
  };
  const ran = new Set<string>();
  const attempt = async (name: string, run: () => Promise<void>): Promise<void> => {
    if (ctx.plan.only && !ctx.plan.only.includes(stepKey(name))) return;
    ran.add(stepKey(name));
    try {
      await run();
    } catch (error) {
      const message = `${name}: ${error instanceof Error ? error.message : String(error)}`;
      failures.push(message);
      ctx.say(`FAILED ${message}`);
    }
  };
  await snapshot('after start');
  await attempt('classifier baseline', () => classifierBaseline(ctx));
  await attempt('raw driver baseline', () => rawDriverBaseline(ctx));
  await attempt('BullMQ baseline', () => bullmqBaseline(ctx, ctx.queuePrefix()));
  await attempt('telegraf echo baseline', () => telegrafEchoBaseline(ctx));
  await attempt('light load', () => lightLoad(ctx));
  await attempt('closed loop', () => closedLoop(ctx));
  await attempt('telegram', () => telegramScenario(ctx));
  await snapshot('after light load, closed loop, telegram');
  await attempt('open loop', async () => void (highest = await openLoopRamp(ctx)));
  await snapshot('after the open-loop ramp');
  await attempt('flood victim', () => floodScenario(ctx));
  await attempt('pre-filled database', () => prefillScenario(ctx, highest ?? 10));
  await attempt('idle memory', async () => void (idleMemory = await idleMemoryScenario(ctx)));
  await attempt('follow-up drain', () => followUpDrainScenario(ctx));
  await snapshot('at the end');
  for (const name of ctx.plan.only ?? []) if (!ran.has(name)) failures.push(`--only: no step is called "${name}"`);
  const report: BenchReport = {
    startedAt: info.started.toISOString(),
    durationSeconds: (performance.now() - info.t0) / 1000,
    mode: ctx.plan.quick ? 'quick' : 'full',
    only: ctx.plan.only,
    commit: commitOf(info.projectRoot),
    machine: { cpus: cpus().length, node: process.version, loadAverageStart: info.loadStart, loadAverageEnd: loadAverage() },
    background: ctx.background,
    steps: ctx.results,
    baselines: ctx.baselines,
    highestRateUnder200ms: highest,
    idleMemory,
    memory,
    appErrorLines: info.errors.lines + ctx.app.errorLines,
    appLastErrors: [...info.errors.last, ...ctx.app.lastErrors].slice(-5),
    failures,
  };
  for (const line of observations(report)) ctx.say(`note: ${line}`);
  ctx.say(`report: ${writeReport(info.projectRoot, report)} (${report.durationSeconds.toFixed(0)} s)`);
  return failures.length;
}
