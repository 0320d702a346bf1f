import { decodeConsoleLine, encodeResult } from '../../src/channels/console/console.codec';

describe('console codec', () => {
  const now = new Date('2026-11-25T10:00:00Z');

  it('decodes a machine-mode line into an inbound message', () => {
    const r = decodeConsoleLine('{"from":"u1","text":"مرحبا"}', 'id-1', now);
    expect(r).toEqual({ ok: true, message: { channel: 'console', account: 'console', sender: 'u1', messageId: 'id-1', text: 'مرحبا', receivedAt: now } });
  });

  it.each([
    ['not json', 'hello', /invalid JSON/],
    ['missing from', '{"text":"x"}', /from/],
    ['extra keys', '{"from":"u","text":"x","admin":true}', /admin|Unrecognized/],
    ['text not a string', '{"from":"u","text":5}', /text/],
  ])('rejects %s with a clear error', (_label, line, pattern) => {
    const r = decodeConsoleLine(line, 'id', now);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(pattern);
  });

  it('encodes exactly the documented shape', () => {
    const line = encodeResult('u1', { intent: 'menu', language: 'ar', replies: [{ text: 'a', options: [{ value: 'v', label: 'L' }] }, { text: 'b' }] });
    expect(JSON.parse(line)).toEqual({ from: 'u1', intent: 'menu', replies: [{ text: 'a', options: ['L'] }, { text: 'b', options: [] }] });
  });
});
