import { Queue, Worker, type ConnectionOptions, type Job } from 'bullmq';
import type { EngineResult, InboundMessage } from '../domain/messages';
import type { Engine } from '../engine/engine';
import type { ChannelSender } from '../channels/channel';
import { errorMessage, type Logger } from '../logging/logger';
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

/** A later message counts as having overtaken this one only when stored at least this much later. */
const OVERTAKEN_GAP_MS = 2000;

/**
 * Runs the engine for one stored inbound message and appends the replies to the outbound log.
 * Idempotent: the engine answers a redelivered message id with its stored result, and outbound
 * ids derive from the inbound id, so a job that runs twice changes nothing the second time.
 */
export async function processInbound(deps: InboundProcessorDeps, job: InboundJob): Promise<void> {
  const loaded = await deps.log.loadInbound(job.inboundId);
  if (!loaded) return;
  const { message } = loaded;
  // Overtaken (its retries outlasted a fault, or recovery found it later): the chat has moved on,
  // and a stale "1" or "نعم" must not answer whatever question is open now.
  if (!loaded.done && (await deps.log.answeredAfter(job.conversationId, loaded.storedAt, OVERTAKEN_GAP_MS))) {
    deps.logger.warn({ inboundId: job.inboundId }, 'inbound message overtaken by a later one; not run');
    await deps.log.markInbound(job.inboundId, 'superseded');
  } else if (!loaded.done) {
    const sender = deps.senders.get(message.channel);
    if (sender?.typing) await sender.typing({ account: message.account, recipient: message.sender }).catch(() => undefined);
    await appendAnswer(deps.log, job.inboundId, message, await deps.engine.handle(message));
    await deps.log.markInboundDone(job.inboundId);
  }
  await deps.send.flush(job.conversationId, message.channel);
}

/** Appends the engine's answer to a stored message to the outbound log; `causeId` makes the bubble ids (see appendOutbound). */
export async function appendAnswer(log: MessageLogRepository, causeId: string, message: InboundMessage, result: EngineResult): Promise<void> {
  // Ordered by processing time, not the platform's timestamp (WhatsApp's has whole seconds):
  // a conversation's messages are processed one at a time, so this order is the arrival order.
  const meta = { language: result.language, kind: 'reply' as const, lastInboundAt: message.receivedAt, order: Date.now() };
  await log.appendOutbound(causeId, message, result.replies, meta, new Date());
}

/** Delays of the in-place retries before a job is handed back to BullMQ (about 8 s in all). */
const IN_PLACE_RETRY_MS = [250, 500, 1000, 2000, 4000];

/**
 * Retries a failing message in place, so the shard waits: a job handed back to BullMQ goes to its
 * delayed set, and the conversation's next message would overtake it. Only a fault that outlasts
 * these retries falls back to BullMQ's own backoff.
 */
export async function processInOrder(deps: InboundProcessorDeps, job: InboundJob, sleep = defaultSleep): Promise<void> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await processInbound(deps, job);
    } catch (error) {
      const delay = IN_PLACE_RETRY_MS[attempt];
      if (delay === undefined) throw error;
      deps.logger.warn({ err: { message: errorMessage(error) }, inboundId: job.inboundId, attempt }, 'inbound retry in place');
      await sleep(delay);
    }
  }
}

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

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

  /**
   * Queues a stored message; the job id is the inbound id, so queuing it twice is harmless. A job
   * that already failed for good is retried (adding it again would be silently ignored).
   */
  async enqueue(job: InboundJob): Promise<void> {
    const queue = this.queues[shardOf(job.conversationId, this.shards)] as Queue<InboundJob>;
    const existing = await queue.getJob(job.inboundId);
    if (existing && (await existing.isFailed())) {
      await existing.retry('failed');
      return;
    }
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
    const worker = new Worker<InboundJob>(shardQueueName(INBOUND_QUEUE, i), (job: Job<InboundJob>) => processInOrder(deps, job.data), {
      connection,
      prefix,
      concurrency: 1,
    });
    // Only the message of the error: error objects can carry driver details we do not want in logs.
    worker.on('failed', (job, err) => deps.logger.error({ err: { message: err.message }, jobId: job?.id, attempts: job?.attemptsMade }, 'inbound job failed'));
    return worker;
  });
}
