import { performance } from 'node:perf_hooks';
import type { BenchContext } from './context';
import { newTally, startCpu, stepResult, type StepResult } from './measure';
import { formatStep } from './report-lines';
import { OpenLoopWebLoad } from './web-load';

/** p99 above this, or throughput under 90 % of the offered rate, means the rate is not sustained. */
const SATURATION_P99_MS = 1000;
const TARGET_P99_MS = 200;

/** One fixed-rate step on the web chat, drained afterwards; restarts the app if its backlog would not clear. */
export async function runWebRate(ctx: BenchContext, scenario: string, rate: number, seconds: number): Promise<StepResult> {
  const tally = newTally();
  const load = new OpenLoopWebLoad(ctx.app.port, () => ctx.journeys.next(), tally, (seconds + ctx.plan.drainSeconds + 30) * 1000);
  await load.prepare(Math.min(150, Math.ceil(rate / 2) + 8));
  const stopCpu = await startCpu(ctx.app, ctx);
  const start = performance.now();
  await load.run(rate, seconds);
  const drained = await load.drain(ctx.plan.drainSeconds * 1000);
  const cpu = await stopCpu();
  const strays = await load.close();
  const result = stepResult(scenario, `${rate} msg/s × ${seconds} s`, tally, start, cpu, rate, seconds);
  result.saturated = result.latency.p99 > SATURATION_P99_MS || result.throughput < 0.9 * rate;
  result.notes ??= [];
  if (strays > 0) result.notes.push(`${strays} reply frames arrived with nothing outstanding (late bubbles)`);
  if (!drained) result.notes.push(`backlog not cleared ${ctx.plan.drainSeconds} s after the step: app restarted on a fresh database`);
  ctx.results.push(result);
  ctx.say(formatStep(result));
  if (!drained) await ctx.restartApp(`backlog at ${rate} msg/s`);
  return result;
}

/** 25, 50, 100, 200 msg/s … until a step saturates; returns the highest rate whose p99 stayed under 200 ms. */
export async function openLoopRamp(ctx: BenchContext): Promise<number | null> {
  let highestOk: number | null = null;
  for (const rate of ctx.plan.rates) {
    const result = await runWebRate(ctx, 'open loop', rate, ctx.plan.secondsAt(rate));
    if (result.latency.p99 < TARGET_P99_MS && !result.saturated) highestOk = rate;
    if (result.saturated) break;
  }
  ctx.say(`open loop: highest rate with p99 < ${TARGET_P99_MS} ms: ${highestOk === null ? 'none' : `${highestOk} msg/s`}`);
  return highestOk;
}
