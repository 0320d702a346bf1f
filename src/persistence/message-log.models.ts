import { Schema, type Connection, type Model } from 'mongoose';
import type { SealedValue } from '../security/field-cipher';
import { sealed } from './models';


/**
 * Every inbound message is stored before anything else happens, under a unique
 * (channel, account, externalId) index: a platform's redelivery hits the index and is dropped.
 */
export interface InboundDoc {
  _id: string;
  channel: string;
  account: string;
  /** HMAC digest of the platform message id: ids can embed the phone number (WhatsApp Web). */
  externalId: string;
  externalIdSealed: SealedValue;
  conversationId: string;
  senderSealed: SealedValue;
  textSealed: SealedValue;
  attachment: string | null;
  attachmentRefSealed: SealedValue | null;
  verifiedPhoneSealed: SealedValue | null;
  command: string | null;
  languageHint: string | null;
  receivedAt: Date;
  storedAt: Date;
  /**
   * pending → done; or superseded (a later message of the chat was answered first, so this one is
   * not run against a conversation that moved on); or failed (recovery gave up on it, see jobs/recovery).
   */
  status: 'pending' | 'done' | 'superseded' | 'failed';
  /** Times the recovery sweep queued it again. */
  recoveries?: number;
}

const InboundSchema = new Schema<InboundDoc>(
  {
    _id: String,
    channel: { type: String, required: true },
    account: { type: String, required: true },
    externalId: { type: String, required: true },
    externalIdSealed: { type: sealed, required: true },
    conversationId: { type: String, required: true },
    senderSealed: { type: sealed, required: true },
    textSealed: { type: sealed, required: true },
    attachment: { type: String, default: null },
    attachmentRefSealed: { type: sealed, default: null },
    verifiedPhoneSealed: { type: sealed, default: null },
    command: { type: String, default: null },
    languageHint: { type: String, default: null },
    receivedAt: { type: Date, required: true },
    storedAt: { type: Date, required: true },
    status: { type: String, required: true },
    recoveries: { type: Number, default: 0 },
  },
  { collection: 'inbound_messages', versionKey: false },
);
InboundSchema.index({ channel: 1, account: 1, externalId: 1 }, { unique: true });
InboundSchema.index({ conversationId: 1, receivedAt: 1 });
InboundSchema.index({ status: 1, storedAt: 1 });

/**
 * The outbound log: one document per reply bubble, `_id` derived from its cause so a retried
 * job cannot add it twice. Status moves pending → sending → sent | failed | unknown.
 */
export interface OutboundDoc {
  _id: string;
  conversationId: string;
  channel: string;
  account: string;
  recipientSealed: SealedValue;
  replySealed: SealedValue;
  language: string;
  kind: 'reply' | 'proactive';
  lastInboundAt: Date | null;
  seq: number;
  status: 'pending' | 'sending' | 'sent' | 'failed' | 'unknown';
  attempts: number;
  externalId: string | null;
  error: string | null;
  createdAt: Date;
  claimedAt: Date | null;
  sentAt: Date | null;
}

const OutboundSchema = new Schema<OutboundDoc>(
  {
    _id: String,
    conversationId: { type: String, required: true },
    channel: { type: String, required: true },
    account: { type: String, required: true },
    recipientSealed: { type: sealed, required: true },
    replySealed: { type: sealed, required: true },
    language: { type: String, required: true },
    kind: { type: String, required: true },
    lastInboundAt: { type: Date, default: null },
    seq: { type: Number, required: true },
    status: { type: String, required: true },
    attempts: { type: Number, required: true },
    externalId: { type: String, default: null },
    error: { type: String, default: null },
    createdAt: { type: Date, required: true },
    claimedAt: { type: Date, default: null },
    sentAt: { type: Date, default: null },
  },
  { collection: 'outbound_messages', versionKey: false },
);
OutboundSchema.index({ conversationId: 1, status: 1, seq: 1 });
OutboundSchema.index({ channel: 1, externalId: 1 });
OutboundSchema.index({ status: 1, createdAt: 1 });

/** Delivery receipts reported by platforms (WhatsApp Cloud statuses). */
export interface DeliveryStatusDoc {
  channel: string;
  externalId: string;
  status: string;
  at: Date;
  error: string | null;
}
const DeliveryStatusSchema = new Schema<DeliveryStatusDoc>(
  {
    channel: { type: String, required: true },
    externalId: { type: String, required: true },
    status: { type: String, required: true },
    at: { type: Date, required: true },
    error: { type: String, default: null },
  },
  { collection: 'delivery_statuses', versionKey: false },
);
DeliveryStatusSchema.index({ channel: 1, externalId: 1, status: 1 }, { unique: true });

export interface MessageLogModels {
  Inbound: Model<InboundDoc>;
  Outbound: Model<OutboundDoc>;
  DeliveryStatus: Model<DeliveryStatusDoc>;
}

export async function createMessageLogModels(connection: Connection): Promise<MessageLogModels> {
  const models: MessageLogModels = {
    Inbound: connection.model('Inbound', InboundSchema),
    Outbound: connection.model('Outbound', OutboundSchema),
    DeliveryStatus: connection.model('DeliveryStatus', DeliveryStatusSchema),
  };
  await Promise.all(Object.values(models).map((m: Model<unknown>) => m.syncIndexes()));
  return models;
}
