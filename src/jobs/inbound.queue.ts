import { Queue, Worker, type ConnectionOptions, type Job } from 'bullmq';
import type { ChannelSender } from '../channels/channel';
import type { ChannelId, EngineResult, InboundMessage } from '../domain/messages';
import type { Engine } from '../engine/engine';
import type { Mode } from '../engine/state';
import { errorMessage, type Logger } from '../logging/logger';
import type { ConversationRecord, ConversationRecords } from '../persistence/conversation-records';
import type { MessageLogRepository } from '../persistence/message-log.repository';
import type { WriteBatcher } from '../persistence/write-batcher';
import type { Mailbox } from './mailbox';
import { requestSend, type SendDeps, type SendQueue } from './send.queue';

export const INBOUND_QUEUE = 'basirah-turns';

/** Job payload: the conversation whose mailbox to work through. Ids only, never personal data. */
export interface TurnJob {
  conversationId: string;
}

export interface TurnDeps {
  engine: Engine;
  log: MessageLogRepository;
  records: ConversationRecords;
  mailbox: Mailbox;
  turns: InboundQueue;
  send: SendQueue;
  sendDeps: SendDeps;
  /** Marks processed messages done in the inbound record, in batches. */
  done: WriteBatcher<string>;
  senders: ReadonlyMap<string, ChannelSender>;
  logger: Logger;
  /** Told when a turn starts or ends a request draft (its reminders are scheduled or cancelled). */
  drafts?: DraftWatcher;
  /** Told after each turn where the conversation is, for the staff inbox (timers, live events). */
  handoffs?: HandoffTurnWatcher;
}

/** The staff inbox's side of a turn: a handoff opened, a message into one, or the person left it. */
export interface HandoffTurnWatcher {
  afterTurn(conversationId: string, channel: ChannelId, before: Mode | null, after: Mode): Promise<void>;
}

/** The follow-up side of a turn: reminders of an unfinished request. */
export interface DraftWatcher {
  draftStarted(target: { conversationId: string; channel: ChannelId }, draftId: string): Promise<void>;
  draftClosed(draftId: string, reason: 'submitted' | 'cancelled'): Promise<void>;
}

/** Messages of one conversation handled per job before it goes to the back of the queue (fairness). */
export const TURNS_PER_JOB = 4;
/** A later message counts as having overtaken this one only when stored at least this much later. */
const OVERTAKEN_GAP_MS = 2000;

/**
 * A conversation's turn: handles the next few messages of its mailbox in order, then sends the
 * replies (in this process when it can, before letting go of the last message's lock). Per
 * message, under the conversation's lock: the inbound record (from memory when this process
 * stored it) and the conversation document (from the cache when the lock's stamp says nobody
 * wrote since), and one write of the conversation (state + replies + "processed"), all by `_id`.
 * Idempotent: a message already processed (the job ran twice, or recovery queued it again) is
 * recognised by its id in the document and only removed from the mailbox.
 */
export async function processTurns(deps: TurnDeps, convId: string): Promise<void> {
  const ids = await deps.mailbox.peek(convId, TURNS_PER_JOB);
  let toSend: ChannelId | null = null;
  for (const [index, id] of ids.entries()) {
    await deps.records.exclusive(convId, async () => {
      const handled = await handleOne(deps, convId, id);
      // Also when this message added nothing: replies left unsent by an earlier failure go out now.
      if (handled.outboxPending && handled.channel) toSend = handled.channel;
      // After the batch's last message, its replies go out before the lock is let go (not taken again to send).
      if (index === ids.length - 1 && toSend) await requestSend(deps.sendDeps, deps.send, convId, toSend, true, true);
    });
    await deps.mailbox.done(convId, id);
  }
}

interface Handled {
  channel: ChannelId | null;
  /** Whether the conversation has replies waiting to be sent after this message. */
  outboxPending: boolean;
}

