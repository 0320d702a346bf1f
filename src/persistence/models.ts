import { mongo, Schema, type Connection, type Model } from 'mongoose';
import type { SealedValue } from '../security/field-cipher';
import { isDuplicateKeyError } from './mongo-errors';

/**
 * All mongoose models, in one place. Written for both MongoDB 7 and FerretDB 1.x: unique indexes
 * only, no TTL or partial indexes, no transactions, no $lookup. Personal data is stored sealed
 * (AES-256-GCM) with HMAC digests beside it for equality look-ups.
 */
/** How a SealedValue is stored (see security/field-cipher.ts); shared by every collection with sealed fields. */
export const sealed = { k: String, iv: String, tag: String, ct: String };
const sealedOrNull = { type: sealed, default: null };

export interface ConversationDoc {
  _id: string;
  channel: string;
  account: string;
  senderSealed: SealedValue;
  rev: number;
  language: string;
  modeType: string;
  state: Record<string, unknown>;
  formsSealed: SealedValue | null;
  createdAt: Date;
  updatedAt: Date;
  /** Replies not yet sent, in order (see persistence/conversation-records). Absent on documents written before the outbox existed. */
  outbox?: OutboxBubble[];
  /** Time of the oldest bubble in `outbox`, or null: the recovery sweep finds stalled replies by it. */
  outboxSince?: Date | null;
  /**
   * Whether the outbox holds anything: the recovery sweep selects on this equality (which an index
   * serves on FerretDB too, unlike a range on `outboxSince`), then filters the few by time.
   */
  outboxPending?: boolean;
  /** Ids of the last inbound messages this conversation has processed (newest last). */
  processed?: string[];
  /** When the newest processed message was stored: an older message arriving later has been overtaken. */
  lastStoredAt?: Date | null;
}

/**
 * A reply waiting in a conversation's outbox. Whether it is being sent is not kept here: its
 * claim is its row in the outbound log (jobs/outbox-sender). Done ones leave the outbox.
 */
export interface OutboxBubble {
  /** `<cause id>:<index>`: deterministic, so a turn committed twice cannot add it twice. */
  id: string;
  seq: number;
  replySealed: SealedValue;
  language: string;
  kind: 'reply' | 'proactive';
  lastInboundAt: Date | null;
  attempts: number;
  createdAt: Date;
  /** Why the last attempt failed, when it did. */
  error: string | null;
}

const ConversationSchema = new Schema<ConversationDoc>(
  {
    _id: String,
    channel: { type: String, required: true },
    account: { type: String, required: true },
    senderSealed: { type: sealed, required: true },
    rev: { type: Number, required: true },
    language: { type: String, required: true },
    modeType: { type: String, required: true },
    state: { type: Schema.Types.Mixed, required: true },
    formsSealed: sealedOrNull,
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
    outbox: { type: [Schema.Types.Mixed], default: undefined },
    outboxSince: { type: Date, default: null },
    outboxPending: { type: Boolean, default: false },
    processed: { type: [String], default: undefined },
    lastStoredAt: { type: Date, default: null },
  },
  { collection: 'conversations', versionKey: false, minimize: false },
);
ConversationSchema.index({ outboxPending: 1, outboxSince: 1 });

export interface StatusChange {
  /** Absent on entries written before status notifications existed. */
  id?: string;
  status: string;
  note: string | null;
  at: Date;
  by: string;
}

