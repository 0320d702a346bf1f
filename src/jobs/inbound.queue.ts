import { Queue, Worker, type ConnectionOptions, type Job } from 'bullmq';
import type { Engine } from '../engine/engine';
import type { ChannelSender } from '../channels/channel';
import type { Logger } from '../logging/logger';
import type { MessageLogRepository } from '../persistence/message-log.repository';
import { shardOf, shardQueueName } from './sharding';
import type { SendQueue } from './send.queue';

export const INBOUND_QUEUE = 'basirah-inbound';

/** Job payload: ids only, never personal data. */
export interface InboundJob {
  inboundId: string;
  conversationId: string;
}

export interface InboundProcessorDeps {
  engine: Engine;
  log: MessageLogRepository;
  send: SendQueue;
  senders: ReadonlyMap<string, ChannelSender>;
  logger: Logger;
}

/**
 * Runs the engine for one stored inbound message and appends the replies to the outbound log.
 * Idempotent: the engine answers a redelivered message id with its stored result, and outbound
 * ids derive from the inbound id, so a job that runs twice changes nothing the second time.
 */
export async function processInbound(deps: InboundProcessorDeps, job: InboundJob): Promise<void> {
  const loaded = await deps.log.loadInbound(job.inboundId);
  if (!loaded) return;
  const { message } = loaded;
  if (!loaded.done) {
    const sender = deps.senders.get(message.channel);
    if (sender?.typing) await sender.typing({ account: message.account, recipient: message.sender }).catch(() => undefined);
    const result = await deps.engine.handle(message);
    await deps.log.appendOutbound(
      job.inboundId,
      message,
      result.replies,
      // Ordered by processing time, not the platform's timestamp (WhatsApp's has whole seconds):
      // a conversation's messages are processed one at a time, so this order is the arrival order.
      { language: result.language, kind: 'reply', lastInboundAt: message.receivedAt, order: Date.now() },
      new Date(),
    );
    await deps.log.markInboundDone(job.inboundId);
  }
  await deps.send.flush(job.conversationId, message.channel);
}

/** Producer side: one queue per shard. */
export class InboundQueue {
  private readonly queues: Queue<InboundJob>[];

  constructor(
    connection: ConnectionOptions,
    private readonly shards: number,
    prefix = 'bull',
  ) {
    this.queues = Array.from({ length: shards }, (_, i) => new Queue<InboundJob>(shardQueueName(INBOUND_QUEUE, i), { connection, prefix }));
  }

  /** Queues a stored message; the job id is the inbound id, so queuing it twice is harmless. */
  async enqueue(job: InboundJob): Promise<void> {
    const queue = this.queues[shardOf(job.conversationId, this.shards)] as Queue<InboundJob>;
    await queue.add('inbound', job, {
      jobId: job.inboundId,
      attempts: 8,
      backoff: { type: 'exponential', delay: 1000 },
      removeOnComplete: 1000,
      removeOnFail: 5000,
    });
  }

  /** One job at a time per shard, across every process (arrival order per conversation). */
  async enforceGlobalConcurrency(): Promise<void> {
    await Promise.all(this.queues.map((q) => q.setGlobalConcurrency(1)));
  }

  async close(): Promise<void> {
    await Promise.all(this.queues.map((q) => q.close()));
  }
}

/** Consumer side: a worker per shard, concurrency 1. */
export function startInboundWorkers(connection: ConnectionOptions, shards: number, deps: InboundProcessorDeps, prefix = 'bull'): Worker<InboundJob>[] {
  return Array.from({ length: shards }, (_, i) => {
    const worker = new Worker<InboundJob>(shardQueueName(INBOUND_QUEUE, i), (job: Job<InboundJob>) => processInbound(deps, job.data), {
      connection,
      prefix,
      concurrency: 1,
    });
    worker.on('failed', (job, err) => deps.logger.error({ err, jobId: job?.id, attempts: job?.attemptsMade }, 'inbound job failed'));
    return worker;
  });
}
