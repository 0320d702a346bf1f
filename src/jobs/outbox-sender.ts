import type { ChannelSender, SendOutcome } from '../channels/channel';
import type { Logger } from '../logging/logger';
import type { ConversationRecord, ConversationRecords, OutboxItem } from '../persistence/conversation-records';
import type { OutboundOutcome } from '../persistence/message-log.repository';
import type { OutboxBubble } from '../persistence/models';
import type { RedisRateGate } from '../persistence/redis-rate-gate';

/** A rate-limit wait up to this long is sat out in place; longer ones hand the conversation to a delayed flush job. */
export const MAX_INLINE_WAIT_MS = 2_000;
/** Retry delays of a bubble whose send failed in a way worth retrying: 2 s doubling, at most 5 min. */
const RETRY_BASE_MS = 2_000;
const RETRY_MAX_MS = 5 * 60_000;
/** Bubbles sent in one go before the conversation gives others a turn. */
const MAX_PER_DRAIN = 20;

export interface OutboxSenderDeps {
  records: ConversationRecords;
  senders: ReadonlyMap<string, ChannelSender>;
  gate: RedisRateGate;
  /** Receives each bubble that left the outbox, for the outbound log (written in batches). */
  recordOutcome: (outcome: OutboundOutcome) => void;
  logger: Logger;
  sleep?: (ms: number) => Promise<void>;
}

/** Where a drain stopped: nothing left, wait and try again, or the rest must be sent by another process. */
export type DrainResult = { type: 'empty' } | { type: 'later'; delayMs: number } | { type: 'elsewhere' };

const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Sends a conversation's pending replies in order, exactly once. Only the owner of the
 * conversation's send flag calls this (see Mailbox.claimSend), so a bubble found `sending` was
 * left by an owner that died mid-call: it may or may not have gone out, so it is marked `unknown`
 * for staff, never sent again. Each bubble is claimed (pending → sending) just before its call;
 * the outcome of one bubble is written together with the claim of the next, so n bubbles cost one
 * read and n + 1 writes, under the conversation's lock. `local` says whether this process may send
 * (a pinned channel sends only where its live client runs).
 */
export function drainOutbox(deps: OutboxSenderDeps, convId: string, local: (s: ChannelSender) => boolean): Promise<DrainResult> {
  return deps.records.exclusive(convId, async () => {
    const start = await deps.records.load(convId);
    return start ? drainLocked(deps, start, local) : { type: 'empty' as const };
  });
}

async function drainLocked(deps: OutboxSenderDeps, start: ConversationRecord, local: (s: ChannelSender) => boolean): Promise<DrainResult> {
  let doc = start;
  let settle: Change | null = null;
  const flush = async (): Promise<void> => {
    if (settle) doc = await deps.records.changeOutbox(doc, settle);
    settle = null;
  };
  for (let sent = 0; sent < MAX_PER_DRAIN; sent += 1) {
    const view: ConversationRecord = settle ? { ...doc, outbox: settle([...(doc.outbox ?? [])]) } : doc;
    const head = deps.records.head(view);
    if (!head) break;
    const sender = deps.senders.get(head.channel);
    if (head.status === 'sending' || !sender) {
      const status = head.status === 'sending' ? 'unknown' : 'failed';
      settle = compose(settle, leave(head.id));
      deps.recordOutcome(outcomeOf(view, head, status, null, status === 'unknown' ? 'interrupted while sending' : `channel ${head.channel} is not enabled`));
      continue;
    }
    if (!local(sender)) {
      await flush();
      return { type: 'elsewhere' };
    }
    const wait = await deps.gate.reserve(head.channel, `${head.account}:${head.recipient}`, sender.limits);
    if (wait > MAX_INLINE_WAIT_MS) {
      await flush();
      return { type: 'later', delayMs: wait };
    }
    if (wait > 0) await (deps.sleep ?? realSleep)(wait);
    doc = await deps.records.changeOutbox(doc, compose(settle, claim(head.id, new Date())));
    settle = null;
    const result = afterSend(deps, doc, head, await callSender(sender, head));
    settle = result.settle;
    if (result.later !== null) {
      await flush();
      return { type: 'later', delayMs: result.later };
    }
  }
  await flush();
  return deps.records.head(doc) ? { type: 'later', delayMs: 0 } : { type: 'empty' };
}

function afterSend(deps: OutboxSenderDeps, doc: ConversationRecord, item: OutboxItem, outcome: SendOutcome): { settle: (o: OutboxBubble[]) => OutboxBubble[]; later: number | null } {
  switch (outcome.type) {
    case 'sent':
      deps.recordOutcome(outcomeOf(doc, item, 'sent', outcome.externalId, null));
      return { settle: leave(item.id), later: null };
    case 'rate_limited':
      return { settle: backToPending(item.id, `rate limited for ${outcome.retryAfterMs} ms`), later: outcome.retryAfterMs };
    case 'failed':
      if (outcome.retryable) {
        const delay = Math.min(RETRY_BASE_MS * 2 ** item.attempts, RETRY_MAX_MS);
        return { settle: backToPending(item.id, outcome.reason), later: delay };
      }
      deps.logger.warn({ channel: item.channel, outboundId: item.id, reason: outcome.reason }, 'message could not be delivered');
      deps.recordOutcome(outcomeOf(doc, item, 'failed', null, outcome.reason));
      return { settle: leave(item.id), later: null };
    default: {
      const unreachable: never = outcome;
      return unreachable;
    }
  }
}

async function callSender(sender: ChannelSender, item: OutboxItem): Promise<SendOutcome> {
  return sender
    .send({ account: item.account, recipient: item.recipient }, item.reply, { language: item.language, lastInboundAt: item.lastInboundAt, kind: item.kind })
    .catch((error: unknown) => ({ type: 'failed' as const, retryable: true, reason: error instanceof Error ? error.message : 'send threw' }));
}

function outcomeOf(doc: ConversationRecord, item: OutboxItem, status: OutboundOutcome['status'], externalId: string | null, error: string | null): OutboundOutcome {
  const bubble = doc.outbox?.find((b) => b.id === item.id);
  return {
    _id: item.id,
    conversationId: doc._id,
    channel: item.channel,
    account: item.account,
    recipientSealed: doc.senderSealed,
    replySealed: bubble?.replySealed ?? doc.senderSealed,
    language: item.language,
    kind: item.kind,
    lastInboundAt: item.lastInboundAt,
    seq: bubble?.seq ?? 0,
    status,
    attempts: bubble?.attempts ?? 0,
    externalId,
    error,
    createdAt: bubble?.createdAt ?? new Date(),
    claimedAt: bubble?.claimedAt ?? null,
    sentAt: status === 'sent' ? new Date() : null,
  };
}

type Change = (outbox: OutboxBubble[]) => OutboxBubble[];

function compose(first: Change | null, second: Change): Change {
  return first ? (outbox) => second(first(outbox)) : second;
}

/** The bubble leaves the outbox (sent, failed for good, or unknown). */
function leave(id: string): Change {
  return (outbox) => outbox.filter((b) => b.id !== id);
}

/** pending → sending, just before the call. */
function claim(id: string, now: Date): Change {
  return (outbox) => outbox.map((b) => (b.id === id && b.status === 'pending' ? { ...b, status: 'sending', claimedAt: now, attempts: b.attempts + 1 } : b));
}

/** A send that certainly did not go out goes back to pending, to be tried again. */
function backToPending(id: string, reason: string): Change {
  return (outbox) => outbox.map((b) => (b.id === id && b.status === 'sending' ? { ...b, status: 'pending', error: reason.slice(0, 300) } : b));
}