export interface SupportRequestDoc {
  reference: string;
  draftId: string;
  status: string;
  statusNote: string | null;
  statusHistory: StatusChange[];
  applicant: { channel: string; account: string; senderDigest: string; senderSealed: SealedValue };
  /**
   * `applicant.senderDigest` again, at the top level: FerretDB (the embedded default) cannot use
   * an index for a dotted path and read every request on each status look-up. Set on creation;
   * requests stored without it get it at the next start ({@link backfillApplicantDigests}).
   */
  applicantDigest?: string;
  nationalIdDigest: string;
  nationalIdSealed: SealedValue;
  phoneDigest: string;
  phoneSealed: SealedValue;
  applicantNameSealed: SealedValue;
  inmateNameSealed: SealedValue | null;
  relation: string;
  facility: string;
  facilityOtherSealed: SealedValue | null;
  supportType: string;
  descriptionSealed: SealedValue;
  language: string;
  attestation: { wordingVersion: string; attestedAt: Date; channel: string; messageId: string; dataHash: string };
  submittedAt: Date;
  updatedAt: Date;
}

const SupportRequestSchema = new Schema<SupportRequestDoc>(
  {
    reference: { type: String, required: true, unique: true },
    draftId: { type: String, required: true, unique: true },
    status: { type: String, required: true },
    statusNote: { type: String, default: null },
    statusHistory: [{ _id: false, id: { type: String, default: undefined }, status: String, note: { type: String, default: null }, at: Date, by: String }],
    applicant: {
      channel: { type: String, required: true },
      account: { type: String, required: true },
      senderDigest: { type: String, required: true },
      senderSealed: { type: sealed, required: true },
    },
    applicantDigest: { type: String, index: true },
    nationalIdDigest: { type: String, required: true, index: true },
    nationalIdSealed: { type: sealed, required: true },
    phoneDigest: { type: String, required: true },
    phoneSealed: { type: sealed, required: true },
    applicantNameSealed: { type: sealed, required: true },
    inmateNameSealed: sealedOrNull,
    relation: { type: String, required: true },
    facility: { type: String, required: true },
    facilityOtherSealed: sealedOrNull,
    supportType: { type: String, required: true },
    descriptionSealed: { type: sealed, required: true },
    language: { type: String, required: true },
    attestation: {
      wordingVersion: { type: String, required: true },
      attestedAt: { type: Date, required: true },
      channel: { type: String, required: true },
      messageId: { type: String, required: true },
      dataHash: { type: String, required: true },
    },
    submittedAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'support_requests', versionKey: false },
);
// The staff console's case list: filtered by status (an equality), newest first.
SupportRequestSchema.index({ status: 1, submittedAt: -1 });
SupportRequestSchema.index({ submittedAt: -1 });

/** One document per national ID with an open request: its unique _id stops a second open request, race-free. */
export interface OpenRequestLockDoc {
  _id: string;
  reference: string;
  /** The submission that took the lock: its retry (after a failed insert) reuses lock and reference. */
  draftId: string;
  createdAt: Date;
}
const OpenRequestLockSchema = new Schema<OpenRequestLockDoc>(
  { _id: String, reference: { type: String, required: true }, draftId: { type: String, default: '' }, createdAt: { type: Date, required: true } },
  { collection: 'open_request_locks', versionKey: false },
);

export interface CounterDoc {
  _id: string;
  seq: number;
}
const CounterSchema = new Schema<CounterDoc>({ _id: String, seq: { type: Number, required: true } }, { collection: 'counters', versionKey: false });

