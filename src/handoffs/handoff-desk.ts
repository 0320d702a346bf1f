import { randomUUID } from 'node:crypto';
import type { ChannelSender } from '../channels/channel';
import type { ChannelId } from '../domain/messages';
import type { Engine } from '../engine/engine';
import type { ProactiveEvent } from '../engine/proactive';
import type { Clock } from '../engine/ports';
import type { FollowUpPlanner } from '../jobs/followup.planner';
import type { Logger } from '../logging/logger';
import type { ConversationRecord, ConversationRecords } from '../persistence/conversation-records';
import type { HandoffInboxRepository, InboxHandoff, OwnerAction } from '../persistence/handoff-inbox.repository';
import type { MessageLogRepository } from '../persistence/message-log.repository';
import type { HandoffEvents, HandoffEventType } from './handoff-events';

/** Who acts in the inbox. Supervisors and admins may act on a handoff someone else holds. */
export interface DeskActor {
  staffId: string;
  overrides: boolean;
}

/** Expected refusals, as values; the staff API maps each to a stable error code. */
export type DeskRefusal =
  | { refused: 'not-found' }
  | { refused: 'handoff-closed' }
  /** Someone else holds it (their staff id). */
  | { refused: 'handoff-claimed'; claimedBy: string }
  /** The action needs the handoff held by the caller. */
  | { refused: 'handoff-not-yours'; claimedBy: string | null }
  /** WhatsApp's 24-hour window is closed: no free text can reach the person (`reason` from the channel). */
  | { refused: 'outside-messaging-window'; reason: string }
  /** Another change won a race; the caller may read again and retry. */
  | { refused: 'handoff-conflict' };

export type DeskOutcome<T extends object = object> = ({ ok: true } & T) | DeskRefusal;

export interface HandoffDeskDeps {
  inbox: HandoffInboxRepository;
  records: ConversationRecords;
  log: Pick<MessageLogRepository, 'hasOutbound'>;
  engine: Engine;
  senders: ReadonlyMap<string, ChannelSender>;
  /** The pipeline's exactly-once send path for a conversation's outbox. */
  resend: (conversationId: string, channel: ChannelId) => Promise<void>;
  planner: FollowUpPlanner;
  events: HandoffEvents;
  clock: Clock;
  logger: Logger;
}

/**
 * The staff side of a handoff: claim, release, transfer, reply, return to the bot, close. Each
 * action runs under the conversation's Redis lock (the same lock the beneficiary's turns take, so
 * a staff action and a message never interleave) and re-reads the handoff there. Ownership
 * changes are claimed by unique insert (HandoffInboxRepository); staff replies go through the
 * conversation's outbox and the send queue like every other message, once per `clientId`.
 */
export class HandoffDesk {
  constructor(private readonly deps: HandoffDeskDeps) {}

  /** Takes an unclaimed handoff. Refused (with who holds it) when someone has it already. */
  claim(handoffId: string, actor: DeskActor): Promise<DeskOutcome> {
    return this.changeOwner(handoffId, 'claim', actor, (h) => (h.claimedBy === null || h.claimedBy === actor.staffId ? null : { refused: 'handoff-claimed', claimedBy: h.claimedBy }), actor.staffId);
  }

  /** Puts it back in the queue: its holder, or a supervisor/admin. */
  release(handoffId: string, actor: DeskActor): Promise<DeskOutcome> {
    return this.changeOwner(handoffId, 'release', actor, (h) => this.mayAct(h, actor), null);
  }

  /** Hands it to another inbox member (validated by the caller): its holder, or a supervisor/admin for anyone's. */
  transfer(handoffId: string, actor: DeskActor, to: string): Promise<DeskOutcome> {
    return this.changeOwner(handoffId, 'transfer', actor, (h) => this.mayAct(h, actor), to);
  }

