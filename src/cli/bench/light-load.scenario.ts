import { performance } from 'node:perf_hooks';
import type { BenchContext } from './context';
import { newTally, openFailed, record, startCpu, stepResult } from './measure';
import { formatStep } from './report-lines';
import { seededRandom, sleep } from './stats';
import { WebFamily } from './web-family';

/** Questions per visitor before they leave and another arrives (keeps each under per-person limits). */
const QUESTIONS_PER_VISIT = 8;

/** A few visitors, each asking an FAQ question every 1–2 s: the median first reply is the target (< 50 ms). */
export async function lightLoad(ctx: BenchContext): Promise<void> {
  for (const visitors of ctx.plan.lightLoad.visitors) await lightLoadStep(ctx, visitors, ctx.plan.lightLoad.seconds);
}

async function lightLoadStep(ctx: BenchContext, visitors: number, seconds: number): Promise<void> {
  const tally = newTally();
  const random = seededRandom(7);
  const stopCpu = await startCpu(ctx.app, ctx);
  const start = performance.now();
  const deadline = start + seconds * 1000;
  const visitor = async (index: number): Promise<void> => {
    // Visitors arrive spread over the first two seconds, not all at once.
    await sleep(index * (2000 / visitors));
    while (performance.now() < deadline) {
      const family = await WebFamily.open(ctx.app.port, ctx.journeys.faq(QUESTIONS_PER_VISIT)).catch(openFailed(tally));
      if (!family) return;
      while (!family.done && performance.now() < deadline) {
        const sentAt = performance.now();
        tally.sent += 1;
        record(tally, await family.askNext(ctx.plan.drainSeconds * 1000));
        await sleep(Math.max(0, sentAt + 1000 + random() * 1000 - performance.now()));
      }
      family.close();
    }
  };
  await Promise.all(Array.from({ length: visitors }, (_, i) => visitor(i)));
  const result = stepResult('light load', `${visitors} visitors, a question every 1–2 s, ${seconds} s`, tally, start, await stopCpu(), null, seconds);
  ctx.results.push(result);
  ctx.say(formatStep(result));
}