export interface HandoffDoc {
  _id: string;
  conversationId: string;
  channel: string;
  account: string;
  senderSealed: SealedValue;
  reason: string;
  language: string;
  status: 'open' | 'closed';
  messages: Array<{ at: Date; textSealed: SealedValue; attachment?: string | null; attachmentRefSealed?: SealedValue | null }>;
  openedAt: Date;
  closedAt: Date | null;
  closedBy: string | null;
  /**
   * Staff inbox (issue 10). Who holds the chat now (a staff id), since when, and the number of
   * ownership changes so far: each change is first claimed by a unique insert into
   * `handoff_claims` under `<id>:<version>`, so two agents can never both win (absent on older documents).
   */
  claimedBy?: string | null;
  claimedAt?: Date | null;
  claimVersion?: number;
  lastStaffReplyAt?: Date | null;
  /** Internal notes, sealed; never shown to the beneficiary. */
  notes?: Array<{ id: string; at: Date; by: string; textSealed: SealedValue }>;
  /** Ownership changes (claims, releases, transfers, silent-agent timeouts), oldest first. */
  transfers?: Array<{ at: Date; action: string; from: string | null; to: string | null; by: string | null }>;
  /** Outbound bubbles that are staff replies, with who wrote them (the text is in the outbound log, sealed). */
  staffReplies?: Array<{ at: Date; by: string; outboundId: string }>;
  /** How it ended: `beneficiary` left, staff `returned` it to the bot or `closed` it. */
  closeReason?: string | null;
}
const HandoffSchema = new Schema<HandoffDoc>(
  {
    _id: String,
    conversationId: { type: String, required: true, index: true },
    channel: { type: String, required: true },
    account: { type: String, required: true },
    senderSealed: { type: sealed, required: true },
    reason: { type: String, required: true },
    language: { type: String, required: true },
    status: { type: String, required: true, index: true },
    messages: [{ _id: false, at: Date, textSealed: sealed, attachment: { type: String, default: null }, attachmentRefSealed: { type: sealed, default: null } }],
    openedAt: { type: Date, required: true },
    closedAt: { type: Date, default: null },
    closedBy: { type: String, default: null },
    claimedBy: { type: String, default: null },
    claimedAt: { type: Date, default: null },
    claimVersion: { type: Number, default: 0 },
    lastStaffReplyAt: { type: Date, default: null },
    notes: [{ _id: false, id: String, at: Date, by: String, textSealed: sealed }],
    transfers: [{ _id: false, at: Date, action: String, from: { type: String, default: null }, to: { type: String, default: null }, by: { type: String, default: null } }],
    staffReplies: [{ _id: false, at: Date, by: String, outboundId: String }],
    closeReason: { type: String, default: null },
  },
  { collection: 'handoffs', versionKey: false },
);

export interface VolunteerDoc {
  conversationId: string;
  nameSealed: SealedValue;
  phoneSealed: SealedValue;
  phoneDigest: string;
  city: string;
  interest: string;
  language: string;
  createdAt: Date;
}
const VolunteerSchema = new Schema<VolunteerDoc>(
  {
    conversationId: { type: String, required: true },
    nameSealed: { type: sealed, required: true },
    phoneSealed: { type: sealed, required: true },
    phoneDigest: { type: String, required: true },
    city: { type: String, required: true },
    interest: { type: String, required: true },
    language: { type: String, required: true },
    createdAt: { type: Date, required: true },
  },
  { collection: 'volunteers', versionKey: false },
);

export interface FeedbackDoc {
  reference: string;
  conversationId: string;
  kind: string;
  textSealed: SealedValue;
  language: string;
  flagged: boolean;
  status: string;
  createdAt: Date;
}
const FeedbackSchema = new Schema<FeedbackDoc>(
  {
    reference: { type: String, required: true, unique: true },
    conversationId: { type: String, required: true },
    kind: { type: String, required: true },
    textSealed: { type: sealed, required: true },
    language: { type: String, required: true },
    flagged: { type: Boolean, required: true },
    status: { type: String, required: true },
    createdAt: { type: Date, required: true },
  },
  { collection: 'feedback', versionKey: false },
);

export interface Models {
  Conversation: Model<ConversationDoc>;
  SupportRequest: Model<SupportRequestDoc>;
  OpenRequestLock: Model<OpenRequestLockDoc>;
  Counter: Model<CounterDoc>;
  Handoff: Model<HandoffDoc>;
  Volunteer: Model<VolunteerDoc>;
  Feedback: Model<FeedbackDoc>;
}

/**
 * A set of models compiled once per connection, with their indexes made sure of: mongoose refuses
 * to compile a model twice, and the engine, the pipeline, the CLI and the staff console each ask.
 */
