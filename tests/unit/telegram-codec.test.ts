import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { decodeUpdate, encodeReply, platformCommand, updateIdOf } from '../../src/channels/telegram/telegram.codec';
import { makeTelegramUpdate, type FakeMessage } from '../support/fake-telegram-api';

const now = new Date('2026-11-22T09:00:00Z');
const ctx = { account: '7000000001', now };

describe('telegram codec: decode', () => {
  it('maps a private text message to an InboundMessage', () => {
    const update = makeTelegramUpdate.text(4242, 'السلام عليكم', { languageCode: 'ar' });
    const decoded = decodeUpdate(update, ctx);
    expect(decoded).toEqual({
      type: 'message',
      updateId: update.update_id,
      inbound: {
        channel: 'telegram',
        account: '7000000001',
        sender: '4242',
        messageId: `4242:${(update.message as FakeMessage).message_id}`,
        text: 'السلام عليكم',
        receivedAt: now,
        languageHint: 'ar',
      },
    });
  });

  it.each([
    ['/start', 'start'],
    ['/start@basirah_bot', 'start'],
    ['/start campaign-7', 'start'],
    ['/menu', 'menu'],
    ['/lang', 'language'],
    ['/MENU', 'menu'],
  ])('%s is the platform command %s, with no text', (text, command) => {
    const decoded = decodeUpdate(makeTelegramUpdate.text(1, text), ctx);
    expect(decoded.type === 'message' && decoded.inbound).toMatchObject({ command, text: '' });
  });

  it('keeps unknown commands and ordinary slashes as text', () => {
    expect(platformCommand('/help')).toBeUndefined();
    expect(platformCommand('/starting')).toBeUndefined();
    expect(platformCommand('1/2')).toBeUndefined();
  });

  it('maps a button press to its callback data, with what is needed to echo the label', () => {
    const question: FakeMessage = {
      message_id: 77,
      date: 0,
      chat: { id: 5, type: 'private' },
      text: 'ما صلتك بالنزيل؟',
      reply_markup: { inline_keyboard: [[{ text: 'زوج / زوجة', callback_data: 'relation:spouse' }], [{ text: 'أب / أم', callback_data: 'relation:parent' }]] },
    };
    const update = makeTelegramUpdate.callback(5, 'relation:spouse', question, { languageCode: 'en' });
    const decoded = decodeUpdate(update, ctx);
    if (decoded.type !== 'callback') throw new Error(`expected a callback, got ${decoded.type}`);
    const queryId = (update.callback_query as { id: string }).id;
    expect(decoded.inbound).toMatchObject({ sender: '5', text: 'relation:spouse', messageId: `cb:${queryId}`, languageHint: 'en' });
    expect(decoded.callback).toEqual({ queryId, chatId: 5, messageId: 77, originalText: 'ما صلتك بالنزيل؟', label: 'زوج / زوجة' });
  });

  it('maps a shared own contact to a verified phone in E.164, also given as the text', () => {
    for (const raw of ['966501234567', '+966501234567', '+966 50 123 4567']) {
      const decoded = decodeUpdate(makeTelegramUpdate.contact(9, raw), ctx);
      expect(decoded.type === 'message' && decoded.inbound).toMatchObject({ text: '+966501234567', verifiedPhone: '+966501234567', attachment: 'contact' });
    }
    const foreign = decodeUpdate(makeTelegramUpdate.contact(9, '447700900123'), ctx);
    expect(foreign.type === 'message' && foreign.inbound.verifiedPhone).toBe('+447700900123');
  });

  it("treats someone else's contact as an attachment only", () => {
    const decoded = decodeUpdate(makeTelegramUpdate.contact(9, '966501234567', { contactUserId: 12345 }), ctx);
    expect(decoded.type === 'message' && decoded.inbound).toEqual(expect.objectContaining({ text: '', attachment: 'contact' }));
    expect(decoded.type === 'message' && decoded.inbound.verifiedPhone).toBeUndefined();
  });

  it.each([
    ['photo', makeTelegramUpdate.photo(3), 'image'],
    ['voice', makeTelegramUpdate.voice(3), 'voice'],
    ['sticker', { ...makeTelegramUpdate.text(3, 'x'), message: { ...(makeTelegramUpdate.text(3, 'x').message as FakeMessage), text: undefined, sticker: { file_id: 's' } } }, 'sticker'],
    ['location', { ...makeTelegramUpdate.text(3, 'x'), message: { ...(makeTelegramUpdate.text(3, 'x').message as FakeMessage), text: undefined, location: { latitude: 26.4, longitude: 50.1 } } }, 'location'],
    ['animation (also a document)', { ...makeTelegramUpdate.text(3, 'x'), message: { ...(makeTelegramUpdate.text(3, 'x').message as FakeMessage), text: undefined, animation: { file_id: 'a' }, document: { file_id: 'a' } } }, 'video'],
  ])('maps a %s to text "" and an attachment kind', (_label, update, kind) => {
    const decoded = decodeUpdate(update, ctx);
    expect(decoded.type === 'message' && decoded.inbound).toMatchObject({ text: '', attachment: kind });
  });

  it('keeps the file_id of a voice note and of the largest photo size, for staff', () => {
    const voice = makeTelegramUpdate.voice(3);
    const decoded = decodeUpdate(voice, ctx);
    expect(decoded.type === 'message' && decoded.inbound.attachmentRef).toBe((voice.message as FakeMessage & { voice: { file_id: string } }).voice.file_id);
    const photo = { ...makeTelegramUpdate.text(3, 'x'), message: { ...(makeTelegramUpdate.text(3, 'x').message as FakeMessage), text: undefined, photo: [{ file_id: 'small' }, { file_id: 'large' }] } };
    const decodedPhoto = decodeUpdate(photo, ctx);
    expect(decodedPhoto.type === 'message' && decodedPhoto.inbound.attachmentRef).toBe('large');
  });

  it('ignores groups, channels, bots and update kinds it does not serve', () => {
    expect(decodeUpdate(makeTelegramUpdate.text(-100123, 'hello', { chatType: 'supergroup', userId: 8 }), ctx)).toMatchObject({ type: 'ignored', reason: 'not_private' });
    const fromBot = makeTelegramUpdate.text(8, 'hi');
    (fromBot.message as FakeMessage).from = { id: 8, is_bot: true, first_name: 'bot' };
    expect(decodeUpdate(fromBot, ctx)).toMatchObject({ type: 'ignored', reason: 'from_bot' });
    expect(decodeUpdate({ update_id: 5, edited_message: { message_id: 1 } }, ctx)).toEqual({ type: 'ignored', updateId: 5, reason: 'unsupported' });
  });

  it('reports malformed updates as values, keeping the update id when there is one', () => {
    expect(decodeUpdate({ update_id: 'x' }, ctx)).toMatchObject({ type: 'invalid', updateId: null });
    expect(decodeUpdate({ update_id: 9, message: { chat: { id: 1 } } }, ctx)).toMatchObject({ type: 'invalid', updateId: 9 });
    expect(decodeUpdate('not an object', ctx).type).toBe('invalid');
    expect(updateIdOf({ update_id: 12 })).toBe(12);
  });
});