  /**
   * Sends a staff reply through the beneficiary's own channel, exactly once per `clientId` (a
   * retried request finds its bubble and sends nothing more). Only the holder may reply; refused
   * when the channel cannot carry free text now (WhatsApp Cloud outside the 24-hour window).
   */
  async reply(handoffId: string, actor: DeskActor, text: string, clientId: string = randomUUID()): Promise<DeskOutcome<{ outboundId: string; duplicate: boolean }>> {
    const outboundId = `staff-${handoffId}-${clientId}:0`;
    const outcome = await this.underLock(handoffId, async (h, doc) => {
      if (h.claimedBy !== actor.staffId) return { refused: 'handoff-not-yours' as const, claimedBy: h.claimedBy };
      const lastInboundAt = lastInboundOf(doc);
      const now = this.deps.clock.now();
      const reach = this.deps.senders.get(doc.channel)?.reach?.({ lastInboundAt, purpose: 'staff' }, now) ?? { ok: true as const };
      if (!reach.ok) return { refused: 'outside-messaging-window' as const, reason: reach.reason };
      if ((doc.outbox ?? []).some((b) => b.id === outboundId) || (await this.deps.log.hasOutbound(outboundId))) return { ok: true as const, outboundId, duplicate: true };
      const written = await this.commit(doc, { type: 'staff_reply', handoffId, text }, `staff-${handoffId}-${clientId}`, 'reply');
      if (!written) return { refused: 'handoff-closed' as const };
      await this.deps.inbox.noteStaffReply(handoffId, actor.staffId, outboundId, now);
      return { ok: true as const, outboundId, duplicate: false };
    });
    if ('ok' in outcome && !outcome.duplicate) await this.afterWrite(handoffId, 'handoff.reply');
    return outcome;
  }

  /** An internal note (sealed at rest); any inbox member may add one, held or not. */
  async note(handoffId: string, actor: DeskActor, text: string): Promise<DeskOutcome<{ noteId: string; at: Date }>> {
    const handoff = await this.deps.inbox.get(handoffId);
    if (!handoff) return { refused: 'not-found' };
    const note = await this.deps.inbox.addNote(handoffId, actor.staffId, text, this.deps.clock.now());
    await this.publish('handoff.note', handoffId);
    return { ok: true, noteId: note.id, at: note.at };
  }

  /**
   * Back to the bot (`closed` false) or closed by staff (true; the survey follows): the person is
   * told and asked again what they were at when the handoff opened. `told` is false when their
   * channel cannot be reached now (the conversation still returns to the bot).
   */
  async finish(handoffId: string, actor: DeskActor, closed: boolean): Promise<DeskOutcome<{ told: boolean }>> {
    const by = `staff:${actor.staffId}`;
    const outcome = await this.underLock(handoffId, async (h, doc) => {
      const refusal = this.mayAct(h, actor);
      if (refusal) return refusal;
      const now = this.deps.clock.now();
      const reach = this.deps.senders.get(doc.channel)?.reach?.({ lastInboundAt: lastInboundOf(doc), purpose: 'followup' }, now) ?? { ok: true as const };
      const told = await this.commit(doc, { type: 'handoff_returned', handoffId, closed }, `handback-${handoffId}`, 'proactive', !reach.ok);
      await this.deps.inbox.close(handoffId, by, closed ? 'closed' : 'returned', now);
      return { ok: true as const, told: told && reach.ok, handoff: h };
    });
    if (!('ok' in outcome)) return outcome;
    await this.deps.planner.handoffEnded(handoffId);
    if (closed) await this.deps.planner.handoffClosed({ id: handoffId, conversationId: outcome.handoff.conversationId, channel: outcome.handoff.channel, language: outcome.handoff.language });
    await this.afterWrite(handoffId, 'handoff.closed');
    return { ok: true, told: outcome.told };
  }

  /** The silent-agent timer's action: back to the queue (no staff actor). */
  async releaseSilent(handoff: InboxHandoff): Promise<'released' | 'conflict'> {
    const result = await this.deps.records.exclusive(handoff.conversationId, () => this.deps.inbox.changeOwner(handoff, 'timeout', null, null, this.deps.clock.now()));
    if (result === 'changed') await this.publish('handoff.released', handoff.id);
    return result === 'changed' ? 'released' : 'conflict';
  }