export function modelsPerConnection<T extends object>(compile: (connection: Connection) => T, afterIndexes?: (models: T) => Promise<void>): (connection: Connection) => Promise<T> {
  const byConnection = new WeakMap<Connection, Promise<T>>();
  return (connection) => {
    let models = byConnection.get(connection);
    if (!models) {
      const compiled = compile(connection);
      models = Promise.all(Object.values(compiled).map((m: Model<unknown>) => m.syncIndexes()))
        .then(() => afterIndexes?.(compiled))
        .then(() => compiled);
      byConnection.set(connection, models);
    }
    return models;
  };
}

/** The core models of a connection (shared by every caller on it). */
export const createModels = modelsPerConnection(
  (connection): Models => ({
    Conversation: connection.model('Conversation', ConversationSchema),
    SupportRequest: connection.model('SupportRequest', SupportRequestSchema),
    OpenRequestLock: connection.model('OpenRequestLock', OpenRequestLockSchema),
    Counter: connection.model('Counter', CounterSchema),
    Handoff: connection.model('Handoff', HandoffSchema),
    Volunteer: connection.model('Volunteer', VolunteerSchema),
    Feedback: connection.model('Feedback', FeedbackSchema),
  }),
  (models) => backfillApplicantDigests(models.SupportRequest),
);

/**
 * Gives requests stored without `applicantDigest` (by a version before it, or by one still
 * running during an upgrade or after a rollback) their copy of it. Runs at every start: one
 * query for the missing field, which finds nothing once all have it.
 */
export async function backfillApplicantDigests(requests: Model<SupportRequestDoc>): Promise<void> {
  const missing = await requests.find({ applicantDigest: { $exists: false } }, { 'applicant.senderDigest': 1 }).lean();
  for (const doc of missing) await requests.updateOne({ _id: doc._id, applicantDigest: { $exists: false } }, { $set: { applicantDigest: doc.applicant.senderDigest } });
}

/**
 * Next number of a named yearly sequence (BSR-2026, BSF-2026 …), unique even under concurrent
 * writers. FerretDB 1.x on PostgreSQL does not make a `findAndModify` with `$inc` atomic: two
 * callers at the same moment can read the same value (found when two processes submitted requests
 * together, and both got the same reference). So the counter only proposes a number, and each
 * number is claimed by inserting it under a unique `_id`; a taken one moves on to the next.
 */
export async function nextSequence(models: Models, name: string): Promise<number> {
  const claims = models.Counter.db.collection<{ _id: string; at: Date }>('sequence_claims');
  let seq = await proposeSequence(models, name);
  for (let tries = 0; tries < 1000; tries += 1, seq += 1) {
    try {
      await claims.insertOne({ _id: `${name}:${seq}`, at: new Date() });
      if (tries > 0) await models.Counter.updateOne({ _id: name }, { $max: { seq } });
      return seq;
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
    }
  }
  throw new Error(`sequence ${name}: no free number found`);
}

async function proposeSequence(models: Models, name: string): Promise<number> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      const doc = await models.Counter.findOneAndUpdate({ _id: name }, { $inc: { seq: 1 } }, { upsert: true, new: true }).lean();
      return doc?.seq ?? 1;
    } catch (error) {
      // Two first-ever callers both tried to create the counter; the loser simply increments it.
      if (!isDuplicateKeyError(error) || attempt > 0) throw error;
    }
  }
}

/**
 * The driver's own collection behind a model, typed by its document: the hot message path reads
 * and writes through it, skipping mongoose's casting and hydration (≈ 60 % of the CPU per message
 * went to mongoose, the driver and BSON). Mongoose types `Model.collection` without the document
 * type; the collection is the same object.
 */
export function rawCollection<T extends { _id: string }>(model: Model<T>): mongo.Collection<T> {
  return model.collection as unknown as mongo.Collection<T>;
}
