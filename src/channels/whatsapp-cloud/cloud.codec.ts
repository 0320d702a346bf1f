import { z } from 'zod';
import type { AttachmentKind, InboundMessage } from '../../domain/messages';

/**
 * Decoding of WhatsApp Business Cloud API webhooks (Graph API "messages" field). The payload is
 * parsed by a schema at the edge; message types we do not read become attachment kinds, so the
 * engine can answer them politely. Encoding of our replies into Graph payloads: cloud.encode.ts.
 */
export { encodeReply, encodeTemplate, type CloudLabels, type GraphMessage } from './cloud.encode';

/** Graph sends Unix seconds as strings. */
const UnixSeconds = z
  .string()
  .regex(/^\d{1,12}$/)
  .transform((s) => new Date(Number(s) * 1000));

const ChoiceReply = z.object({ id: z.string().min(1).max(256), title: z.string().max(1024).optional() });

const CloudMessage = z
  .object({
    from: z.string().min(1).max(64),
    id: z.string().min(1).max(512),
    timestamp: UnixSeconds,
    type: z.string().min(1).max(64),
    text: z.object({ body: z.string().max(65_536) }).optional(),
    interactive: z
      .object({ type: z.string().max(64), button_reply: ChoiceReply.optional(), list_reply: ChoiceReply.optional() })
      .optional(),
    button: z.object({ payload: z.string().max(4096).optional(), text: z.string().max(4096) }).optional(),
    audio: z.object({ id: z.string().max(256).optional(), voice: z.boolean().optional() }).optional(),
  })
  .superRefine((m, ctx) => {
    // The part named by `type` must be there; other parts (image, location…) are not read.
    const missing =
      (m.type === 'text' && !m.text) ||
      (m.type === 'button' && !m.button) ||
      (m.type === 'interactive' && !m.interactive) ||
      (m.interactive?.type === 'button_reply' && !m.interactive.button_reply) ||
      (m.interactive?.type === 'list_reply' && !m.interactive.list_reply);
    if (missing) ctx.addIssue({ code: z.ZodIssueCode.custom, message: `a ${m.type} message without its content` });
  });
type CloudMessage = z.infer<typeof CloudMessage>;

const CloudStatus = z.object({
  id: z.string().min(1).max(512),
  status: z.string().min(1).max(32),
  timestamp: UnixSeconds,
  errors: z.array(z.object({ code: z.number().int(), title: z.string().max(512).optional() })).optional(),
});

/** The `value` of a change whose field is "messages". */
const MessagesValue = z.object({
  messaging_product: z.literal('whatsapp'),
  metadata: z.object({ phone_number_id: z.string().regex(/^\d{1,32}$/) }),
  messages: z.array(CloudMessage).max(1000).optional(),
  statuses: z.array(CloudStatus).max(1000).optional(),
});

const Envelope = z.object({
  object: z.literal('whatsapp_business_account'),
  entry: z.array(z.object({ changes: z.array(z.object({ field: z.string().max(128), value: z.unknown() })).max(1000) })).max(1000),
});

/** A delivery receipt for a message we sent (its wamid). `error` carries codes and titles only. */
export interface CloudDeliveryStatus {
  externalId: string;
  status: string;
  at: Date;
  error: string | null;
}

export type CloudDecodeResult =
  | { ok: true; messages: InboundMessage[]; statuses: CloudDeliveryStatus[] }
  | { ok: false; error: string };

/** Parses a webhook body (already JSON-decoded). Changes of other fields (templates, account) are ignored. */
export function decodeCloudWebhook(json: unknown): CloudDecodeResult {
  const envelope = Envelope.safeParse(json);
  if (!envelope.success) return { ok: false, error: describe(envelope.error) };
  const messages: InboundMessage[] = [];
  const statuses: CloudDeliveryStatus[] = [];
  for (const entry of envelope.data.entry) {
    for (const change of entry.changes) {
      if (change.field !== 'messages') continue;
      const value = MessagesValue.safeParse(change.value);
      if (!value.success) return { ok: false, error: describe(value.error) };
      const account = value.data.metadata.phone_number_id;
      for (const m of value.data.messages ?? []) {
        const decoded = decodeMessage(account, m);
        if (decoded) messages.push(decoded);
      }
      for (const s of value.data.statuses ?? []) statuses.push(decodeStatus(s));
    }
  }
  return { ok: true, messages, statuses };
}

/** Message types that are not something said to the bot: a reaction, a number change notice. */
const IGNORED_TYPES: ReadonlySet<string> = new Set(['reaction', 'system', 'request_welcome', 'ephemeral']);

const MEDIA_KINDS: Readonly<Record<string, AttachmentKind>> = {
  image: 'image',
  video: 'video',
  document: 'document',
  sticker: 'sticker',
  location: 'location',
  contacts: 'contact',
  voice: 'voice',
};

function decodeMessage(account: string, m: CloudMessage): InboundMessage | null {
  if (IGNORED_TYPES.has(m.type)) return null;
  const base: InboundMessage = {
    channel: 'whatsapp',
    account,
    sender: m.from,
    messageId: m.id,
    text: '',
    receivedAt: m.timestamp,
    // `from` is the sender's WhatsApp number, which WhatsApp has verified; only digits are a phone.
    ...(/^\d{7,15}$/.test(m.from) ? { verifiedPhone: `+${m.from}` } : {}),
  };
  const text = chosenOrTyped(m);
  if (text !== null) return { ...base, text };
  const mediaId = m.audio?.id;
  return { ...base, attachment: attachmentKind(m), ...(mediaId ? { attachmentRef: mediaId } : {}) };
}

/** What the person typed or chose; a chosen button or list row comes back as our option value. */
function chosenOrTyped(m: CloudMessage): string | null {
  if (m.type === 'text') return m.text?.body ?? '';
  if (m.type === 'interactive') return m.interactive?.button_reply?.id ?? m.interactive?.list_reply?.id ?? null;
  if (m.type === 'button') return m.button?.payload ?? m.button?.text ?? '';
  return null;
}

function attachmentKind(m: CloudMessage): AttachmentKind {
  if (m.type === 'audio') return m.audio?.voice ? 'voice' : 'audio';
  return MEDIA_KINDS[m.type] ?? 'other';
}

function decodeStatus(s: z.infer<typeof CloudStatus>): CloudDeliveryStatus {
  const error = s.errors?.length ? s.errors.map((e) => `${e.code}${e.title ? ` ${e.title}` : ''}`).join('; ').slice(0, 300) : null;
  return { externalId: s.id, status: s.status, at: s.timestamp, error };
}

function describe(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.join('.') || 'body'}: ${i.message}`)
    .join('; ');
}
