import { z } from 'zod';
import type { AttachmentKind, InboundMessage, PlatformCommand, Reply } from '../../domain/messages';
import { parseSaudiMobile } from '../../domain/phone';

/**
 * The Telegram codec: a Bot API `Update` (parsed with a schema, public fields only) becomes our
 * {@link InboundMessage}; our {@link Reply} becomes `sendMessage` parameters with an inline keyboard.
 * Pure functions, no I/O.
 */

const User = z.object({
  id: z.number().int(),
  is_bot: z.boolean(),
  language_code: z.string().max(35).optional(),
});

// Unknown future chat types are kept as strings; only 'private' is served.
const Chat = z.object({ id: z.number().int(), type: z.string() });
const FileRef = z.object({ file_id: z.string() });
const InlineButton = z.object({ text: z.string(), callback_data: z.string().optional() });

const Message = z.object({
  message_id: z.number().int(),
  chat: Chat,
  from: User.optional(),
  text: z.string().optional(),
  photo: z.array(FileRef).optional(),
  voice: FileRef.optional(),
  audio: FileRef.optional(),
  video: FileRef.optional(),
  video_note: FileRef.optional(),
  animation: FileRef.optional(),
  document: FileRef.optional(),
  sticker: FileRef.optional(),
  location: z.object({ latitude: z.number(), longitude: z.number() }).optional(),
  contact: z.object({ phone_number: z.string().max(64), user_id: z.number().int().optional() }).optional(),
  poll: z.object({ id: z.string() }).optional(),
  dice: z.object({ emoji: z.string() }).optional(),
  reply_markup: z.object({ inline_keyboard: z.array(z.array(InlineButton)) }).optional(),
});
type TelegramMessage = z.infer<typeof Message>;

const CallbackQuery = z.object({
  id: z.string().min(1),
  from: User,
  // Absent for inline-mode messages; for messages older than 48 h only chat and message_id remain.
  message: Message.optional(),
  data: z.string().optional(),
});
type TelegramCallbackQuery = z.infer<typeof CallbackQuery>;

const Update = z.object({
  update_id: z.number().int().nonnegative(),
  message: Message.optional(),
  callback_query: CallbackQuery.optional(),
});

/** A pressed inline button, with what is needed to answer it and to echo the choice in the chat. */
export interface CallbackContext {
  queryId: string;
  chatId: number;
  messageId: number;
  /** Text of the message that carried the keyboard, when Telegram still sends it. */
  originalText: string | null;
  /** Label of the pressed button, found in that message's keyboard. */
  label: string | null;
}

export type DecodedUpdate =
  | { type: 'message'; updateId: number; inbound: InboundMessage }
  | { type: 'callback'; updateId: number; inbound: InboundMessage; callback: CallbackContext }
  | { type: 'ignored'; updateId: number; reason: 'not_private' | 'from_bot' | 'unsupported'; callbackQueryId?: string }
  | { type: 'invalid'; updateId: number | null; error: string };

export interface DecodeContext {
  /** The bot's id: our account on Telegram. */
  account: string;
  now: Date;
}

/** Decodes one raw update. Malformed input is a value (`invalid`), never an exception. */
export function decodeUpdate(raw: unknown, ctx: DecodeContext): DecodedUpdate {
  const parsed = Update.safeParse(raw);
  if (!parsed.success) {
    const error = parsed.error.issues.map((i) => `${i.path.join('.') || 'update'}: ${i.message}`).join('; ');
    return { type: 'invalid', updateId: updateIdOf(raw), error };
  }
  const update = parsed.data;
  if (update.message) return decodeMessage(update.update_id, update.message, ctx);
  if (update.callback_query) return decodeCallback(update.update_id, update.callback_query, ctx);
  return { type: 'ignored', updateId: update.update_id, reason: 'unsupported' };
}

