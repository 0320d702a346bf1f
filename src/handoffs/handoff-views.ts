import { CLOSED_STATUSES } from '../domain/support-request';
import type { ConversationRef } from '../engine/ports';
import { stepKey } from '../engine/state';
import type { ConversationRecords } from '../persistence/conversation-records';
import type { HandoffInboxRepository, InboxHandoff, InboxNote } from '../persistence/handoff-inbox.repository';
import { maskLongNumbers, type MessageLogRepository } from '../persistence/message-log.repository';
import type { MongoRequestRepository } from '../persistence/request.repository';

/** A handoff in the inbox list: no message text, no names of beneficiaries. */
export interface HandoffListItem {
  id: string;
  openedAt: Date;
  waitingSeconds: number;
  language: string;
  channel: string;
  reason: string;
  claimedBy: string | null;
  claimedAt: Date | null;
  lastMessageAt: Date;
  messageCount: number;
  /** The beneficiary's open request, if any (newest first). */
  request: { reference: string; status: string } | null;
  /** Where the person was when the handoff opened (`request.nationalId`, `idle` …): where return-to-bot resumes. */
  resumeStep: string;
}

export interface TranscriptLine {
  id: string;
  from: 'beneficiary' | 'bot' | 'staff';
  at: Date;
  text: string;
  staffId: string | null;
  status: string | null;
  attachment: string | null;
}

export interface HandoffDetail extends HandoffListItem {
  status: 'open' | 'closed';
  closedAt: Date | null;
  closeReason: string | null;
  transfers: InboxHandoff['transfers'];
  notes: InboxNote[];
  transcript: TranscriptLine[];
}

const TRANSCRIPT_LIMIT = 200;

/**
 * What the inbox shows, assembled from the handoff, the conversation, the message log and the
 * requests. Texts in the transcript are shown with long digit runs masked (national IDs, phone
 * numbers) for every role: the inbox is for talking, the request file is where full data is read.
 */
export class HandoffViews {
  constructor(
    private readonly deps: {
      inbox: HandoffInboxRepository;
      records: ConversationRecords;
      log: Pick<MessageLogRepository, 'transcript'>;
      requests: Pick<MongoRequestRepository, 'listByApplicant'>;
    },
  ) {}

  async list(now: Date): Promise<HandoffListItem[]> {
    const open = await this.deps.inbox.listOpen();
    return Promise.all(open.map((h) => this.item(h, now)));
  }

  /** The open handoffs one staff member holds: only those are read in full (their conversation and requests). */
  async heldBy(staffId: string, now: Date): Promise<HandoffListItem[]> {
    const open = await this.deps.inbox.listOpen();
    return Promise.all(open.filter((h) => h.claimedBy === staffId).map((h) => this.item(h, now)));
  }

  async detail(id: string, now: Date): Promise<HandoffDetail | null> {
    const h = await this.deps.inbox.get(id);
    if (!h) return null;
    // The outbox before the log: a reply that leaves the outbox has its log row by then (see MessageLogRepository.transcript).
    const outbox = (await this.deps.records.load(h.conversationId))?.outbox ?? [];
    const [item, notes, lines] = await Promise.all([this.item(h, now), this.deps.inbox.notes(id), this.deps.log.transcript(h.conversationId, TRANSCRIPT_LIMIT, outbox)]);
    const byStaff = new Map(h.staffReplies.map((r) => [r.outboundId, r.by]));
    const transcript = lines.map((l): TranscriptLine => {
      const staffId = byStaff.get(l.id) ?? null;
      return { id: l.id, from: l.direction === 'in' ? 'beneficiary' : staffId ? 'staff' : 'bot', at: l.at, text: maskLongNumbers(l.text), staffId, status: l.status, attachment: l.attachment };
    });
    // Notes are staff words but may quote a number the person gave: masked like the transcript.
    const maskedNotes = notes.map((n) => ({ ...n, text: maskLongNumbers(n.text) }));
    return { ...item, status: h.status, closedAt: h.closedAt, closeReason: h.closeReason, transfers: h.transfers, notes: maskedNotes, transcript };
  }

  private async item(h: InboxHandoff, now: Date): Promise<HandoffListItem> {
    const doc = await this.deps.records.load(h.conversationId);
    const ref: ConversationRef | null = doc ? this.deps.records.refOf(doc) : null;
    const requests = ref ? await this.deps.requests.listByApplicant(ref) : [];
    const open = requests.find((r) => !CLOSED_STATUSES.has(r.status));
    const mode = doc ? this.deps.records.stateOf(doc).state.mode : null;
    const resume = mode?.type === 'handoff' && mode.handoffId === h.id ? (mode.resume ?? { type: 'idle' as const }) : { type: 'idle' as const };
    return {
      id: h.id,
      openedAt: h.openedAt,
      waitingSeconds: Math.max(0, Math.floor((now.getTime() - h.openedAt.getTime()) / 1000)),
      language: h.language,
      channel: h.channel,
      reason: h.reason,
      claimedBy: h.claimedBy,
      claimedAt: h.claimedAt,
      lastMessageAt: h.lastMessageAt,
      messageCount: h.messageCount,
      request: open ? { reference: open.reference, status: open.status } : null,
      resumeStep: stepKey(resume),
    };
  }
}
