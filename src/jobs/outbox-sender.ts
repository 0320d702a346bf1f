import type { ChannelSender, SendOutcome } from '../channels/channel';
import type { Logger } from '../logging/logger';
import type { ConversationRecord, ConversationRecords, OutboxItem } from '../persistence/conversation-records';
import type { MessageLogRepository, OutboundOutcome, OutboundSettlement } from '../persistence/message-log.repository';
import type { RedisRateGate } from '../persistence/redis-rate-gate';

/**
 * A rate-limit wait up to this long is sat out in place; longer ones hand the conversation to a
 * delayed flush job. Kept short: a wait in place holds a worker slot and the conversation's lock
 * (with 2 s, Telegram's 1 s gap per chat held every slot and the bench sent 5.6 messages a second).
 */
export const MAX_INLINE_WAIT_MS = 50;
/** Retry delays of a bubble whose send failed in a way worth retrying: 2 s doubling, at most 5 min. */
const RETRY_BASE_MS = 2_000;
const RETRY_MAX_MS = 5 * 60_000;
/** A drain hands over after this many bubbles or this long, well inside the conversation lock's lease. */
const MAX_PER_DRAIN = 20;
const MAX_DRAIN_MS = 20_000;

export interface OutboxSenderDeps {
  records: ConversationRecords;
  log: Pick<MessageLogRepository, 'claimOutbound' | 'releaseOutbound' | 'settleOutbound'>;
  senders: ReadonlyMap<string, ChannelSender>;
  gate: RedisRateGate;
  /** Records how a send ended (written in batches: the claim row already exists). */
  settle: (settlement: OutboundSettlement) => void;
  logger: Logger;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Where a drain stopped: nothing left, wait and try again, or the rest must be sent by another
 * process. `slotReserved`: the wait is for a send slot already reserved, which the next drain uses
 * for its first bubble instead of reserving another (that would push the slot further out each time).
 */
export type DrainResult = { type: 'empty' } | { type: 'later'; delayMs: number; slotReserved: boolean } | { type: 'elsewhere' };

const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Sends a conversation's pending replies in order, exactly once. Each bubble is claimed just
 * before its call by inserting its outbound-log row under the bubble's id (a unique insert: one
 * claimant wins, whatever the locks say). A bubble whose row is already `sending` was claimed by
 * a sender that died mid-call: it may or may not have gone out, so it is marked `unknown` for
 * staff, never sent again. A send that certainly failed gives its claim back. Bubbles that are
 * done leave the outbox in one write at the end. `local` says whether this process may send (a
 * pinned channel sends only where its live client runs).
 */
export function drainOutbox(deps: OutboxSenderDeps, convId: string, local: (s: ChannelSender) => boolean, slotReserved = false): Promise<DrainResult> {
  return deps.records.exclusive(convId, () => drainHeld(deps, convId, local, slotReserved));
}

/** {@link drainOutbox} for a caller that already holds the conversation's lock (a turn sending its own replies). */
export async function drainHeld(deps: OutboxSenderDeps, convId: string, local: (s: ChannelSender) => boolean, slotReserved = false): Promise<DrainResult> {
  const start = await deps.records.load(convId);
  if (!start) return { type: 'empty' };
  const drain = new Drain(deps, start, local, slotReserved);
  try {
    return await drain.run();
  } finally {
    await drain.leaveOutbox();
  }
}

class Drain {
  private readonly done = new Set<string>();
  private retry: { id: string; error: string } | null = null;
  private reserved: boolean;

  constructor(
    private readonly deps: OutboxSenderDeps,
    private doc: ConversationRecord,
    private readonly local: (s: ChannelSender) => boolean,
    slotReserved: boolean,
  ) {
    this.reserved = slotReserved;
  }