/** The update id of a payload that failed the schema, so the poller can still move past it. */
export function updateIdOf(raw: unknown): number | null {
  if (typeof raw !== 'object' || raw === null || !('update_id' in raw)) return null;
  const id = (raw as { update_id: unknown }).update_id;
  return typeof id === 'number' && Number.isSafeInteger(id) && id >= 0 ? id : null;
}

/**
 * The chat a raw update belongs to, read without the full decode: the poller keeps a chat's later
 * updates behind one of its refused ones (per-chat order). Null when the update names no chat.
 */
export function chatIdOf(raw: unknown): string | null {
  const parsed = ChatOnly.safeParse(raw);
  if (!parsed.success) return null;
  const chat = parsed.data.message?.chat ?? parsed.data.callback_query?.message?.chat;
  return chat ? String(chat.id) : null;
}

const ChatRef = z.object({ chat: z.object({ id: z.number().int() }) });
const ChatOnly = z.object({ message: ChatRef.optional(), callback_query: z.object({ message: ChatRef.optional() }).optional() });

function decodeMessage(updateId: number, message: TelegramMessage, ctx: DecodeContext): DecodedUpdate {
  // Groups and channels are not served: beneficiaries' details must not be collected in public.
  if (message.chat.type !== 'private') return { type: 'ignored', updateId, reason: 'not_private' };
  if (!message.from || message.from.is_bot) return { type: 'ignored', updateId, reason: 'from_bot' };
  const base = {
    channel: 'telegram' as const,
    account: ctx.account,
    sender: String(message.chat.id),
    messageId: `${message.chat.id}:${message.message_id}`,
    receivedAt: ctx.now,
    ...(message.from.language_code ? { languageHint: message.from.language_code } : {}),
  };
  if (message.text !== undefined) {
    const command = platformCommand(message.text);
    // A command carries no text: "/start" must not be read as English by language detection.
    return { type: 'message', updateId, inbound: command ? { ...base, text: '', command } : { ...base, text: message.text } };
  }
  if (message.contact) {
    const own = message.contact.user_id !== undefined && message.contact.user_id === message.from.id;
    const phone = own ? toE164(message.contact.phone_number) : null;
    // The phone goes in as text too, so the request form's phone step accepts it like a typed number.
    const inbound: InboundMessage = phone ? { ...base, text: phone, attachment: 'contact', verifiedPhone: phone } : { ...base, text: '', attachment: 'contact' };
    return { type: 'message', updateId, inbound };
  }
  const attachment = attachmentOf(message);
  if (!attachment) return { type: 'ignored', updateId, reason: 'unsupported' };
  const ref = attachmentRefOf(message);
  return { type: 'message', updateId, inbound: { ...base, text: '', attachment, ...(ref ? { attachmentRef: ref } : {}) } };
}

function decodeCallback(updateId: number, query: TelegramCallbackQuery, ctx: DecodeContext): DecodedUpdate {
  const message = query.message;
  if (!message || query.data === undefined || query.data === '') return { type: 'ignored', updateId, reason: 'unsupported', callbackQueryId: query.id };
  if (message.chat.type !== 'private') return { type: 'ignored', updateId, reason: 'not_private', callbackQueryId: query.id };
  if (query.from.is_bot) return { type: 'ignored', updateId, reason: 'from_bot', callbackQueryId: query.id };
  const inbound: InboundMessage = {
    channel: 'telegram',
    account: ctx.account,
    sender: String(message.chat.id),
    messageId: `cb:${query.id}`,
    text: query.data,
    receivedAt: ctx.now,
    ...(query.from.language_code ? { languageHint: query.from.language_code } : {}),
  };
  const label = message.reply_markup?.inline_keyboard.flat().find((b) => b.callback_data === query.data)?.text ?? null;
  const callback: CallbackContext = { queryId: query.id, chatId: message.chat.id, messageId: message.message_id, originalText: message.text ?? null, label };
  return { type: 'callback', updateId, inbound, callback };
}

