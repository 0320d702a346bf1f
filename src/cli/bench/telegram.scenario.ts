import { performance } from 'node:perf_hooks';
import type { BenchContext } from './context';
import { newTally, startCpu, stepResult } from './measure';
import { formatStep } from './report-lines';
import { formatLatency, summarize } from './stats';
import { TelegramDriver } from './telegram-driver';

/** After this long without a sendMessage, a chat's turn is over (the bot sends one message a second per chat). */
const TURN_SETTLE_MS = 1500;

/** The same mix through the Telegram webhook at a fixed rate; latency to the fake Bot API's sendMessage. */
export async function telegramScenario(ctx: BenchContext): Promise<void> {
  const { rate, seconds } = ctx.plan.telegram;
  const tally = newTally();
  const target = { url: `http://127.0.0.1:${ctx.app.port}${ctx.telegram.path}`, secret: ctx.telegram.secret };
  const driver = new TelegramDriver(ctx.fake, target, tally, TURN_SETTLE_MS, 500_000_000 + Math.floor(Math.random() * 1e6) * 100, (seconds + ctx.plan.drainSeconds) * 1000);
  const sendsBefore = ctx.fake.sendMessages;
  const stopCpu = await startCpu(ctx.app, ctx);
  const start = performance.now();
  await driver.run(rate, seconds, () => ctx.journeys.next());
  const drained = await driver.drain(ctx.plan.drainSeconds * 1000);
  const result = stepResult('telegram', `${rate} msg/s × ${seconds} s via webhook`, tally, start, await stopCpu(), rate, seconds);
  result.notes = [...(result.notes ?? []), `${ctx.fake.sendMessages - sendsBefore} sendMessage calls`, `first message of each chat: ${formatLatency(summarize(driver.firstOfChat))}`];
  if (!drained) result.notes.push('not drained');
  ctx.results.push(result);
  ctx.say(formatStep(result));
}