  async run(): Promise<DrainResult> {
    const startedAt = Date.now();
    for (let n = 0; n < MAX_PER_DRAIN && Date.now() - startedAt < MAX_DRAIN_MS; n += 1) {
      const head = this.deps.records.head({ ...this.doc, outbox: (this.doc.outbox ?? []).filter((b) => !this.done.has(b.id)) });
      if (!head) return { type: 'empty' };
      const sender = this.deps.senders.get(head.channel);
      if (!sender) {
        await this.finishUnsent(head, 'failed', `channel ${head.channel} is not enabled`);
        continue;
      }
      if (!this.local(sender)) return { type: 'elsewhere' };
      const slot = this.reserved ? { waitMs: 0, reserved: true } : await this.deps.gate.reserve(head.channel, `${head.account}:${head.recipient}`, sender.limits);
      this.reserved = false;
      if (slot.waitMs > MAX_INLINE_WAIT_MS) return { type: 'later', delayMs: slot.waitMs, slotReserved: slot.reserved };
      if (slot.waitMs > 0) await (this.deps.sleep ?? realSleep)(slot.waitMs);
      // The chat's own gap was running: its slot is reserved now, after the wait.
      if (!slot.reserved) continue;
      const recorded = sender.deliveredOnceRecorded === true;
      const claim = await this.deps.log.claimOutbound(this.row(head, recorded ? 'sent' : 'sending'));
      if (!claim.claimed) {
        // Sent, failed or unknown already (a crash after the call): done. `sending`: a sender died mid-call.
        if (claim.status === 'sending') this.deps.settle(settlement(head, 'unknown', null, 'interrupted while sending'));
        if (claim.status !== 'pending') this.done.add(head.id);
        continue;
      }
      const later = await this.afterSend(head, await callSender(sender, head), recorded);
      if (later !== null) return { type: 'later', delayMs: later, slotReserved: false };
    }
    return { type: 'later', delayMs: 0, slotReserved: false };
  }

  /** Takes the finished bubbles out of the outbox, and notes a failed attempt on the one to retry. */
  async leaveOutbox(): Promise<void> {
    if (this.done.size === 0 && !this.retry) return;
    const retry = this.retry;
    this.doc = await this.deps.records.changeOutbox(this.doc, (outbox) =>
      outbox
        .filter((b) => !this.done.has(b.id))
        .map((b) => (retry && b.id === retry.id ? { ...b, attempts: b.attempts + 1, error: retry.error.slice(0, 300) } : b)),
    );
  }

  /** `recorded`: the claim row already says `sent`, which only another outcome changes. */
  private async afterSend(item: OutboxItem, outcome: SendOutcome, recorded: boolean): Promise<number | null> {
    switch (outcome.type) {
      case 'sent':
        if (!recorded || outcome.externalId !== null) this.deps.settle(settlement(item, 'sent', outcome.externalId, null));
        this.done.add(item.id);
        return null;
      case 'rate_limited':
        await this.giveBack(item, `rate limited for ${outcome.retryAfterMs} ms`);
        return outcome.retryAfterMs;
      case 'failed':
        if (outcome.retryable) {
          await this.giveBack(item, outcome.reason);
          return Math.min(RETRY_BASE_MS * 2 ** item.attempts, RETRY_MAX_MS);
        }
        this.deps.logger.warn({ channel: item.channel, outboundId: item.id, reason: outcome.reason }, 'message could not be delivered');
        this.deps.settle(settlement(item, 'failed', null, outcome.reason));
        this.done.add(item.id);
        return null;
      default: {
        const unreachable: never = outcome;
        return unreachable;
      }
    }
  }

  private async giveBack(item: OutboxItem, error: string): Promise<void> {
    await this.deps.log.releaseOutbound(item.id);
    this.retry = { id: item.id, error };
  }

  /** A bubble that cannot be sent at all still gets its row in the outbound log, for staff. */
  private async finishUnsent(item: OutboxItem, status: 'failed', error: string): Promise<void> {
    const claim = await this.deps.log.claimOutbound(this.row(item, 'sending'));
    if (claim.claimed) this.deps.settle(settlement(item, status, null, error));
    this.done.add(item.id);
  }

  private row(item: OutboxItem, status: 'sending' | 'sent'): OutboundOutcome {
    const bubble = this.doc.outbox?.find((b) => b.id === item.id);
    if (!bubble) throw new Error(`bubble ${item.id} left the outbox during its drain`);
    return {
      _id: item.id,
      conversationId: this.doc._id,
      channel: item.channel,
      account: item.account,
      recipientSealed: this.doc.senderSealed,
      replySealed: bubble.replySealed,
      language: item.language,
      kind: item.kind,
      lastInboundAt: item.lastInboundAt,
      seq: bubble.seq,
      status,
      attempts: item.attempts + 1,
      externalId: null,
      error: null,
      createdAt: bubble.createdAt,
      claimedAt: new Date(),
      sentAt: null,
    };
  }
}

function settlement(item: OutboxItem, status: OutboundSettlement['status'], externalId: string | null, error: string | null): OutboundSettlement {
  return { id: item.id, channel: item.channel, status, externalId, error, at: new Date() };
}

async function callSender(sender: ChannelSender, item: OutboxItem): Promise<SendOutcome> {
  return sender
    .send({ account: item.account, recipient: item.recipient }, item.reply, { language: item.language, lastInboundAt: item.lastInboundAt, kind: item.kind })
    .catch((error: unknown) => ({ type: 'failed' as const, retryable: true, reason: error instanceof Error ? error.message : 'send threw' }));
}
