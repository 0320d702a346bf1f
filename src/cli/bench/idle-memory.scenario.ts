import { performance } from 'node:perf_hooks';
import type { BenchContext } from './context';
import type { MemoryReport } from './app-messages';
import { sleep } from './stats';
import { WebFamily } from './web-family';

/** Families opened at once while the conversations are being created. */
const CONCURRENCY = 40;
/** Conversations left alone this long count as idle (timers, sockets and caches had time to let go). */
const IDLE_MS = 3000;

export interface IdleMemoryResult {
  conversations: number;
  seconds: number;
  before: MemoryReport;
  after: MemoryReport;
  heapPer10k: number;
  rssPer10k: number;
}

/**
 * Memory per 10,000 idle conversations: heap (after a full GC) before and after opening many
 * conversations (one greeting each, answered, socket closed, then left idle). Near zero when
 * conversation state lives in the database.
 */
export async function idleMemoryScenario(ctx: BenchContext): Promise<IdleMemoryResult> {
  const { conversations, maxSeconds } = ctx.plan.idle;
  // A fresh process gives a clean heap; the quick run keeps the one it has (a start costs seconds).
  if (!ctx.plan.quick) await ctx.restartApp('fresh heap for the idle-conversation measurement');
  // Warm up first, so JIT code and lazily built caches are not counted as per-conversation memory.
  await openConversations(ctx, 50, 30);
  const before = await ctx.app.memory();
  const start = performance.now();
  const opened = await openConversations(ctx, conversations, maxSeconds);
  const seconds = (performance.now() - start) / 1000;
  await sleep(IDLE_MS);
  const after = await ctx.app.memory();
  const scale = 10_000 / Math.max(1, opened);
  const result = { conversations: opened, seconds, before, after, heapPer10k: (after.heapUsed - before.heapUsed) * scale, rssPer10k: (after.rss - before.rss) * scale };
  const mb = (n: number): string => `${(n / 1048576).toFixed(1)} MB`;
  ctx.say(
    `idle memory: ${opened} conversations opened in ${seconds.toFixed(0)} s; heap ${mb(before.heapUsed)} → ${mb(after.heapUsed)}, rss ${mb(before.rss)} → ${mb(after.rss)}; per 10,000 idle conversations: heap ${mb(result.heapPer10k)}, rss ${mb(result.rssPer10k)}${before.collected ? '' : ' (no gc exposed)'}`,
  );
  return result;
}

/** Opens up to `count` conversations (one answered greeting each), within `maxSeconds`. */
async function openConversations(ctx: BenchContext, count: number, maxSeconds: number): Promise<number> {
  const deadline = performance.now() + maxSeconds * 1000;
  let started = 0;
  let answered = 0;
  const worker = async (): Promise<void> => {
    while (started < count && performance.now() < deadline) {
      started += 1;
      const family = await WebFamily.open(ctx.app.port, ctx.journeys.faq(1)).catch(() => null);
      if (!family) continue;
      const outcome = await family.askNext(Math.max(1000, deadline - performance.now()));
      if (outcome.type === 'answered') answered += 1;
      family.close();
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return answered;
}
