import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { BenchContext } from './context';
import { inProcess, perMessage, startCpu, type BaselineResult } from './measure';
import { ObjectId, withDatabase, type Db } from './raw-mongo';
import { formatCpu } from './report-lines';
import { formatLatency, summarize } from './stats';

/** Conversations per worker: each worker updates its own, so compare-and-set never conflicts. */
const CONVERSATIONS_PER_WORKER = 16;

const filler = (bytes: number): string => randomBytes(Math.ceil(bytes * 0.75)).toString('base64').slice(0, bytes);

/**
 * The storage floor: per message, the writes a lean pipeline needs — store the inbound (~1 KB),
 * read it back by _id, read the conversation (~2 KB) by _id, compare-and-set it on its revision,
 * then claim and mark sent (two updates by _id). Six round trips, nothing else.
 */
async function oneMessage(db: Db, conversationId: string, sender: string): Promise<void> {
  const inbound = db.collection('baseline_inbound');
  const conversations = db.collection<{ _id: string; rev: number }>('baseline_conversations');
  const _id = new ObjectId();
  await inbound.insertOne({ _id, channel: 'web', account: 'site', sender, messageId: _id.toHexString(), text: filler(900), status: 'stored', receivedAt: new Date() });
  await inbound.findOne({ _id });
  const conversation = await conversations.findOne({ _id: conversationId });
  const rev = conversation?.rev ?? 0;
  await conversations.updateOne({ _id: conversationId, rev }, { $set: { state: { step: 'faq', at: new Date(), last: _id.toHexString() } }, $inc: { rev: 1 } });
  await inbound.updateOne({ _id }, { $set: { status: 'claimed', claimedAt: new Date() } });
  await inbound.updateOne({ _id }, { $set: { status: 'sent', sentAt: new Date() } });
}

async function run(ctx: BenchContext, db: Db, workers: number, total: number): Promise<BaselineResult> {
  const conversations = db.collection<{ _id: string; rev: number; state: unknown; outbox: string }>('baseline_conversations');
  const ids = Array.from({ length: workers * CONVERSATIONS_PER_WORKER }, (_, i) => `bl-${workers}-${i}`);
  await conversations.insertMany(ids.map((_id) => ({ _id, rev: 0, state: { step: 'menu' }, outbox: filler(2000) })));
  const latencies: number[] = [];
  const stopCpu = await startCpu(null, ctx);
  const start = performance.now();
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      for (let i = w; i < total; i += workers) {
        const t0 = performance.now();
        await oneMessage(db, ids[w * CONVERSATIONS_PER_WORKER + (i % CONVERSATIONS_PER_WORKER)] as string, `s${w}`);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  const cpu = perMessage(inProcess(await stopCpu()), total);
  return { name: `raw driver, 6 round trips/msg, ${workers === 1 ? 'sequential' : `${workers}-way concurrent`}`, unit: 'msg/s', rate: total / seconds, latency: summarize(latencies), cpuPerMessage: cpu };
}

/** Baseline (a): the raw MongoDB driver doing a lean pipeline's writes, sequential and 4-way. */
export async function rawDriverBaseline(ctx: BenchContext): Promise<void> {
  await withDatabase(ctx.mongoUri, ctx.database(), async (db) => {
    for (const workers of [1, 4]) {
      const result = await run(ctx, db, workers, ctx.plan.baseline.rawOps);
      ctx.baselines.push(result);
      ctx.say(`baseline: ${result.name}: ${result.rate.toFixed(0)} msg/s | ${formatLatency(result.latency ?? summarize([]))} | ${formatCpu(result.cpuPerMessage as NonNullable<typeof result.cpuPerMessage>)}`);
    }
    await db.collection('baseline_inbound').drop().catch(() => undefined);
    await db.collection('baseline_conversations').drop().catch(() => undefined);
  });
}