const COMMANDS: Record<string, PlatformCommand> = { start: 'start', menu: 'menu', lang: 'language', language: 'language' };

/** "/start", "/start@BasirahBot", "/start payload" (deep links) → 'start'. Unknown commands stay text. */
export function platformCommand(text: string): PlatformCommand | undefined {
  const match = /^\/([A-Za-z]+)(?:@[A-Za-z0-9_]+)?(?:\s|$)/.exec(text.trim());
  return match?.[1] ? COMMANDS[match[1].toLowerCase()] : undefined;
}

/** Telegram sends contact numbers with or without "+"; Saudi mobiles get their canonical form. */
function toE164(raw: string): string | null {
  const saudi = parseSaudiMobile(raw);
  if (saudi.ok) return saudi.e164;
  const digits = raw.replace(/[^\d]/g, '');
  return digits.length >= 8 && digits.length <= 15 ? `+${digits}` : null;
}

/** Order matters: an animation also carries `document`, a video note is a short video. */
function attachmentOf(message: TelegramMessage): AttachmentKind | null {
  if (message.photo) return 'image';
  if (message.voice) return 'voice';
  if (message.audio) return 'audio';
  if (message.video || message.video_note || message.animation) return 'video';
  if (message.sticker) return 'sticker';
  if (message.document) return 'document';
  if (message.location) return 'location';
  if (message.poll || message.dice) return 'other';
  return null;
}

/** The file_id staff need to fetch the attachment (the largest size of a photo). */
function attachmentRefOf(message: TelegramMessage): string | null {
  const file = message.voice ?? message.audio ?? message.video ?? message.video_note ?? message.animation ?? message.document ?? message.sticker;
  return file?.file_id ?? message.photo?.at(-1)?.file_id ?? null;
}

/** `sendMessage` parameters (Bot API names). */
export interface SendMessageParams {
  chat_id: string;
  text: string;
  reply_markup?: { inline_keyboard: Array<Array<{ text: string; callback_data: string }>> };
}

/** Telegram refuses callback data over 64 bytes and texts over 4096 characters. */
export const MAX_CALLBACK_DATA_BYTES = 64;
export const MAX_TEXT_LENGTH = 4096;

/**
 * Encodes a reply. Options become an inline keyboard, one button per row (labels are long and
 * Arabic); a button sends back the option's value. Should any value not fit in callback data,
 * the options are listed as numbers instead, which the engine understands as well.
 */
export function encodeReply(chatId: string, reply: Reply): SendMessageParams {
  const options = reply.options ?? [];
  if (options.length === 0) return { chat_id: chatId, text: clip(reply.text) };
  if (options.every((o) => fitsCallbackData(o.value))) {
    const inline_keyboard = options.map((o) => [{ text: o.label, callback_data: o.value }]);
    return { chat_id: chatId, text: clip(reply.text), reply_markup: { inline_keyboard } };
  }
  const list = options.map((o, i) => `${i + 1}. ${o.label}`).join('\n');
  return { chat_id: chatId, text: clip(`${reply.text}\n\n${list}`) };
}

/** Whether a value can travel as a button's callback data (1–64 bytes of UTF-8). */
export function fitsCallbackData(value: string): boolean {
  const bytes = Buffer.byteLength(value, 'utf8');
  return bytes >= 1 && bytes <= MAX_CALLBACK_DATA_BYTES;
}

/**
 * A longer text would be refused (400) and lost; a clipped one still reaches the beneficiary.
 * Telegram counts UTF-16 code units, as `String.length` does; a surrogate pair is never split.
 */
function clip(text: string): string {
  if (text.length <= MAX_TEXT_LENGTH) return text;
  const head = text.slice(0, MAX_TEXT_LENGTH - 1);
  return `${/[\uD800-\uDBFF]$/.test(head) ? head.slice(0, -1) : head}…`;
}
