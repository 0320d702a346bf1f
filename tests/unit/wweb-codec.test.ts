import { decodeWwebMessage, encodeReply, isPersonChat, WWEB_ACCOUNT } from '../../src/channels/whatsapp-web/wweb.codec';
import { backoffDelay } from '../../src/channels/whatsapp-web/wweb.connection';
import { bearerMatches } from '../../src/channels/whatsapp-web/wweb.http';
import { defaultWwebLimits, safeMessage } from '../../src/channels/whatsapp-web/wweb.sender';
import { makeWwebMessage, waChatId } from '../support/fake-wweb-client';

const startedAt = new Date('2026-11-22T09:00:00Z');
const notBefore = new Date(startedAt.getTime() - 2 * 60_000);
const decode = (raw: unknown) => decodeWwebMessage(raw, { notBefore });
const chat = waChatId(1234567);

describe('decodeWwebMessage', () => {
  it('turns a text from a person into an InboundMessage with the phone WhatsApp vouches for', () => {
    const raw = makeWwebMessage.text(chat, 'السلام عليكم', { at: startedAt });
    expect(decode(raw)).toEqual({
      type: 'message',
      message: {
        channel: 'whatsapp',
        account: WWEB_ACCOUNT,
        sender: chat,
        messageId: raw.id._serialized,
        text: 'السلام عليكم',
        receivedAt: startedAt,
        verifiedPhone: '+966501234567',
      },
    });
  });

  it('keeps @lid senders (privacy ids) but offers no phone for them', () => {
    const outcome = decode(makeWwebMessage.text('123456789012345@lid', 'hello', { at: startedAt }));
    expect(outcome.type).toBe('message');
    if (outcome.type === 'message') expect(outcome.message.verifiedPhone).toBeUndefined();
  });

  it.each([
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
  ])('maps type %s to attachment %s', (type, kind) => {
    const outcome = decode(makeWwebMessage.text(chat, '', { type, hasMedia: true, at: startedAt }));
    expect(outcome.type === 'message' && outcome.message.attachment).toBe(kind);
  });

  it('keeps a photo caption as text, but never the body of a location or vCard (thumbnail, phone numbers)', () => {
    const photo = decode(makeWwebMessage.image(chat, 'صورة الهوية', { at: startedAt }));
    expect(photo.type === 'message' && photo.message.text).toBe('صورة الهوية');
    const card = decode(makeWwebMessage.text(chat, 'BEGIN:VCARD\nTEL:+966500000000\nEND:VCARD', { type: 'vcard', at: startedAt }));
    expect(card.type === 'message' && card.message.text).toBe('');
    const place = decode(makeWwebMessage.text(chat, '/9j/4AAQSkZJRgABAQ', { type: 'location', at: startedAt }));
    expect(place.type === 'message' && place.message.text).toBe('');
  });

  it.each([
    ['own messages', makeWwebMessage.fromMe(chat, 'hi', { at: startedAt }), 'own'],
    ['status updates', makeWwebMessage.status(chat, 'my status', { at: startedAt }), 'status'],
    ['status by address only', makeWwebMessage.text('status@broadcast', 'x', { at: startedAt }), 'status'],
    ['groups', makeWwebMessage.group('120363041234567890@g.us', 'hi all', { at: startedAt }), 'group'],
    ['channels', makeWwebMessage.text('120363041234567890@newsletter', 'news', { at: startedAt }), 'not-a-person'],
    ['system notices', makeWwebMessage.text(chat, '', { type: 'e2e_notification', at: startedAt }), 'system'],
    ['revoked messages', makeWwebMessage.text(chat, '', { type: 'revoked', at: startedAt }), 'system'],
    ['a type named like an Object method', makeWwebMessage.text(chat, '', { type: 'toString', at: startedAt }), 'system'],
    ['history replayed on login', makeWwebMessage.text(chat, 'old', { at: new Date(notBefore.getTime() - 1000) }), 'stale'],
  ])('ignores %s', (_label, raw, reason) => {
    expect(decode(raw)).toEqual({ type: 'ignored', reason });
  });

  it('accepts a message just inside the grace period', () => {
    expect(decode(makeWwebMessage.text(chat, 'hi', { at: notBefore })).type).toBe('message');
  });

  it('reports a malformed payload by field, never by value', () => {
    const outcome = decode({ id: {}, from: 966501234567, fromMe: 'no', body: 'secret 1234567890', type: 'chat' });
    expect(outcome.type).toBe('invalid');
    if (outcome.type === 'invalid') {
      expect(outcome.issues).toContain('id._serialized');
      expect(outcome.issues).toContain('timestamp');
      expect(outcome.issues).not.toContain('966501234567');
      expect(outcome.issues).not.toContain('secret');
    }
    expect(decode(null).type).toBe('invalid');
  });

  it('recognises one-to-one chat ids only', () => {
    expect(isPersonChat('966501234567@c.us')).toBe(true);
    expect(isPersonChat('123456789012345@lid')).toBe(true);
    expect(isPersonChat('120363041234567890@g.us')).toBe(false);
    expect(isPersonChat('status@broadcast')).toBe(false);
    expect(isPersonChat('966501234567')).toBe(false);
  });
});

