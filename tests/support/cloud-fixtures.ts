import { createHmac, randomBytes } from 'node:crypto';

/**
 * Factories for WhatsApp Cloud API webhook payloads, shaped like Meta's (Graph API webhooks,
 * "messages" field). Every message gets a fresh wamid unless one is given.
 */

export const CLOUD_PHONE_NUMBER_ID = '106540352242922';

/** `X-Hub-Signature-256` as Meta computes it: HMAC-SHA256 of the raw body with the app secret. */
export function sign(body: string | Buffer, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export const wamid = (): string => `wamid.HBgM${randomBytes(16).toString('hex').toUpperCase()}`;
const seconds = (at: Date): string => String(Math.floor(at.getTime() / 1000));

export interface CloudMessageFixture {
  from: string;
  id: string;
  timestamp: string;
  type: string;
  [part: string]: unknown;
}

export interface CloudStatusFixture {
  id: string;
  status: string;
  timestamp: string;
  recipient_id: string;
  errors?: Array<{ code: number; title: string; message?: string }>;
}

type Base = { id?: string; at?: Date };

function message(from: string, type: string, parts: Record<string, unknown>, base: Base = {}): CloudMessageFixture {
  return { from, id: base.id ?? wamid(), timestamp: seconds(base.at ?? new Date()), type, ...parts };
}

export const cloudMessage = {
  text: (from: string, body: string, base?: Base) => message(from, 'text', { text: { body } }, base),
  buttonReply: (from: string, id: string, title = id.slice(0, 20), base?: Base) =>
    message(from, 'interactive', { interactive: { type: 'button_reply', button_reply: { id, title } } }, base),
  listReply: (from: string, id: string, title = id.slice(0, 24), base?: Base) =>
    message(from, 'interactive', { interactive: { type: 'list_reply', list_reply: { id, title, description: '' } } }, base),
  templateButton: (from: string, payload: string, base?: Base) => message(from, 'button', { button: { payload, text: payload } }, base),
  image: (from: string, base?: Base) => message(from, 'image', { image: { id: '1479537139650973', mime_type: 'image/jpeg', sha256: 'abc' } }, base),
  audio: (from: string, voice: boolean, base?: Base) => message(from, 'audio', { audio: { id: '1479537139650974', mime_type: 'audio/ogg; codecs=opus', voice } }, base),
  video: (from: string, base?: Base) => message(from, 'video', { video: { id: '1479537139650975', mime_type: 'video/mp4' } }, base),
  document: (from: string, base?: Base) => message(from, 'document', { document: { id: '1479537139650976', filename: 'a.pdf', mime_type: 'application/pdf' } }, base),
  sticker: (from: string, base?: Base) => message(from, 'sticker', { sticker: { id: '1479537139650977', mime_type: 'image/webp', animated: false } }, base),
  location: (from: string, base?: Base) => message(from, 'location', { location: { latitude: 26.4207, longitude: 50.0888, name: 'Dammam' } }, base),
  contacts: (from: string, base?: Base) => message(from, 'contacts', { contacts: [{ name: { formatted_name: 'Someone' }, phones: [{ phone: '+966500000000' }] }] }, base),
  reaction: (from: string, to: string, base?: Base) => message(from, 'reaction', { reaction: { message_id: to, emoji: '👍' } }, base),
  unsupported: (from: string, base?: Base) => message(from, 'unsupported', { errors: [{ code: 131051, title: 'Message type unknown' }] }, base),
};

export function cloudStatus(id: string, status: 'sent' | 'delivered' | 'read' | 'failed', recipient: string, at = new Date()): CloudStatusFixture {
  const base: CloudStatusFixture = { id, status, timestamp: seconds(at), recipient_id: recipient };
  return status === 'failed' ? { ...base, errors: [{ code: 131026, title: 'Message undeliverable' }] } : base;
}

/** A whole webhook body: one entry, one "messages" change, with contacts for the senders. */
export function makeCloudWebhook(
  content: { messages?: CloudMessageFixture[]; statuses?: CloudStatusFixture[] },
  phoneNumberId = CLOUD_PHONE_NUMBER_ID,
): Record<string, unknown> {
  const senders = [...new Set((content.messages ?? []).map((m) => m.from))];
  const value: Record<string, unknown> = {
    messaging_product: 'whatsapp',
    metadata: { display_phone_number: '966138000000', phone_number_id: phoneNumberId },
    ...(senders.length > 0 ? { contacts: senders.map((wa_id) => ({ profile: { name: 'Beneficiary' }, wa_id })) } : {}),
    ...(content.messages ? { messages: content.messages } : {}),
    ...(content.statuses ? { statuses: content.statuses } : {}),
  };
  return { object: 'whatsapp_business_account', entry: [{ id: '102290129340398', changes: [{ value, field: 'messages' }] }] };
}
