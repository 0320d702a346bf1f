import { fromBase32, matchTotp, newTotpSecret, normalizeTotpInput, otpauthUri, stepAt, toBase32, totpCode } from '../../src/staff/totp';

/** RFC 6238 appendix B: the SHA-1 seed is the ASCII "12345678901234567890"; 8-digit values, of which a 6-digit code is the last six. */
const RFC_SECRET = Buffer.from('12345678901234567890', 'ascii');
const RFC_VECTORS: Array<[number, string]> = [
  [59, '94287082'],
  [1111111109, '07081804'],
  [1111111111, '14050471'],
  [1234567890, '89005924'],
  [2000000000, '69279037'],
  [20000000000, '65353130'],
];

describe('TOTP (RFC 6238)', () => {
  it.each(RFC_VECTORS)('matches the RFC test vector at %i s', (seconds, eight) => {
    expect(totpCode(RFC_SECRET, stepAt(new Date(seconds * 1000)))).toBe(eight.slice(-6));
  });

  it('round-trips base32 (RFC 4648) and makes 20-byte secrets', () => {
    expect(toBase32(Buffer.from('foobar'))).toBe('MZXW6YTBOI');
    expect(fromBase32('mzxw 6ytb oi').toString()).toBe('foobar');
    const secret = newTotpSecret();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(fromBase32(secret)).toHaveLength(20);
    expect(newTotpSecret()).not.toBe(secret);
  });

  it('accepts the code of the current step and one step either side, and says which step it was', () => {
    const secret = toBase32(RFC_SECRET);
    const now = new Date(1_111_111_111_000);
    const step = stepAt(now);
    expect(matchTotp(secret, totpCode(RFC_SECRET, step), now)).toBe(step);
    expect(matchTotp(secret, totpCode(RFC_SECRET, step - 1), now)).toBe(step - 1);
    expect(matchTotp(secret, totpCode(RFC_SECRET, step + 1), now)).toBe(step + 1);
    expect(matchTotp(secret, totpCode(RFC_SECRET, step - 2), now)).toBeNull();
    expect(matchTotp(secret, totpCode(RFC_SECRET, step + 2), now)).toBeNull();
  });

  it('reads codes as people type them, and nothing else', () => {
    expect(normalizeTotpInput(' 123 456 ')).toBe('123456');
    expect(normalizeTotpInput('123-456')).toBe('123456');
    expect(normalizeTotpInput('١٢٣٤٥٦')).toBe('123456');
    expect(normalizeTotpInput('۱۲۳۴۵۶')).toBe('123456');
    for (const bad of ['', '12345', '1234567', '12a456', '１２３４５６']) expect(normalizeTotpInput(bad)).toBeNull();
    const secret = toBase32(RFC_SECRET);
    const now = new Date(1_234_567_890_000);
    const code = totpCode(RFC_SECRET, stepAt(now));
    const arabic = code.replace(/\d/g, (d) => '٠١٢٣٤٥٦٧٨٩'[Number(d)] as string);
    expect(matchTotp(secret, `${arabic.slice(0, 3)} ${arabic.slice(3)}`, now)).toBe(stepAt(now));
  });

  it('writes the otpauth URI apps read', () => {
    expect(otpauthUri('Basirah staff', 'admin@basirah.example', 'MZXW6YTBOI')).toBe(
      'otpauth://totp/Basirah%20staff%3Aadmin%40basirah.example?secret=MZXW6YTBOI&issuer=Basirah+staff&algorithm=SHA1&digits=6&period=30',
    );
  });
});
