import type { ChannelId } from '../domain/messages';
import type { Engine } from '../engine/engine';
import { initialState } from '../engine/state';
import { errorMessage, type Logger } from '../logging/logger';
import type { ConversationRecords } from '../persistence/conversation-records';
import type { MessageLogRepository } from '../persistence/message-log.repository';

/** How long stored work may wait before it counts as stalled, and how often to look. */
export const RECOVERY_AFTER_MS = 5 * 60_000;
export const RECOVERY_EVERY_MS = 60_000;
/** Recoveries of one message before it is marked failed: one that always crashes must not hold its shard for ever. */
export const MAX_RECOVERIES = 3;
const INBOUND_BATCH = 200;
const CONVERSATION_BATCH = 1000;

export interface RecoveryDeps {
  log: MessageLogRepository;
  records: Pick<ConversationRecords, 'stalledOutboxes'>;
  /**
   * Puts a stored message back into its conversation's mailbox (and queues the conversation if it
   * has no job); `waiting` when it is still there behind a live job, which is not a stall.
   */
  requeue(conversationId: string, inboundId: string): Promise<'waiting' | 'requeued'>;
  /** Takes the removal of a message given up on from its mailbox. */
  forget(conversationId: string, inboundId: string): Promise<void>;
  /** Whether this process runs this minute's sweep (one process at a time). */
  claimSweep?(): Promise<boolean>;
  /** Has a conversation's pending replies sent (unless someone is sending them already). */
  resend(conversationId: string, channel: ChannelId): Promise<void>;
  logger: Logger;
  /** Tells the beneficiary, in their language, that a message given up on was not handled. */
  apologise?: (inboundId: string) => Promise<void>;
}

export interface RecoveryReport {
  inbound: number;
  failed: number;
  conversations: number;
}

/**
 * Nothing stored is left behind: an inbound message whose job gave up (its retries outlasted an
 * outage) or never reached Redis (or whose "done" mark was lost) goes back into its mailbox, and
 * a conversation with replies still unsent is sent again. Both are idempotent — a conversation
 * document remembers the messages it processed, and each reply is claimed before it is sent — so
 * processes sweeping at the same time change nothing twice. A
 * message recovered after a later one of its chat was answered is not run (see processInbound);
 * one recovered MAX_RECOVERIES times without success is marked failed, and its writer is told so.
 */
export async function recoverStalled(deps: RecoveryDeps, now: Date, afterMs = RECOVERY_AFTER_MS): Promise<RecoveryReport> {
  const before = new Date(now.getTime() - afterMs);
  const report: RecoveryReport = { inbound: 0, failed: 0, conversations: 0 };
  for (const item of await deps.log.stalledInbound(before, INBOUND_BATCH)) {
    await each(deps, async () => {
      if ((await deps.requeue(item.conversationId, item.id)) === 'waiting') return;
      if ((await deps.log.noteRecovery(item.id)) > MAX_RECOVERIES) {
        await deps.log.markInbound(item.id, 'failed');
        await deps.forget(item.conversationId, item.id);
        deps.logger.error({ inboundId: item.id }, 'inbound message given up after repeated recoveries');
        report.failed += 1;
        await deps.apologise?.(item.id);
        return;
      }
      report.inbound += 1;
    });
  }
  for (const item of await deps.records.stalledOutboxes(before, CONVERSATION_BATCH)) {
    await each(deps, async () => {
      await deps.resend(item.conversationId, item.channel);
      report.conversations += 1;
    });
  }
  if (report.inbound + report.failed + report.conversations > 0) deps.logger.warn({ ...report }, 'stalled messages queued again');
  return report;
}

/** Sends the beneficiary of a given-up message the engine's apology, as a reply to that message. */
export function makeApologiser(deps: {
  engine: Pick<Engine, 'apologise'>;
  log: MessageLogRepository;
  records: Pick<ConversationRecords, 'addReplies'>;
  resend(conversationId: string, channel: ChannelId): Promise<void>;
}): (inboundId: string) => Promise<void> {
  return async (inboundId) => {
    const loaded = await deps.log.loadInbound(inboundId);
    if (!loaded) return;
    const answer = await deps.engine.apologise(loaded.message);
    await deps.records.addReplies(loaded.message, `${inboundId}:sorry`, answer.replies, initialState(answer.language, 'guessed'), new Date());
    await deps.resend(loaded.conversationId, loaded.message.channel);
  };
}

/** One item's failure (another process retried the same job first, a Redis blip) must not stop the sweep. */
async function each(deps: RecoveryDeps, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    deps.logger.warn({ err: { message: errorMessage(error) } }, 'recovery of one item failed; the next sweep tries again');
  }
}

/** Sweeps every minute until stopped; a failed sweep is logged and the next one tries again. */
export function startRecovery(deps: RecoveryDeps, everyMs = RECOVERY_EVERY_MS): { stop(): void } {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    Promise.resolve(deps.claimSweep ? deps.claimSweep() : true)
      .then((mine) => (mine ? recoverStalled(deps, new Date()) : undefined))
      .catch((error: unknown) => deps.logger.error({ err: { message: errorMessage(error) } }, 'recovery sweep failed'))
      .finally(() => {
        running = false;
      });
  }, everyMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
