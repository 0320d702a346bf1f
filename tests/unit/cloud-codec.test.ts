import { decodeCloudWebhook, encodeReply, encodeTemplate, type CloudLabels, type GraphMessage } from '../../src/channels/whatsapp-cloud/cloud.codec';
import { retryAfterMs } from '../../src/channels/whatsapp-cloud/cloud.client';
import { cloudLabels, toSendOutcome } from '../../src/channels/whatsapp-cloud/cloud.sender';
import { isValidSignature, secretsEqual } from '../../src/channels/whatsapp-cloud/cloud.signature';
import { chooseWhatsAppMessage, SERVICE_WINDOW_MS } from '../../src/channels/whatsapp-cloud/cloud.window';
import type { ReplyOption } from '../../src/domain/messages';
import { I18nTranslator } from '../../src/i18n/translator';
import { LOCALES_DIR } from '../../src/nlu/training-data';
import { CLOUD_PHONE_NUMBER_ID, cloudMessage, cloudStatus, makeCloudWebhook, sign } from '../support/cloud-fixtures';

const labels: CloudLabels = { listButton: 'الخيارات', chooseNumber: 'أرسل رقم الخيار.', optionLine: (n, label) => `${n}- ${label}` };
const options = (n: number, label = (i: number) => `خيار ${i}`): ReplyOption[] =>
  Array.from({ length: n }, (_, i) => ({ value: `opt:${i + 1}`, label: label(i + 1) }));
const chars = (s: string): number => Array.from(s).length;

function interactiveOf(m: GraphMessage) {
  if (m.type !== 'interactive') throw new Error(`expected interactive, got ${m.type}`);
  return m.interactive;
}
function textOf(m: GraphMessage): string {
  if (m.type !== 'text') throw new Error(`expected text, got ${m.type}`);
  return m.text.body;
}

describe('chooseWhatsAppMessage (24-hour customer-service window)', () => {
  const now = new Date('2026-11-25T12:00:00Z');
  const ago = (ms: number): Date => new Date(now.getTime() - ms);

  it.each([
    ['a reply, just after the message', 'free', 'reply', ago(1000)],
    ['a reply, even when the last message is old', 'free', 'reply', ago(3 * SERVICE_WINDOW_MS)],
    ['a reply without a known last message', 'free', 'reply', null],
    ['proactive, 23 h after the last message', 'free', 'proactive', ago(23 * 3600_000)],
    ['proactive, 1 ms before the window closes', 'free', 'proactive', ago(SERVICE_WINDOW_MS - 1)],
    ['proactive, exactly 24 h later', 'template', 'proactive', ago(SERVICE_WINDOW_MS)],
    ['proactive, two days later', 'template', 'proactive', ago(2 * SERVICE_WINDOW_MS)],
    ['proactive, never wrote', 'template', 'proactive', null],
  ] as const)('%s → %s', (_label, expected, kind, lastInboundAt) => {
    expect(chooseWhatsAppMessage({ kind, lastInboundAt }, now)).toBe(expected);
  });
});

