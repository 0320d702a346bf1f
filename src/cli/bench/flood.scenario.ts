import { performance } from 'node:perf_hooks';
import type { BenchContext } from './context';
import { newTally, openFailed, perMessage, record, startCpu, stepResult, type Tally } from './measure';
import { formatRefused, formatStep } from './report-lines';
import { sleep } from './stats';
import { newSessionCookie, nextFamilyIp, WebFamily } from './web-family';

/** What the flooder got through and what the gateway turned away. */
interface FloodCount {
  sent: number;
  accepted: number;
  refused: Record<string, number>;
  socketsOpened: number;
  socketsRefused: number;
  /** Why the first refused socket was refused. */
  firstRefusal: string | null;
}

/** A probe answered later than this means the flood left a backlog. */
const PROBE_TIMEOUT_MS = 3000;

const FLOOD_TEXTS = ['hello', 'السلام عليكم', 'menu', 'وش الخدمات اللي تقدمونها'];

/**
 * One socket pushing as fast as the server takes it: the next frame leaves when the previous one
 * was acknowledged or refused. Bounded by count and by time.
 */
async function floodSocket(port: number, cookie: string, ip: string, limit: number, deadline: number, count: FloodCount): Promise<void> {
  const family = await WebFamily.open(port, { kind: 'faq', texts: [] }, { cookie, ip }).catch((error: unknown) => {
    count.firstRefusal ??= error instanceof Error ? error.message : String(error);
    return null;
  });
  if (!family) {
    count.socketsRefused += 1;
    return;
  }
  count.socketsOpened += 1;
  await new Promise<void>((resolve) => {
    let sent = 0;
    let outstanding: string | null = null;
    const next = (): void => {
      if (sent >= limit || performance.now() >= deadline || !family.isOpen) return resolve();
      outstanding = family.fire(FLOOD_TEXTS[sent % FLOOD_TEXTS.length] ?? 'hello');
      sent += 1;
      count.sent += 1;
    };
    family.onAnyFrame((frame) => {
      if (frame.clientId !== outstanding) return;
      if (frame.type === 'ack') count.accepted += 1;
      else if (frame.type === 'error') count.refused[frame.code ?? 'unknown'] = (count.refused[frame.code ?? 'unknown'] ?? 0) + 1;
      else return;
      next();
    });
    // A refused or dropped socket ends this flooder.
    const timer = setInterval(() => {
      if (!family.isOpen || performance.now() >= deadline) {
        clearInterval(timer);
        resolve();
      }
    }, 100);
    next();
  });
  family.close();
}

/** A quiet visitor asking an FAQ question every second, on a session of their own. */
async function victim(ctx: BenchContext, deadline: number, tally: Tally): Promise<void> {
  while (performance.now() < deadline) {
    const family = await WebFamily.open(ctx.app.port, ctx.journeys.faq(8)).catch(openFailed(tally));
    if (!family) {
      await sleep(1000);
      continue;
    }
    while (!family.done && performance.now() < deadline) {
      const sentAt = performance.now();
      tally.sent += 1;
      record(tally, await family.askNext(Math.max(1000, deadline - sentAt + ctx.plan.drainSeconds * 1000)));
      await sleep(Math.max(0, sentAt + 1000 - performance.now()));
    }
    family.close();
  }
}

async function floodStep(ctx: BenchContext, label: string, flood: (deadline: number, count: FloodCount) => Promise<void>): Promise<void> {
  const { seconds } = ctx.plan.flood;
  const count: FloodCount = { sent: 0, accepted: 0, refused: {}, socketsOpened: 0, socketsRefused: 0, firstRefusal: null };
  const tally = newTally();
  const stopCpu = await startCpu(ctx.app, ctx);
  const start = performance.now();
  const deadline = start + seconds * 1000;
  // The victim starts a second after the flood, so it arrives into the flood, not before it.
  await Promise.all([flood(deadline, count), sleep(1000).then(() => victim(ctx, deadline, tally))]);
  const cpu = await stopCpu();
  const result = stepResult('flood victim', label, tally, start, cpu, null, seconds);
  // The bot worked on every accepted flood message too: CPU is per message it processed.
  result.cpuPerMessage = perMessage(cpu, tally.answered + count.accepted);
  result.notes = [
    ...(result.notes ?? []),
    `flood: sent ${count.sent}, accepted ${count.accepted},${formatRefused(count.refused) || ' refused: none'}; sockets opened ${count.socketsOpened}, refused ${count.socketsRefused}${count.firstRefusal ? ` (${count.firstRefusal})` : ''}`,
  ];
  ctx.results.push(result);
  ctx.say(formatStep(result));
  // Whatever the flood left queued would slow every later scenario: if a fresh visitor is not
  // answered promptly, start them on a fresh app.
  if (!(await answersPromptly(ctx))) await ctx.restartApp('backlog left by the flood');
}

/** True when a fresh visitor's question is answered within a couple of seconds (no backlog ahead of it). */
async function answersPromptly(ctx: BenchContext): Promise<boolean> {
  const family = await WebFamily.open(ctx.app.port, ctx.journeys.faq(1)).catch(() => null);
  if (!family) return false;
  const outcome = await family.askNext(PROBE_TIMEOUT_MS);
  family.close();
  return outcome.type === 'answered';
}

/** One sender floods while a quiet visitor asks a question every second: the victim's first-reply latency. */
export async function floodScenario(ctx: BenchContext): Promise<void> {
  const { sockets, sessions, perSession } = ctx.plan.flood;
  await floodStep(ctx, `one session, ${sockets} sockets`, async (deadline, count) => {
    const ip = nextFamilyIp();
    const cookie = await newSessionCookie(ctx.app.port, ip);
    await Promise.all(Array.from({ length: sockets }, () => floodSocket(ctx.app.port, cookie, ip, perSession, deadline, count)));
  });
  await floodStep(ctx, `${sessions} fresh sessions, one address`, async (deadline, count) => {
    const ip = nextFamilyIp();
    await Promise.all(
      Array.from({ length: sessions }, async () => {
        const cookie = await newSessionCookie(ctx.app.port, ip).catch((error: unknown) => {
          count.firstRefusal ??= error instanceof Error ? error.message : String(error);
          return null;
        });
        if (cookie === null) count.socketsRefused += 1;
        else await floodSocket(ctx.app.port, cookie, ip, perSession, deadline, count);
      }),
    );
  });
}
