import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { toAsciiDigits } from '../domain/digits';

/**
 * Time-based one-time codes (RFC 6238 over RFC 4226): HMAC-SHA1, 6 digits, 30-second steps, the
 * parameters every authenticator app uses by default. Written here on node:crypto rather than
 * taken from a package: the algorithm is a few lines and its test vectors are public (RFC 6238,
 * appendix B), which tests/unit/staff-totp.test.ts checks.
 */
export const TOTP_STEP_SECONDS = 30;
const DIGITS = 6;
/** Codes of one step either side are accepted: a phone's clock a little off, a code typed as it turned. */
const DRIFT_STEPS = 1;
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** A new shared secret: 20 random bytes (RFC 4226's recommended length), in base32 as apps take it. */
export function newTotpSecret(): string {
  return toBase32(randomBytes(20));
}

export function toBase32(bytes: Buffer): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

export function fromBase32(text: string): Buffer {
  const clean = text.toUpperCase().replace(/[\s=-]/g, '');
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const char of clean) {
    const index = BASE32.indexOf(char);
    if (index < 0) throw new Error('not base32');
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** The code of one time step (RFC 4226 HOTP with the step as the counter). */
export function totpCode(secret: Buffer, step: number): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', secret).update(counter).digest();
  const offset = (mac[mac.length - 1] as number) & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** DIGITS).padStart(DIGITS, '0');
}

export function stepAt(now: Date): number {
  return Math.floor(now.getTime() / 1000 / TOTP_STEP_SECONDS);
}

/** What people type: spaces or a dash in the middle, Arabic-Indic digits on an Arabic keyboard. Null when it is not six digits. */
export function normalizeTotpInput(input: string): string | null {
  const code = toAsciiDigits(input).replace(/[\s-]/g, '');
  return /^[0-9]{6}$/.test(code) ? code : null;
}

/**
 * The time step a typed code belongs to (within the drift), or null. The caller must refuse a step
 * at or before the last one used, so a code seen over someone's shoulder cannot be used again.
 */
export function matchTotp(secretBase32: string, input: string, now: Date): number | null {
  const code = normalizeTotpInput(input);
  if (code === null) return null;
  const secret = fromBase32(secretBase32);
  const current = stepAt(now);
  let matched: number | null = null;
  // Every candidate is computed and compared, so the time taken does not say which one matched.
  for (let step = current - DRIFT_STEPS; step <= current + DRIFT_STEPS; step += 1) {
    if (timingSafeEqual(Buffer.from(totpCode(secret, step)), Buffer.from(code))) matched ??= step;
  }
  return matched;
}

/** The otpauth:// URI authenticator apps read (typed in, or as a QR code). */
export function otpauthUri(issuer: string, account: string, secretBase32: string): string {
  const label = encodeURIComponent(`${issuer}:${account}`);
  const params = new URLSearchParams({ secret: secretBase32, issuer, algorithm: 'SHA1', digits: String(DIGITS), period: String(TOTP_STEP_SECONDS) });
  return `otpauth://totp/${label}?${params.toString()}`;
}
