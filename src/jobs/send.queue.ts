import { randomUUID } from 'node:crypto';
import { Queue, Worker, type ConnectionOptions, type Job } from 'bullmq';
import type { ChannelSender } from '../channels/channel';
import type { ChannelId } from '../domain/messages';
import { errorMessage } from '../logging/logger';
import type { Mailbox } from './mailbox';
import { drainHeld, drainOutbox, type DrainResult, type OutboxSenderDeps } from './outbox-sender';

export const SEND_QUEUE = 'basirah-send';
/** After a fault while sending, the flush job tries again this much later. */
const FAULT_RETRY_MS = 2_000;

/** Job payload: the conversation whose replies to send, and the send flag's owner token (a random id) it carries. */
export interface SendJob {
  conversationId: string;
  owner: string;
  /** The first bubble's send slot is already reserved for when the job runs. */
  slotReserved?: boolean;
}

export interface SendDeps extends OutboxSenderDeps {
  mailbox: Mailbox;
}

/**
 * Producer side. A flush job carries the conversation's send flag: exactly one exists per
 * conversation that has replies to send (see Mailbox.claimSend), so flushes never pile up.
 * Channels whose sender needs a live client in one process (WhatsApp Web) get a queue of their
 * own, consumed only where that client runs.
 */
export class SendQueue {
  private readonly shared: Queue<SendJob>;
  private readonly pinnedQueues = new Map<ChannelId, Queue<SendJob>>();

  constructor(connection: ConnectionOptions, pinned: readonly ChannelId[] = [], prefix = 'bull') {
    this.shared = new Queue<SendJob>(SEND_QUEUE, { connection, prefix });
    for (const channel of pinned) this.pinnedQueues.set(channel, new Queue<SendJob>(pinnedQueueName(channel), { connection, prefix }));
  }

  /** Hands the send flag of a conversation (owned under `owner`) to a flush job, to run after `delayMs`. */
  async handOver(mailbox: Mailbox, job: SendJob, channel: ChannelId, delayMs = 0): Promise<void> {
    const queue = this.pinnedQueues.get(channel) ?? this.shared;
    if (delayMs > 0) await mailbox.extendSend(job.conversationId, job.owner, delayMs);
    await queue.add('flush', job, { delay: delayMs, attempts: 5, backoff: { type: 'exponential', delay: 2000 }, removeOnComplete: true, removeOnFail: 1000 });
  }

  isPinned(channel: ChannelId): boolean {
    return this.pinnedQueues.has(channel);
  }

  async close(): Promise<void> {
    await Promise.all([this.shared.close(), ...[...this.pinnedQueues.values()].map((q) => q.close())]);
  }
}

export function pinnedQueueName(channel: ChannelId): string {
  return `${SEND_QUEUE}-${channel}`;
}

/**
 * Announces new replies of a conversation and, if this caller now owns the send flag, sends them
 * (`inline`: in this process, when it has the channel's sender) or hands the flag to a flush job.
 * `lockHeld`: the caller holds the conversation's lock (a turn sending its own replies before it
 * lets go, which saves taking the lock again).
 */
export async function requestSend(deps: SendDeps, queue: SendQueue, convId: string, channel: ChannelId, inline: boolean, lockHeld = false): Promise<void> {
  const owner = randomUUID();
  const gen = await deps.mailbox.claimSend(convId, owner);
  if (gen === null) return; // the current owner will see the new replies before it lets go
  const job = { conversationId: convId, owner };
  if (!inline || !deps.senders.get(channel) || queue.isPinned(channel)) return queue.handOver(deps.mailbox, job, channel);
  const local = (s: ChannelSender): boolean => !queue.isPinned(s.channel);
  const drain = lockHeld ? drainHeld : drainOutbox;
  await sendAsOwner(deps, queue, job, channel, gen, (slotReserved) => drain(deps, convId, local, slotReserved));
}

/**
 * Sends as the owner of the conversation's send flag until nothing is left, then lets go — unless
 * replies were added meanwhile (the generation moved), in which case it sends again.
 */
async function sendAsOwner(
  deps: SendDeps,
  queue: SendQueue,
  job: SendJob,
  channel: ChannelId,
  firstGen: number,
  drain: (slotReserved: boolean) => Promise<DrainResult>,
): Promise<void> {
  let gen = firstGen;
  let slotReserved = job.slotReserved === true;
  for (let round = 0; round < 50; round += 1) {
    const result = await drain(slotReserved).catch((error: unknown): DrainResult => {
      // A fault mid-drain (a database blip, a busy lock) must not leave the flag held by nobody.
      deps.logger.warn({ err: { message: errorMessage(error) } }, 'sending failed; a flush job tries again');
      return { type: 'later' as const, delayMs: FAULT_RETRY_MS, slotReserved: false };
    });
    slotReserved = false;
    if (result.type === 'later') return queue.handOver(deps.mailbox, { conversationId: job.conversationId, owner: job.owner, slotReserved: result.slotReserved }, channel, result.delayMs);
    if (result.type === 'elsewhere') return queue.handOver(deps.mailbox, { conversationId: job.conversationId, owner: job.owner }, channel);
    const next = await deps.mailbox.releaseSend(job.conversationId, gen, job.owner);
    if (next === 'released' || next === 'lost') return;
    gen = next;
  }
  return queue.handOver(deps.mailbox, { conversationId: job.conversationId, owner: job.owner }, channel);
}

/** A flush job: takes over the send flag it carries and sends what this process can send. */
async function processFlush(deps: SendDeps, queue: SendQueue, job: SendJob, pinnedChannel: ChannelId | null): Promise<void> {
  const gen = await deps.mailbox.adoptSend(job.conversationId, job.owner);
  if (gen === null) return; // another owner took over after this job's flag lapsed
  const doc = await deps.records.load(job.conversationId);
  if (!doc) return;
  const local = (s: ChannelSender): boolean => (pinnedChannel === null ? !queue.isPinned(s.channel) : s.channel === pinnedChannel);
  await sendAsOwner(deps, queue, job, doc.channel as ChannelId, gen, (slotReserved) => drainOutbox(deps, job.conversationId, local, slotReserved));
}

export function startSendWorker(connection: ConnectionOptions, deps: SendDeps, queue: SendQueue, prefix: string, concurrency: number): Worker<SendJob> {
  return makeWorker(connection, SEND_QUEUE, deps, queue, prefix, concurrency, null);
}

/** Worker for a pinned channel's queue, started next to that channel's live client. */
export function startPinnedSendWorker(connection: ConnectionOptions, channel: ChannelId, deps: SendDeps, queue: SendQueue, prefix: string): Worker<SendJob> {
  return makeWorker(connection, pinnedQueueName(channel), deps, queue, prefix, 1, channel);
}

function makeWorker(connection: ConnectionOptions, name: string, deps: SendDeps, queue: SendQueue, prefix: string, concurrency: number, pinned: ChannelId | null): Worker<SendJob> {
  const worker = new Worker<SendJob>(name, (job: Job<SendJob>) => processFlush(deps, queue, job.data, pinned), { connection, prefix, concurrency });
  // A flag whose job gave up lapses by itself (Mailbox SEND_FLAG_MS); the recovery sweep then claims it again.
  worker.on('failed', (job, err) => deps.logger.warn({ err: { message: errorMessage(err) }, jobId: job?.id, attempts: job?.attemptsMade }, 'flush job failed'));
  return worker;
}
