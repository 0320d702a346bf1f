import { Queue, Worker, type ConnectionOptions, type Job } from 'bullmq';
import type { ChannelSender } from '../channels/channel';
import type { ChannelId } from '../domain/messages';
import type { Logger } from '../logging/logger';
import type { MessageLogRepository, OutboundItem } from '../persistence/message-log.repository';
import type { RedisRateGate } from '../persistence/redis-rate-gate';
import type { ConversationLock } from '../engine/ports';
import { shardOf, shardQueueName } from './sharding';

export const SEND_QUEUE = 'basirah-send';
/** A 429 asking for at most this long is waited out in the job; longer ones retry the job later. */
const MAX_INLINE_WAIT_MS = 30_000;

/** Job payload: the conversation to flush. Ids only. */
export interface SendJob {
  conversationId: string;
}

/** A send that should be tried again later; the job fails and BullMQ retries it with backoff. */
export class RetryLaterError extends Error {
  readonly code = 'SEND_RETRY_LATER';
}

export interface SendProcessorDeps {
  log: MessageLogRepository;
  senders: ReadonlyMap<string, ChannelSender>;
  gate: RedisRateGate;
  lock: ConversationLock;
  logger: Logger;
  sleep?: (ms: number) => Promise<void>;
}

const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Sends a conversation's pending bubbles in order. Idempotent and order-keeping: any flush of a
 * conversation sends whatever is pending, oldest first, and stops at the first bubble that must
 * wait, so later bubbles never overtake it. Each bubble is claimed before sending (see
 * MessageLogRepository.claim), so a retry never sends it twice.
 */
export async function flushConversation(deps: SendProcessorDeps, job: SendJob): Promise<number> {
  return deps.lock.withLock(`send:${job.conversationId}`, async () => {
    let sent = 0;
    for (const item of await deps.log.pendingFor(job.conversationId)) {
      const sender = deps.senders.get(item.channel);
      if (!sender) {
        if (await deps.log.claim(item.id, new Date())) await deps.log.release(item.id, false, `channel ${item.channel} is not enabled`);
        continue;
      }
      if (await sendOne(deps, sender, item)) sent += 1;
    }
    return sent;
  });
}

async function sendOne(deps: SendProcessorDeps, sender: ChannelSender, item: OutboundItem): Promise<boolean> {
  const sleep = deps.sleep ?? realSleep;
  for (;;) {
    // Wait for the rate slot first and claim just before the call: a crash while waiting must
    // leave the bubble pending (certainly unsent), not `sending` (which is never retried).
    const wait = await deps.gate.reserve(item.channel, `${item.account}:${item.recipient}`, sender.limits);
    if (wait > 0) await sleep(wait);
    if (!(await deps.log.claim(item.id, new Date()))) return false;
    const outcome = await sender
      .send({ account: item.account, recipient: item.recipient }, item.reply, { language: item.language, lastInboundAt: item.lastInboundAt, kind: item.kind })
      .catch((error: unknown) => ({ type: 'failed' as const, retryable: true, reason: error instanceof Error ? error.message : 'send threw' }));
    switch (outcome.type) {
      case 'sent':
        await deps.log.markSent(item.id, item.channel, outcome.externalId, new Date());
        return true;
      case 'rate_limited':
        await deps.log.release(item.id, true, `rate limited for ${outcome.retryAfterMs} ms`);
        if (outcome.retryAfterMs > MAX_INLINE_WAIT_MS) throw new RetryLaterError(`${item.channel} asked to wait ${outcome.retryAfterMs} ms`);
        await sleep(outcome.retryAfterMs);
        continue;
      case 'failed':
        await deps.log.release(item.id, outcome.retryable, outcome.reason);
        if (outcome.retryable) throw new RetryLaterError(`${item.channel}: ${outcome.reason}`);
        deps.logger.warn({ channel: item.channel, outboundId: item.id, reason: outcome.reason }, 'message could not be delivered');
        return false;
      default: {
        const unreachable: never = outcome;
        return unreachable;
      }
    }
  }
}

/**
 * Producer side. Conversations are sharded; channels whose sender needs a live client in one
 * process (WhatsApp Web) get a queue of their own, consumed only where that client runs.
 */
export class SendQueue {
  private readonly shardQueues: Queue<SendJob>[];
  private readonly pinnedQueues = new Map<ChannelId, Queue<SendJob>>();

  constructor(
    connection: ConnectionOptions,
    private readonly shards: number,
    pinned: readonly ChannelId[] = [],
    prefix = 'bull',
  ) {
    this.shardQueues = Array.from({ length: shards }, (_, i) => new Queue<SendJob>(shardQueueName(SEND_QUEUE, i), { connection, prefix }));
    for (const channel of pinned) this.pinnedQueues.set(channel, new Queue<SendJob>(pinnedQueueName(channel), { connection, prefix }));
  }

  async flush(conversationId: string, channel?: ChannelId): Promise<void> {
    await this.queueFor(conversationId, channel).add('flush', { conversationId }, { attempts: 10, backoff: { type: 'exponential', delay: 2000 }, removeOnComplete: 1000, removeOnFail: 5000 });
  }

  /**
   * A recovery flush: one try, and at most one waiting per conversation (a fixed job id, removed
   * when done), so sweeping every minute during a long outage adds one attempt a minute, not a pile
   * of jobs each with its own retries.
   */
  async flushOnce(conversationId: string, channel?: ChannelId): Promise<void> {
    await this.queueFor(conversationId, channel).add('flush', { conversationId }, { jobId: `recover-${conversationId}`, attempts: 1, removeOnComplete: true, removeOnFail: true });
  }

  private queueFor(conversationId: string, channel?: ChannelId): Queue<SendJob> {
    return (channel && this.pinnedQueues.get(channel)) || (this.shardQueues[shardOf(conversationId, this.shards)] as Queue<SendJob>);
  }

  async enforceGlobalConcurrency(): Promise<void> {
    await Promise.all([...this.shardQueues, ...this.pinnedQueues.values()].map((q) => q.setGlobalConcurrency(1)));
  }

  async close(): Promise<void> {
    await Promise.all([...this.shardQueues, ...this.pinnedQueues.values()].map((q) => q.close()));
  }
}

export function pinnedQueueName(channel: ChannelId): string {
  return `${SEND_QUEUE}-${channel}`;
}

/** Workers for the shard queues (role `workers`). */
export function startSendWorkers(connection: ConnectionOptions, shards: number, deps: SendProcessorDeps, prefix = 'bull'): Worker<SendJob>[] {
  return Array.from({ length: shards }, (_, i) => makeSendWorker(connection, shardQueueName(SEND_QUEUE, i), deps, prefix));
}

/** Worker for a pinned channel's queue, started next to that channel's live client. */
export function startPinnedSendWorker(connection: ConnectionOptions, channel: ChannelId, deps: SendProcessorDeps, prefix = 'bull'): Worker<SendJob> {
  return makeSendWorker(connection, pinnedQueueName(channel), deps, prefix);
}

function makeSendWorker(connection: ConnectionOptions, name: string, deps: SendProcessorDeps, prefix: string): Worker<SendJob> {
  const worker = new Worker<SendJob>(name, (job: Job<SendJob>) => flushConversation(deps, job.data), { connection, prefix, concurrency: 1 });
  worker.on('failed', (job, err) => deps.logger.warn({ err: { message: err.message }, jobId: job?.id, attempts: job?.attemptsMade }, 'send job will retry'));
  return worker;
}
