import type { Language } from './language';

/** Channels that feed the engine. `console` is the terminal channel used for development and evaluation. */
export const CHANNELS = ['console', 'telegram', 'whatsapp', 'web'] as const;
export type ChannelId = (typeof CHANNELS)[number];

/**
 * The longest text a person can send on each channel (the platforms' own limits; the web chat's
 * is ours). Longer messages get a polite "please shorten" from the engine; free-text answers
 * such as a description may use all of it.
 */
export const MESSAGE_LIMITS: Readonly<Record<ChannelId, number>> = { console: 4096, telegram: 4096, whatsapp: 4096, web: 2000 };

/** Kinds of non-text content a channel may deliver; the engine answers each politely. */
export type AttachmentKind = 'image' | 'voice' | 'audio' | 'video' | 'document' | 'sticker' | 'location' | 'contact' | 'other';

/** One message from a beneficiary, already decoded from its platform shape by the channel codec. */
export interface InboundMessage {
  channel: ChannelId;
  /** The association's account on that channel (bot id, phone number id, site id). */
  account: string;
  /** Platform id of the person writing (chat id, WhatsApp id, web session id). */
  sender: string;
  /** Platform message id, unique per (channel, account). */
  messageId: string;
  /** Raw text as typed; empty when the message carries only an attachment. */
  text: string;
  receivedAt: Date;
  attachment?: AttachmentKind;
  /** The platform's reference to the attachment (Telegram file_id, WhatsApp media id), so staff can fetch a voice note later. */
  attachmentRef?: string;
  /** A phone number the channel itself vouches for (WhatsApp sender, a shared Telegram contact), in E.164. */
  verifiedPhone?: string;
  /** A platform command (Telegram /start, /menu, /lang; the web chat's language button). */
  command?: PlatformCommand;
  /** The platform's idea of the user's language (Telegram `language_code`), used only on first contact when the text shows none. */
  languageHint?: string;
}

export type PlatformCommand = 'start' | 'menu' | 'language';

/** One numbered choice offered with a reply. `value` is what the engine receives back when it is chosen. */
export interface ReplyOption {
  value: string;
  label: string;
}

/** One reply bubble. Channels decide how options look (buttons, keyboard, numbered list). */
export interface Reply {
  text: string;
  options?: ReplyOption[];
  /**
   * For a message the bot sends first: which approved template may carry it where free text is
   * not allowed (WhatsApp outside the 24-hour window), and the template's parameters (the reference).
   */
  template?: { purpose: 'followup' | 'survey'; parameters: string[] };
}

/** What the engine returns for one inbound message. */
export interface EngineResult {
  /** The recognised intent, or null when the text was consumed as an answer to a form step. */
  intent: string | null;
  language: Language;
  replies: Reply[];
}