describe('telegram codec: encode', () => {
  it('sends plain text without a keyboard', () => {
    expect(encodeReply('42', { text: 'مرحبًا' })).toEqual({ chat_id: '42', text: 'مرحبًا' });
  });

  it('turns options into an inline keyboard, one button per row, carrying the option value', () => {
    const params = encodeReply('42', {
      text: 'اختر',
      options: [
        { value: 'intent:request_new', label: 'تقديم طلب دعم' },
        { value: 'intent:request_status', label: 'الاستعلام عن طلب' },
      ],
    });
    expect(params.reply_markup?.inline_keyboard).toEqual([
      [{ text: 'تقديم طلب دعم', callback_data: 'intent:request_new' }],
      [{ text: 'الاستعلام عن طلب', callback_data: 'intent:request_status' }],
    ]);
    expect(params.text).toBe('اختر');
  });

  it('falls back to a numbered list when a value does not fit in 64 bytes of callback data', () => {
    const long = `x:${'ع'.repeat(40)}`; // 82 bytes in UTF-8
    const params = encodeReply('42', { text: 'اختر', options: [{ value: 'a:1', label: 'الأول' }, { value: long, label: 'الثاني' }] });
    expect(params.reply_markup).toBeUndefined();
    expect(params.text).toBe('اختر\n\n1. الأول\n2. الثاني');
    const exactly64 = 'v'.repeat(64);
    expect(encodeReply('1', { text: 't', options: [{ value: exactly64, label: 'l' }] }).reply_markup).toBeDefined();
  });

  it('clips a text Telegram would refuse, without splitting a surrogate pair', () => {
    const text = `${'a'.repeat(4094)}😀😀`;
    const clipped = encodeReply('1', { text }).text;
    expect(clipped.length).toBeLessThanOrEqual(4096);
    expect(clipped.endsWith('…')).toBe(true);
    expect(clipped).toBe(`${'a'.repeat(4094)}…`);
  });
});

describe('telegram boundary', () => {
  it('only telegram.client.ts imports telegraf (and the bench, whose baseline is a bare telegraf bot)', () => {
    const root = join(__dirname, '..', '..', 'src');
    const walk = (dir: string): string[] => readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? walk(join(dir, n)) : [join(dir, n)]));
    const importers = walk(root).filter((f) => f.endsWith('.ts') && /from 'telegraf(\/[^']*)?'/.test(readFileSync(f, 'utf8')));
    // The bench measures the bot against a bare telegraf echo bot; it is a CLI, never loaded by the app.
    expect(importers.map((f) => relative(root, f)).sort()).toEqual(['channels/telegram/telegram.client.ts', 'cli/bench/telegraf-echo.baseline.ts']);
  });
});
