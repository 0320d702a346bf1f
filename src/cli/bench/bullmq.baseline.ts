import { performance } from 'node:perf_hooks';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type { BenchContext } from './context';
import { inProcess, perMessage, startCpu } from './measure';
import { formatCpu } from './report-lines';
import { waitUntil } from './stats';

const ADD_CHUNK = 500;

/** Jobs/s of one worker with `concurrency` draining `total` queued no-op jobs. */
async function drainNoop(ctx: BenchContext, prefix: string, concurrency: number, total: number): Promise<void> {
  const connection = new Redis(ctx.redisUrl, { maxRetriesPerRequest: null });
  const name = `bench-noop-${concurrency}`;
  const queue = new Queue(name, { connection, prefix });
  try {
    for (let i = 0; i < total; i += ADD_CHUNK) {
      await queue.addBulk(Array.from({ length: Math.min(ADD_CHUNK, total - i) }, (_, j) => ({ name: 'noop', data: { n: i + j }, opts: { removeOnComplete: true } })));
    }
    let done = 0;
    const stopCpu = await startCpu(null, ctx);
    const start = performance.now();
    const worker = new Worker(name, async () => undefined, { connection, prefix, concurrency });
    worker.on('completed', () => (done += 1));
    await waitUntil(() => done >= total, 120_000, 10);
    const seconds = (performance.now() - start) / 1000;
    await worker.close();
    const cpu = perMessage(inProcess(await stopCpu()), done);
    ctx.baselines.push({ name: `BullMQ no-op jobs, concurrency ${concurrency}`, unit: 'jobs/s', rate: done / seconds, latency: null, cpuPerMessage: cpu });
    ctx.say(`baseline: BullMQ no-op jobs, concurrency ${concurrency}: ${(done / seconds).toFixed(0)} jobs/s (${done} jobs) | ${formatCpu(cpu)}`);
    await queue.obliterate({ force: true });
  } finally {
    await queue.close();
    await connection.quit().catch(() => undefined);
  }
}

/** Baseline (b): BullMQ alone on the same Redis, under the run's queue prefix (deleted at the end). */
export async function bullmqBaseline(ctx: BenchContext, prefix: string): Promise<void> {
  for (const concurrency of [1, 8]) await drainNoop(ctx, prefix, concurrency, ctx.plan.baseline.bullJobs);
}
