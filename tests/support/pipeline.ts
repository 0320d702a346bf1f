import { randomBytes } from 'node:crypto';
import type { ChannelModule } from '../../src/channels/module';
import type { FollowUpSettings } from '../../src/domain/followup';
import type { AdmissionLimits } from '../../src/jobs/mailbox';
import { createLogger } from '../../src/logging/logger';
import { createPipeline, type Pipeline } from '../../src/runtime/pipeline';
import { startTestEngine, type TestEngine } from './engine-setup';

export interface TestPipeline {
  env: TestEngine;
  pipeline: Pipeline;
  close(): Promise<void>;
}

/**
 * The real message pipeline (inbound record → BullMQ shard queues → engine → outbound log →
 * send workers) on the test's own database and a unique BullMQ prefix, with workers running.
 * Pass `modules` built around `pipeline.gateway` via the factory, since modules need the sink.
 */
export async function startTestPipeline(
  label: string,
  makeModules: (deps: { env: TestEngine; sink: Pipeline['gateway'] }) => ChannelModule[] | Promise<ChannelModule[]>,
  options: { workers?: boolean; concurrency?: number; admission?: AdmissionLimits; followUps?: FollowUpSettings } = {},
): Promise<TestPipeline & { modules: ChannelModule[]; prefix: string }> {
  const env = await startTestEngine(label);
  const prefix = `t-${label}-${randomBytes(3).toString('hex')}`;
  let modules: ChannelModule[] = [];
  // The gateway exists only after the pipeline does; modules are built with a late-bound sink.
  const sink = { accept: (m: Parameters<Pipeline['gateway']['accept']>[0]) => pipeline.gateway.accept(m) } as Pipeline['gateway'];
  modules = await makeModules({ env, sink });
  const pipeline = await createPipeline(env.services, modules, {
    redisUrl: process.env.REDIS_URL as string,
    concurrency: options.concurrency ?? 4,
    prefix,
    logger: createLogger(process.env.T_LOG ?? 'silent'),
    conversations: env.core.ports.conversations,
    translator: env.core.ports.translator,
    ...(env.core.ports.faults ? { faults: env.core.ports.faults } : {}),
    ...(options.admission ? { admission: options.admission } : {}),
    // The engine's manual clock drives the follow-ups too: tests move time instead of waiting.
    clock: env.clock,
    ...(options.followUps ? { followUps: { settings: options.followUps, retentionDays: 180 } } : {}),
  });
  if (options.workers !== false) {
    pipeline.startWorkers(env.core.engine);
    pipeline.startPinnedWorkers();
  }
  return {
    env,
    pipeline,
    modules,
    prefix,
    async close() {
      await pipeline.close();
      await env.teardown();
    },
  };
}

/** Polls until `check` returns a value (not undefined), or fails after `timeoutMs`. For waiting on async pipelines. */
export async function eventually<T>(check: () => Promise<T | undefined> | T | undefined, timeoutMs = 10_000, label = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${label}`);
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