async function handleOne(deps: TurnDeps, convId: string, inboundId: string): Promise<Handled> {
  const [loaded, doc] = await Promise.all([deps.log.loadInbound(inboundId), deps.records.load(convId)]);
  const pending = doc?.outboxPending === true;
  if (!loaded) return { channel: (doc?.channel as ChannelId | undefined) ?? null, outboxPending: pending };
  const { message } = loaded;
  if (loaded.done || deps.records.hasProcessed(doc, inboundId)) {
    if (!loaded.done) deps.done.add(inboundId);
    return { channel: message.channel, outboxPending: pending };
  }
  // Overtaken (its job outlasted a fault, or recovery found it later): the chat has moved on,
  // and a stale "1" or "نعم" must not answer whatever question is open now.
  if (doc?.lastStoredAt && doc.lastStoredAt.getTime() >= loaded.storedAt.getTime() + OVERTAKEN_GAP_MS) {
    deps.logger.warn({ inboundId }, 'inbound message overtaken by a later one; not run');
    await deps.log.markInbound(inboundId, 'superseded');
    return { channel: message.channel, outboxPending: pending };
  }
  const sender = deps.senders.get(message.channel);
  if (sender?.typing) void sender.typing({ account: message.account, recipient: message.sender }).catch(() => undefined);
  const prior = doc ? deps.records.stateOf(doc) : null;
  const draftBefore = prior?.state.draft?.id ?? null;
  const submitting = prior?.state.mode.type === 'request' && prior.state.mode.step === 'attest';
  const decided = await deps.engine.decide(message, prior);
  const draftAfter = decided.state.draft?.id ?? null;
  // Reminders are written before the turn (a record whose draft never came is skipped when due), cancelled after it.
  if (draftAfter && draftAfter !== draftBefore) await deps.drafts?.draftStarted({ conversationId: convId, channel: message.channel }, draftAfter);
  const committed = await commit(deps, doc, message, inboundId, loaded.storedAt, decided.state, decided.result);
  deps.done.add(inboundId);
  if (deps.handoffs && (prior?.state.mode.type === 'handoff' || decided.state.mode.type === 'handoff')) {
    await deps.handoffs.afterTurn(convId, message.channel, prior?.state.mode ?? null, decided.state.mode).catch((error: unknown) => deps.logger.warn({ err: { message: errorMessage(error) } }, 'staff inbox not told of a handoff turn'));
  }
  if (draftBefore && draftBefore !== draftAfter) {
    await deps.drafts?.draftClosed(draftBefore, submitting ? 'submitted' : 'cancelled').catch((error: unknown) => deps.logger.warn({ err: { message: errorMessage(error) } }, 'draft reminders not cancelled; they are skipped when due'));
  }
  return { channel: message.channel, outboxPending: committed.outboxPending === true };
}

function commit(deps: TurnDeps, doc: ConversationRecord | null, message: InboundMessage, inboundId: string, storedAt: Date, state: Parameters<ConversationRecords['commitTurn']>[2]['state'], result: EngineResult): Promise<ConversationRecord> {
  return deps.records.commitTurn(
    message,
    doc,
    { state, replies: result.replies, causeId: inboundId, kind: 'reply', lastInboundAt: message.receivedAt, processed: { id: inboundId, storedAt } },
    new Date(),
  );
}

/** Producer side: one queue shared by every conversation, one job per conversation at a time (see Mailbox). */
export class InboundQueue {
  private readonly queue: Queue<TurnJob>;

  constructor(connection: ConnectionOptions, prefix = 'bull') {
    this.queue = new Queue<TurnJob>(INBOUND_QUEUE, { connection, prefix });
  }

  /** Queues a conversation's turn; callers do so only when they set its turn flag. */
  async schedule(conversationId: string): Promise<void> {
    await this.queue.add('turns', { conversationId }, { attempts: 8, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: true, removeOnFail: 5000 });
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}

/**
 * Consumer side: `concurrency` conversations at once per process. A failing message stays at the
 * head of its mailbox while BullMQ retries the job with backoff, so the conversation's later
 * messages cannot overtake it, and other conversations go on.
 */
export function startInboundWorker(connection: ConnectionOptions, deps: TurnDeps, prefix: string, concurrency: number): Worker<TurnJob> {
  const worker = new Worker<TurnJob>(
    INBOUND_QUEUE,
    async (job: Job<TurnJob>) => {
      await processTurns(deps, job.data.conversationId);
      if (await deps.mailbox.finishTurns(job.data.conversationId)) await deps.turns.schedule(job.data.conversationId);
    },
    { connection, prefix, concurrency },
  );
  // Only the message of the error: error objects can carry driver details we do not want in logs.
  worker.on('failed', (job, err) => {
    deps.logger.error({ err: { message: errorMessage(err) }, jobId: job?.id, attempts: job?.attemptsMade }, 'turn job failed');
    // Given up for good: free the flag so the next message, or the recovery sweep, queues the conversation again.
    if (job && job.attemptsMade >= (job.opts.attempts ?? 1)) void deps.mailbox.dropTurnFlag(job.data.conversationId).catch(() => undefined);
  });
  return worker;
}