  async publish(type: HandoffEventType, handoffId: string): Promise<void> {
    await this.deps.events.publish({ type, handoffId, at: this.deps.clock.now().toISOString() }).catch((error: unknown) => this.deps.logger.warn({ err: { message: String(error) } }, 'handoff event not published'));
  }

  private mayAct(h: InboxHandoff, actor: DeskActor): DeskRefusal | null {
    return h.claimedBy === actor.staffId || actor.overrides ? null : { refused: 'handoff-not-yours', claimedBy: h.claimedBy };
  }

  private async changeOwner(handoffId: string, action: OwnerAction, actor: DeskActor, check: (h: InboxHandoff) => DeskRefusal | null, to: string | null): Promise<DeskOutcome> {
    const outcome = await this.underLock(handoffId, async (h) => {
      const refusal = check(h);
      if (refusal) return refusal;
      if (action === 'claim' && h.claimedBy === actor.staffId) return { ok: true as const, handoff: h, version: h.claimVersion, changed: false };
      const now = this.deps.clock.now();
      const result = await this.deps.inbox.changeOwner(h, action, to, actor.staffId, now);
      if (result === 'conflict') {
        // Lost the unique insert: report who holds it now.
        const now2 = await this.deps.inbox.get(handoffId);
        return now2?.claimedBy && now2.claimedBy !== actor.staffId ? { refused: 'handoff-claimed' as const, claimedBy: now2.claimedBy } : { refused: 'handoff-conflict' as const };
      }
      return { ok: true as const, handoff: h, version: h.claimVersion + 1, changed: true };
    });
    if (!('ok' in outcome)) return outcome;
    if (outcome.changed && to !== null) await this.deps.planner.handoffClaimed(outcome.handoff, outcome.version, this.deps.clock.now());
    if (outcome.changed) await this.publish(action === 'claim' ? 'handoff.claimed' : action === 'transfer' ? 'handoff.transferred' : 'handoff.released', handoffId);
    return { ok: true };
  }

  /** Runs `work` under the conversation's lock with the handoff (open) and the conversation as they are now. */
  private async underLock<T>(handoffId: string, work: (h: InboxHandoff, doc: ConversationRecord) => Promise<T | DeskRefusal>): Promise<T | DeskRefusal> {
    const first = await this.deps.inbox.get(handoffId);
    if (!first) return { refused: 'not-found' };
    return this.deps.records.exclusive(first.conversationId, async () => {
      const h = await this.deps.inbox.get(handoffId);
      if (!h) return { refused: 'not-found' as const };
      if (h.status !== 'open') return { refused: 'handoff-closed' as const };
      const doc = await this.deps.records.load(h.conversationId);
      if (!doc) return { refused: 'not-found' as const };
      return work(h, doc);
    });
  }

  /**
   * Asks the engine what the event means for the conversation now and writes the new state with
   * its replies (none when `silent`) in one compare-and-set. False when the engine skipped it
   * (the conversation is not in this handoff any more).
   */
  private async commit(doc: ConversationRecord, event: ProactiveEvent, causeId: string, kind: 'reply' | 'proactive', silent = false): Promise<boolean> {
    const records = this.deps.records;
    const ref = records.refOf(doc);
    const now = this.deps.clock.now();
    const decision = await this.deps.engine.proactive(ref, records.stateOf(doc), event, now);
    if (decision.type !== 'send') return false;
    await records.commitTurn(ref, doc, { state: decision.state, replies: silent ? [] : decision.replies, causeId, kind, lastInboundAt: lastInboundOf(doc), processed: null }, now);
    return true;
  }

  private async afterWrite(handoffId: string, type: HandoffEventType): Promise<void> {
    const h = await this.deps.inbox.get(handoffId);
    if (h) await this.deps.resend(h.conversationId, h.channel);
    await this.publish(type, handoffId);
  }
}

/** When the person last wrote (WhatsApp's window runs from it). */
export function lastInboundOf(doc: ConversationRecord): Date | null {
  const at = (doc.state as { lastInboundAt?: unknown }).lastInboundAt;
  return typeof at === 'string' ? new Date(at) : null;
}