describe('encodeReply', () => {
  it('sends text without options as a plain text message', () => {
    expect(encodeReply('966501234567', { text: 'مرحبا' }, labels)).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: '966501234567',
      type: 'text',
      text: { body: 'مرحبا', preview_url: false },
    });
  });

  it('turns up to 3 options into reply buttons whose ids are the option values', () => {
    const i = interactiveOf(encodeReply('1', { text: 'سؤال؟', options: options(3) }, labels));
    expect(i).toEqual({
      type: 'button',
      body: { text: 'سؤال؟' },
      action: { buttons: [1, 2, 3].map((n) => ({ type: 'reply', reply: { id: `opt:${n}`, title: `خيار ${n}` } })) },
    });
  });

  it('cuts button titles longer than 20 characters with an ellipsis, keeping the id', () => {
    const long = 'استخدام الرقم المسجل لدينا في واتساب';
    const i = interactiveOf(encodeReply('1', { text: 'q', options: [{ value: 'phone:use_verified', label: long }, { value: 'phone:other', label: 'رقم آخر' }] }, labels));
    if (i.type !== 'button') throw new Error('expected buttons');
    const first = i.action.buttons[0]?.reply;
    expect(first?.id).toBe('phone:use_verified');
    expect(chars(first?.title ?? '')).toBeLessThanOrEqual(20);
    expect(first?.title.endsWith('…')).toBe(true);
    expect(long.startsWith((first?.title ?? '').slice(0, -1))).toBe(true);
  });

  it('uses a list when cut button titles would clash (WhatsApp wants distinct titles)', () => {
    const same = (i: number) => `الخيار الطويل جدًا جدًا رقم ${i}`;
    expect(interactiveOf(encodeReply('1', { text: 'q', options: options(2, same) }, labels)).type).toBe('list');
  });

  it('turns 4–10 options into a list with the localized button, rows ≤ 24 characters', () => {
    const i = interactiveOf(encodeReply('1', { text: 'القائمة', options: options(10) }, labels));
    if (i.type !== 'list') throw new Error('expected a list');
    expect(i.action.button).toBe('الخيارات');
    expect(i.action.sections).toHaveLength(1);
    expect(i.action.sections[0]?.rows.map((r) => r.id)).toEqual(options(10).map((o) => o.value));
    expect(i.action.sections[0]?.rows[0]).toEqual({ id: 'opt:1', title: 'خيار 1' });
  });

  it('cuts long row titles and keeps the full label in the row description', () => {
    const label = 'Apply for support for my family and children';
    const i = interactiveOf(encodeReply('1', { text: 'menu', options: [...options(4), { value: 'intent:request_new', label }] }, labels));
    if (i.type !== 'list') throw new Error('expected a list');
    const row = i.action.sections[0]?.rows[4];
    expect(row?.id).toBe('intent:request_new');
    expect(chars(row?.title ?? '')).toBe(24);
    expect(row?.title.endsWith('…')).toBe(true);
    expect(row?.description).toBe(label);
  });

  it('writes more than 10 options as a numbered list (the engine understands the numbers)', () => {
    const body = textOf(encodeReply('1', { text: 'اختر', options: options(11) }, labels));
    expect(body).toBe(['اختر', options(11).map((o, i) => `${i + 1}- ${o.label}`).join('\n'), 'أرسل رقم الخيار.'].join('\n\n'));
  });

  it('sends a body longer than 1024 characters as text followed by the numbered options', () => {
    const long = 'ب'.repeat(1100);
    const body = textOf(encodeReply('1', { text: long, options: options(2) }, labels));
    expect(body.startsWith(long)).toBe(true);
    expect(body).toContain('1- خيار 1\n2- خيار 2');
  });

  it('falls back to numbered text when an option value is too long to be an id', () => {
    const body = textOf(encodeReply('1', { text: 'q', options: [{ value: 'x'.repeat(257), label: 'A' }] }, labels));
    expect(body).toContain('1- A');
  });

  it('cuts text beyond WhatsApp’s 4096 characters', () => {
    expect(chars(textOf(encodeReply('1', { text: 'a'.repeat(5000) }, labels)))).toBe(4096);
  });
});

describe('encodeTemplate (outside the window)', () => {
  it('sends the approved template with the reply, on one line, as the only body parameter', () => {
    const m = encodeTemplate('966501234567', { text: 'كيف حالك؟\nهل تمت خدمتك؟', options: options(2) }, { name: 'basirah_followup', language: 'ar' }, labels);
    expect(m).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: '966501234567',
      type: 'template',
      template: {
        name: 'basirah_followup',
        language: { code: 'ar' },
        components: [{ type: 'body', parameters: [{ type: 'text', text: 'كيف حالك؟ هل تمت خدمتك؟ 1- خيار 1 2- خيار 2' }] }],
      },
    });
  });
});

