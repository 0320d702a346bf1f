import { z } from 'zod';
import type { AttachmentKind, InboundMessage, Reply } from '../../domain/messages';

/**
 * Codec between whatsapp-web.js messages and our types. Reads only public `Message` fields
 * (never `_data`), validated by a schema: they are scraped from the WhatsApp Web page and
 * change shape between WhatsApp releases.
 */

/** The public `Message` fields we read; anything else on the object is ignored. */
export const WwebMessageSchema = z.object({
  id: z.object({ _serialized: z.string().min(1).max(512) }),
  from: z.string().min(1).max(256),
  fromMe: z.boolean(),
  /** Text of a chat message, caption of a media message, or library-specific data (location thumbnail, vCard). */
  body: z.string().max(65_536).catch(''),
  type: z.string().min(1).max(64),
  /** Seconds since the epoch, as WhatsApp stamped the message. */
  timestamp: z.number().int().nonnegative(),
  hasMedia: z.boolean().optional(),
  isStatus: z.boolean().optional(),
});

/** A whatsapp-web.js `Message`, reduced to what the codec reads (the tests' factories build these). */
export type WwebMessageLike = z.input<typeof WwebMessageSchema>;

/** The association's account on this channel; stable across re-links, unlike the phone's own id. */
export const WWEB_ACCOUNT = 'wweb';

/** Attachment kind of each non-text message type a person can send (answered politely: "text only"). */
const ATTACHMENT_OF_TYPE: ReadonlyMap<string, AttachmentKind> = new Map<string, AttachmentKind>([
  ['image', 'image'],
  ['album', 'image'],
  ['ptt', 'voice'],
  ['audio', 'audio'],
  ['video', 'video'],
  ['document', 'document'],
  ['sticker', 'sticker'],
  ['location', 'location'],
  ['vcard', 'contact'],
  ['multi_vcard', 'contact'],
  ['poll_creation', 'other'],
  ['list_response', 'other'],
  ['buttons_response', 'other'],
  ['template_button_reply', 'other'],
  ['interactive', 'other'],
  ['order', 'other'],
  ['product', 'other'],
  ['groups_v4_invite', 'other'],
  ['scheduled_event_creation', 'other'],
]);

/** Types whose body is a caption the person typed; for the others (location, vCard) body is data, not text. */
const CAPTIONED = new Set(['image', 'album', 'video', 'document']);

export type IgnoreReason = 'own' | 'status' | 'group' | 'not-a-person' | 'stale' | 'system';

export type DecodeOutcome =
  | { type: 'message'; message: InboundMessage }
  | { type: 'ignored'; reason: IgnoreReason }
  /** The payload did not match the schema; `issues` name fields, never values. */
  | { type: 'invalid'; issues: string };

export interface DecodeOptions {
  /** Messages stamped before this are history WhatsApp replays on login: not answered. */
  notBefore: Date;
}

/**
 * Decodes one `message` event. Only people writing to us one-to-one get through: our own
 * messages, status updates, groups, channels and system notices (revoked, reactions…) are ignored.
 */
export function decodeWwebMessage(raw: unknown, options: DecodeOptions): DecodeOutcome {
  const parsed = WwebMessageSchema.safeParse(raw);
  if (!parsed.success) return { type: 'invalid', issues: parsed.error.issues.map((i) => `${i.path.join('.') || 'message'}: ${i.code}`).join('; ') };
  const msg = parsed.data;
  const reason = ignoreReason(msg, options);
  if (reason) return { type: 'ignored', reason };
  const attachment = ATTACHMENT_OF_TYPE.get(msg.type);
  const text = msg.type === 'chat' || CAPTIONED.has(msg.type) ? msg.body : '';
  const verifiedPhone = phoneOf(msg.from);
  return {
    type: 'message',
    message: {
      channel: 'whatsapp',
      account: WWEB_ACCOUNT,
      sender: msg.from,
      messageId: msg.id._serialized,
      text,
      receivedAt: new Date(msg.timestamp * 1000),
      ...(attachment ? { attachment } : {}),
      ...(verifiedPhone ? { verifiedPhone } : {}),
    },
  };
}

type WwebMessage = z.output<typeof WwebMessageSchema>;

function ignoreReason(msg: WwebMessage, options: DecodeOptions): IgnoreReason | null {
  if (msg.fromMe) return 'own';
  if (msg.isStatus === true || msg.from === 'status@broadcast') return 'status';
  if (msg.from.endsWith('@g.us')) return 'group';
  if (!isPersonChat(msg.from)) return 'not-a-person';
  if (msg.type !== 'chat' && !ATTACHMENT_OF_TYPE.has(msg.type)) return 'system';
  if (msg.timestamp * 1000 < options.notBefore.getTime()) return 'stale';
  return null;
}

/** One-to-one chats: phone-number ids (`…@c.us`) and WhatsApp's privacy ids (`…@lid`). */
export function isPersonChat(chatId: string): boolean {
  return /^[0-9]{5,20}(:[0-9]{1,3})?@(c\.us|lid)$/.test(chatId);
}

/** `9665XXXXXXXX@c.us` is the sender's phone number, which WhatsApp has verified; `@lid` ids hide it. */
function phoneOf(chatId: string): string | undefined {
  const match = /^([0-9]{8,15})@c\.us$/.exec(chatId);
  return match ? `+${match[1]}` : undefined;
}

/**
 * One reply as WhatsApp text. WhatsApp Web no longer delivers buttons or lists from unofficial
 * clients, so options become numbered lines after a localised hint; the engine reads "1"/"١" back.
 */
export function encodeReply(reply: Reply, chooseHint: string): string {
  const options = reply.options ?? [];
  if (options.length === 0) return reply.text;
  return [reply.text, '', chooseHint, ...options.map((o, i) => `${i + 1}. ${o.label}`)].join('\n');
}
