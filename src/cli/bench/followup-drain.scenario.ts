import { performance } from 'node:perf_hooks';
import { TELEGRAM_LIMITS } from '../../channels/telegram/telegram.sender';
import { BenchFollowUps, type PlannedBatch } from './bench-followups';
import type { BenchContext } from './context';
import { FireTimer, type FireStats } from './fire-timer';
import { InvitationWatch, sendRates } from './invitation-watch';
import { newTally, startCpu, stepResult, type CpuCost, type FollowUpDrainFacts, type StepResult, type Tally } from './measure';
import { formatDrain, formatStep } from './report-lines';
import { formatLatency, sleep, summarize, waitUntil } from './stats';
import { TelegramDriver } from './telegram-driver';

const SCENARIO = 'follow-up drain';
/** A greeting turn is over this long after its last bubble (one bubble a second per chat). */
const TURN_SETTLE_MS = 1500;
/** The greetings are all out when the fake Bot API has been quiet this long. */
const QUIET_MS = 2000;
/** After the last invitation, a late second one would arrive within this (a retried job, a second flush). */
const DUPLICATE_WATCH_MS = 5000;

/**
 * Issue 9's drain: N Telegram chats each greet the bot through the webhook (so N real
 * conversations exist), then N surveys become due at once — planned as staff closing a handoff
 * would, in this process on the app's database and queue prefix — and the app's follow-up workers
 * send them through the exactly-once outbox at Telegram's limit (30/s over all chats). Measures
 * the send rate at the fake Bot API, and checks none went twice, none was lost, and every stored
 * survey record ended `sent`.
 */
export async function followUpDrainScenario(ctx: BenchContext): Promise<void> {
  const { chats: count, greetRate } = ctx.plan.followUps;
  const firstChat = 700_000_000 + Math.floor(Math.random() * 1e6) * 1000;
  const chats = Array.from({ length: count }, (_, i) => firstChat + i);
  await greet(ctx, count, greetRate, firstChat);
  const bench = await BenchFollowUps.connect(ctx.appConfig());
  try {
    const facts = await drain(ctx, bench, chats, `benchdrain${firstChat}`);
    // Its time: from the first survey planned to the last invitation sent (the duplicate watch is not part of it).
    const seconds = facts.drain.rates.lastAfterS;
    const result = stepResult(SCENARIO, `${count} due surveys to ${count} Telegram chats`, facts.tally, performance.now(), facts.cpu, null, seconds);
    result.throughput = facts.drain.rates.overall;
    result.followUpDrain = facts.drain;
    result.notes = [...(result.notes ?? []), 'latency: from the survey being planned to its sendMessage', ...(facts.complete ? [] : ['not drained'])];
    ctx.results.push(result);
    ctx.say(formatStep(result));
    for (const line of formatDrain(facts.drain)) ctx.say(line);
    failIfWrong(result, facts.drain);
  } finally {
    await bench.close();
  }
}

/** Plans one survey per chat at once and waits for the invitations; what arrived, how fast, what is stored. */
async function drain(ctx: BenchContext, bench: BenchFollowUps, chats: readonly number[], tag: string): Promise<{ drain: FollowUpDrainFacts; tally: Tally; cpu: CpuCost; complete: boolean }> {
  const watch = new InvitationWatch(ctx.fake, new Set(chats));
  // Survey records are `survey-handoff-<handoff id>`, their jobs `<record>-v<version>`.
  const timer = await FireTimer.start(ctx.redisUrl, ctx.queuePrefix(), `survey-handoff-${tag}-`);
  let fires: FireStats | null = null;
  try {
    const stopCpu = await startCpu(ctx.app, ctx);
    const batch = await bench.surveyEach(chats, ctx.telegram.token.split(':', 1)[0] as string, tag);
    // Generous: four times what the channel's limit allows, plus the usual drain.
    const complete = await watch.all(((chats.length / TELEGRAM_LIMITS.perSecond) * 4 + ctx.plan.drainSeconds) * 1000);
    const cpu = await stopCpu();
    // A fire job completes after its send: the last ones are seen during the duplicate watch.
    await sleep(DUPLICATE_WATCH_MS);
    fires = await timer.stop();
    const stored = await bench.surveyRecords(chats, tag);
    const facts: FollowUpDrainFacts = {
      chats: chats.length,
      planSeconds: (batch.endedAt - batch.startedAt) / 1000,
      ...watch.count(),
      rates: sendRates(watch.arrivals, batch.startedAt),
      limitPerSecond: TELEGRAM_LIMITS.perSecond,
      stored: stored.states,
      runner: sendRates(stored.sentAt, batch.startedAtEpoch),
      fires,
    };
    return { drain: facts, tally: latencies(chats, watch, batch), cpu, complete };
  } finally {
    if (!fires) await timer.stop().catch(() => undefined);
  }
}