describe('encodeReply (numbered options; WhatsApp Web has no buttons)', () => {
  it('sends plain text unchanged', () => {
    expect(encodeReply({ text: 'مرحبًا' }, 'أرسل رقم اختيارك:')).toBe('مرحبًا');
    expect(encodeReply({ text: 'مرحبًا', options: [] }, 'hint')).toBe('مرحبًا');
  });

  it('lists options as "n. label" lines after the hint', () => {
    const text = encodeReply(
      {
        text: 'كيف يمكنني مساعدتك؟',
        options: [
          { value: 'intent:request_new', label: 'تقديم طلب دعم' },
          { value: 'intent:request_status', label: 'متابعة طلب' },
        ],
      },
      'أرسل رقم اختيارك:',
    );
    expect(text).toBe('كيف يمكنني مساعدتك؟\n\nأرسل رقم اختيارك:\n1. تقديم طلب دعم\n2. متابعة طلب');
    expect(text).not.toContain('intent:');
  });
});

describe('whatsapp web helpers', () => {
  it('paces sends as the library maintainers advise', () => {
    expect(defaultWwebLimits(20)).toEqual({ perSecond: 1, perChatGapMs: 3000, jitterMs: [1000, 4000], perMinute: 20 });
  });

  it('backs off 1 s, 2 s, 4 s … up to 60 s, with ±10 % jitter', () => {
    const settings = { initialMs: 1000, maxMs: 60_000 };
    expect([0, 1, 2, 3, 4, 5, 6, 7, 50].map((n) => backoffDelay(n, settings, () => 0.5))).toEqual([1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000]);
    expect(backoffDelay(0, settings, () => 0)).toBe(900);
    expect(backoffDelay(6, settings, () => 1)).toBe(66_000);
  });

  it('compares bearer tokens whatever their length', () => {
    const token = 'a'.repeat(32);
    expect(bearerMatches(`Bearer ${token}`, token)).toBe(true);
    expect(bearerMatches(`bearer ${token}`, token)).toBe(true);
    expect(bearerMatches(`Bearer ${token}x`, token)).toBe(false);
    expect(bearerMatches('Bearer ', token)).toBe(false);
    expect(bearerMatches(token, token)).toBe(false);
    expect(bearerMatches(undefined, token)).toBe(false);
  });

  it('drops phone-like digit runs from error reasons', () => {
    expect(safeMessage(new Error('No LID for user 966501234567@c.us'))).toBe('No LID for user …@c.us');
    expect(safeMessage('boom')).toBe('unknown error');
  });
});
