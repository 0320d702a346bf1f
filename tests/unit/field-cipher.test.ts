import { randomBytes } from 'node:crypto';
import { CryptoError, FieldCipher } from '../../src/security/field-cipher';
import { generateSecrets } from '../../src/security/dev-secrets';

describe('FieldCipher', () => {
  const cipher = new FieldCipher([{ id: 'k2', key: randomBytes(32) }], randomBytes(32));

  it('round-trips and never produces the same ciphertext twice', () => {
    const a = cipher.seal('1000000008');
    const b = cipher.seal('1000000008');
    expect(a.ct).not.toBe(b.ct);
    expect(a.k).toBe('k2');
    expect(cipher.open(a)).toBe('1000000008');
  });

  it('rejects tampered ciphertext', () => {
    const sealed = cipher.seal('+966501234567');
    const flipped = Buffer.from(sealed.ct, 'base64');
    flipped[0] = (flipped[0] as number) ^ 1;
    expect(() => cipher.open({ ...sealed, ct: flipped.toString('base64') })).toThrow(CryptoError);
  });

  it('decrypts with an older key after rotation, encrypts with the first', () => {
    const oldKey = { id: 'old', key: randomBytes(32) };
    const hmac = randomBytes(32);
    const before = new FieldCipher([oldKey], hmac).seal('secret');
    const rotated = new FieldCipher([{ id: 'new', key: randomBytes(32) }, oldKey], hmac);
    expect(rotated.open(before)).toBe('secret');
    expect(rotated.seal('x').k).toBe('new');
  });

  it('digests deterministically per purpose', () => {
    expect(cipher.digest('national-id', '1')).toBe(cipher.digest('national-id', '1'));
    expect(cipher.digest('national-id', '1')).not.toBe(cipher.digest('phone', '1'));
  });

  it('parses the DATA_ENCRYPTION_KEYS format produced by gen-keys', () => {
    const s = generateSecrets('prod1');
    const parsed = FieldCipher.fromStrings(s.encryptionKeys, s.hmacKey);
    expect(parsed.open(parsed.seal('ok'))).toBe('ok');
  });

  it('compares secrets in constant time', () => {
    expect(FieldCipher.safeEqual('1234', '1234')).toBe(true);
    expect(FieldCipher.safeEqual('1234', '1235')).toBe(false);
    expect(FieldCipher.safeEqual('1234', '123')).toBe(false);
  });
});