describe('decodeCloudWebhook', () => {
  const from = '966501234567';
  const at = new Date('2026-11-25T10:00:00Z');
  const decodeOne = (m: ReturnType<typeof cloudMessage.text>) => {
    const r = decodeCloudWebhook(makeCloudWebhook({ messages: [m] }));
    if (!r.ok) throw new Error(r.error);
    return r.messages;
  };

  it('decodes a text message with the verified phone and the platform time', () => {
    expect(decodeOne(cloudMessage.text(from, 'السلام عليكم', { id: 'wamid.A', at }))).toEqual([
      { channel: 'whatsapp', account: CLOUD_PHONE_NUMBER_ID, sender: from, messageId: 'wamid.A', text: 'السلام عليكم', receivedAt: at, verifiedPhone: '+966501234567' },
    ]);
  });

  it.each([
    ['a reply button', cloudMessage.buttonReply(from, 'phone:use_verified', 'الرقم'), 'phone:use_verified'],
    ['a list row', cloudMessage.listReply(from, 'intent:request_new', 'تقديم طلب دعم'), 'intent:request_new'],
    ['a template quick-reply button', cloudMessage.templateButton(from, 'survey:5'), 'survey:5'],
  ])('gives the option value back as text for %s', (_label, m, text) => {
    expect(decodeOne(m)[0]).toMatchObject({ text });
    expect(decodeOne(m)[0]?.attachment).toBeUndefined();
  });

  it.each([
    ['image', cloudMessage.image(from), 'image'],
    ['voice note', cloudMessage.audio(from, true), 'voice'],
    ['audio file', cloudMessage.audio(from, false), 'audio'],
    ['voice type', { ...cloudMessage.video(from), type: 'voice', voice: { id: '1' } }, 'voice'],
    ['video', cloudMessage.video(from), 'video'],
    ['document', cloudMessage.document(from), 'document'],
    ['sticker', cloudMessage.sticker(from), 'sticker'],
    ['location', cloudMessage.location(from), 'location'],
    ['contacts', cloudMessage.contacts(from), 'contact'],
    ['unsupported', cloudMessage.unsupported(from), 'other'],
  ])('turns %s into an attachment with empty text', (_label, m, kind) => {
    expect(decodeOne(m)[0]).toMatchObject({ text: '', attachment: kind, sender: from });
  });

  it('ignores reactions, and gives no verified phone for a sender id that is not a number', () => {
    expect(decodeOne(cloudMessage.reaction(from, 'wamid.X'))).toEqual([]);
    expect(decodeOne(cloudMessage.text('user.abc', 'hi'))[0]?.verifiedPhone).toBeUndefined();
  });

  it('decodes delivery statuses with error codes and titles only', () => {
    const r = decodeCloudWebhook(makeCloudWebhook({ statuses: [cloudStatus('wamid.S1', 'delivered', from, at), cloudStatus('wamid.S2', 'failed', from, at)] }));
    expect(r).toEqual({
      ok: true,
      messages: [],
      statuses: [
        { externalId: 'wamid.S1', status: 'delivered', at, error: null },
        { externalId: 'wamid.S2', status: 'failed', at, error: '131026 Message undeliverable' },
      ],
    });
  });

  it('ignores changes of other fields', () => {
    const body = { object: 'whatsapp_business_account', entry: [{ id: '1', changes: [{ field: 'message_template_status_update', value: { event: 'APPROVED' } }] }] };
    expect(decodeCloudWebhook(body)).toEqual({ ok: true, messages: [], statuses: [] });
  });

  it.each([
    ['another object', { ...makeCloudWebhook({}), object: 'page' }],
    ['a text message without text', makeCloudWebhook({ messages: [{ ...cloudMessage.text(from, 'x'), text: undefined }] })],
    ['a list reply without its row', makeCloudWebhook({ messages: [cloudMessage.listReply(from, 'a')].map((m) => ({ ...m, interactive: { type: 'list_reply' } })) })],
    ['a bad timestamp', makeCloudWebhook({ messages: [{ ...cloudMessage.text(from, 'x'), timestamp: 'yesterday' }] })],
    ['no metadata', { object: 'whatsapp_business_account', entry: [{ changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', messages: [] } }] }] }],
    ['not an object', 'hello'],
  ])('refuses %s', (_label, body) => {
    expect(decodeCloudWebhook(body).ok).toBe(false);
  });
});

describe('send outcomes from Graph answers', () => {
  const error = (status: number, code: number | null, retryAfter: number | null = null, message: string | null = 'm') =>
    toSendOutcome({ type: 'error', status, code, message, retryAfterMs: retryAfter });

  it('maps throttling to rate_limited, using Retry-After or 2 s', () => {
    expect(error(429, 130429, 5000)).toEqual({ type: 'rate_limited', retryAfterMs: 5000 });
    expect(error(429, null)).toEqual({ type: 'rate_limited', retryAfterMs: 2000 });
    for (const code of [4, 80007, 130429, 131056]) expect(error(400, code)).toEqual({ type: 'rate_limited', retryAfterMs: 2000 });
  });

  it('retries server errors and network failures, gives up on refused requests', () => {
    expect(error(503, 131000)).toMatchObject({ type: 'failed', retryable: true });
    expect(toSendOutcome({ type: 'network', reason: 'network error: ECONNREFUSED' })).toMatchObject({ type: 'failed', retryable: true });
    expect(error(400, 131009, null, 'Parameter value is not valid')).toEqual({ type: 'failed', retryable: false, reason: 'graph 400 code 131009: Parameter value is not valid' });
    expect(error(401, 190)).toMatchObject({ type: 'failed', retryable: false });
    expect(error(403, 200)).toMatchObject({ type: 'failed', retryable: false });
  });

  it('masks numbers in failure reasons', () => {
    expect(error(400, 131030, null, 'Recipient +966501234567 not in allowed list')).toMatchObject({ reason: 'graph 400 code 131030: Recipient [number] not in allowed list' });
  });

  it('reads Retry-After in seconds or as a date', () => {
    const now = new Date('2026-11-25T10:00:00Z');
    expect(retryAfterMs('3', now)).toBe(3000);
    expect(retryAfterMs('Wed, 25 Nov 2026 10:00:10 GMT', now)).toBe(10_000);
    expect(retryAfterMs(null, now)).toBeNull();
    expect(retryAfterMs('soon', now)).toBeNull();
  });

  it('sends a successful send’s wamid as the external id', () => {
    expect(toSendOutcome({ type: 'ok', messageId: 'wamid.1' })).toEqual({ type: 'sent', externalId: 'wamid.1' });
  });
});

describe('webhook signature and verify token', () => {
  const body = Buffer.from(JSON.stringify(makeCloudWebhook({ messages: [cloudMessage.text('966500000001', 'hi')] })));

  it('accepts the HMAC of the raw body and nothing else', () => {
    expect(isValidSignature(body, sign(body, 'app-secret-1'), 'app-secret-1')).toBe(true);
    expect(isValidSignature(body, sign(body, 'app-secret-1').toUpperCase().replace('SHA256', 'sha256'), 'app-secret-1')).toBe(true);
    expect(isValidSignature(body, sign(body, 'other-secret'), 'app-secret-1')).toBe(false);
    expect(isValidSignature(Buffer.concat([body, Buffer.from(' ')]), sign(body, 'app-secret-1'), 'app-secret-1')).toBe(false);
    expect(isValidSignature(body, undefined, 'app-secret-1')).toBe(false);
    expect(isValidSignature(body, 'sha1=abc', 'app-secret-1')).toBe(false);
    expect(isValidSignature(body, [sign(body, 'app-secret-1')], 'app-secret-1')).toBe(false);
  });

  it('compares verify tokens of any length', () => {
    expect(secretsEqual('verify-me-please', 'verify-me-please')).toBe(true);
    expect(secretsEqual('verify-me', 'verify-me-please')).toBe(false);
    expect(secretsEqual('', 'verify-me-please')).toBe(false);
  });
});

describe('localized labels', () => {
  const translator = I18nTranslator.load(LOCALES_DIR);
  it.each([
    ['ar', 'الخيارات'],
    ['en', 'Options'],
    ['ur', 'اختیارات'],
  ] as const)('%s', (lang, button) => {
    const l = cloudLabels(translator, lang);
    expect(l.listButton).toBe(button);
    expect(l.chooseNumber).not.toContain('cloud.');
    expect(l.optionLine(2, 'X')).toMatch(/^2.*X$/);
  });
});