/** Each chat's delay from its survey being planned to its invitation arriving. */
function latencies(chats: readonly number[], watch: InvitationWatch, batch: PlannedBatch): Tally {
  const tally = newTally();
  tally.sent = chats.length;
  for (const chat of chats) {
    const sentAt = watch.arrivalOf(chat);
    const plannedAt = batch.plannedAt.get(chat);
    if (sentAt === undefined || plannedAt === undefined) continue;
    tally.answered += 1;
    tally.latencies.push(Math.max(0, sentAt - plannedAt));
  }
  tally.lost = chats.length - tally.answered;
  return tally;
}

/** One «السلام عليكم» from each chat through the webhook, answered, and every bubble of it out. */
async function greet(ctx: BenchContext, count: number, rate: number, firstChat: number): Promise<void> {
  const tally = newTally();
  const target = { url: `http://127.0.0.1:${ctx.app.port}${ctx.telegram.path}`, secret: ctx.telegram.secret };
  const seconds = count / rate;
  const driver = new TelegramDriver(ctx.fake, target, tally, TURN_SETTLE_MS, firstChat, (seconds + ctx.plan.drainSeconds) * 1000);
  const sendsBefore = ctx.fake.sendMessages;
  const start = performance.now();
  await driver.run(rate, seconds, () => ({ kind: 'faq', texts: ['السلام عليكم'] }));
  const drained = await driver.drain((seconds + ctx.plan.drainSeconds) * 1000);
  let last = ctx.fake.sendMessages;
  let quietSince = performance.now();
  await waitUntil(() => {
    if (ctx.fake.sendMessages !== last) [last, quietSince] = [ctx.fake.sendMessages, performance.now()];
    return performance.now() - quietSince >= QUIET_MS;
  }, ctx.plan.drainSeconds * 1000);
  const took = (performance.now() - start) / 1000;
  ctx.say(
    `${SCENARIO}: greeted ${count} Telegram chats at ${rate}/s via webhook in ${took.toFixed(1)} s: answered ${tally.answered} with ${ctx.fake.sendMessages - sendsBefore} sendMessage calls, lost ${tally.lost}, refused ${Object.values(tally.refused).reduce((a, b) => a + b, 0)} | first reply ${formatLatency(summarize(tally.latencies))}${drained ? '' : ' [not drained]'}`,
  );
  if (tally.answered < count) throw new Error(`only ${tally.answered} of ${count} greetings were answered: not every chat has a conversation`);
}

/** None twice, none lost, every stored record sent: otherwise the step fails (after it was reported). */
function failIfWrong(result: StepResult, facts: FollowUpDrainFacts): void {
  const problems: string[] = [];
  if (facts.duplicates > 0) problems.push(`${facts.duplicates} chats got the invitation twice`);
  if (facts.missing > 0) problems.push(`${facts.missing} chats got no invitation`);
  const sent = facts.stored.sent ?? 0;
  if (sent !== facts.chats) problems.push(`${sent} of ${facts.chats} survey records are sent (${JSON.stringify(facts.stored)})`);
  if (problems.length > 0) throw new Error(`${result.label}: ${problems.join('; ')}`);
}
