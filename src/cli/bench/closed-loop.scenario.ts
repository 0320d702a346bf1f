import { performance } from 'node:perf_hooks';
import type { BenchContext } from './context';
import { newTally, openFailed, record, startCpu, stepResult } from './measure';
import { formatStep } from './report-lines';
import { sleep } from './stats';
import { WebFamily } from './web-family';

/**
 * N families at once on the web chat; each sends its next message as soon as the previous reply
 * arrived (once its bubbles have stopped for 0.1 s). A family is one visit (its journey); when it
 * ends, a new family takes its place.
 */
export async function closedLoop(ctx: BenchContext): Promise<void> {
  const { families, seconds } = ctx.plan.closedLoop;
  const tally = newTally();
  const askTimeoutMs = ctx.plan.drainSeconds * 1000;
  const stopCpu = await startCpu(ctx.app, ctx);
  const start = performance.now();
  const deadline = start + seconds * 1000;
  let strays = 0;
  const slot = async (): Promise<void> => {
    while (performance.now() < deadline) {
      const family = await WebFamily.open(ctx.app.port, ctx.journeys.next()).catch(openFailed(tally));
      if (!family) {
        await sleep(100);
        continue;
      }
      while (!family.done && performance.now() < deadline) {
        tally.sent += 1;
        const outcome = await family.askNext(askTimeoutMs);
        record(tally, outcome);
        if (outcome.type !== 'answered') break;
      }
      strays += family.strays;
      family.close();
    }
  };
  await Promise.all(Array.from({ length: families }, slot));
  const result = stepResult('closed loop', `${families} families × ${seconds} s`, tally, start, await stopCpu(), null, seconds);
  if (strays > 0) result.notes = [...(result.notes ?? []), `${strays} late reply frames`];
  ctx.results.push(result);
  ctx.say(formatStep(result));
}
