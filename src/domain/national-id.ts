import { toAsciiDigits } from './digits';

/**
 * Saudi national ID (citizens, starting with 1) and iqama (residents, starting with 2):
 * ten digits whose last digit is a Luhn check digit.
 */

export type NationalIdResult =
  | { ok: true; value: string; kind: 'citizen' | 'resident' }
  | { ok: false; reason: 'format' | 'length' | 'prefix' | 'checksum' };

const ID_LENGTH = 10;

/** Separators people type or paste inside an ID: spaces, dashes, bidi and zero-width marks. */
const SEPARATORS = /[\s\-\u2010-\u2015\u2212\u200B-\u200F\u061C\u202A-\u202E\u2060\u2066-\u2069\uFEFF]/g;

/**
 * Luhn sum of a digit string read right to left, doubling every second digit. `doubleFirst`
 * says whether the rightmost digit is doubled: true when computing a missing check digit.
 */
function luhnSum(digits: string, doubleFirst: boolean): number {
  let sum = 0;
  for (let i = 0; i < digits.length; i += 1) {
    const digit = Number(digits[digits.length - 1 - i]);
    const doubled = (i % 2 === 0) === doubleFirst;
    sum += doubled ? (digit * 2 > 9 ? digit * 2 - 9 : digit * 2) : digit;
  }
  return sum;
}

function kindOf(firstDigit: string | undefined): 'citizen' | 'resident' | null {
  if (firstDigit === '1') return 'citizen';
  if (firstDigit === '2') return 'resident';
  return null;
}

/**
 * Validates a national ID or iqama number as a user typed it: Arabic-Indic and Persian
 * digits are accepted, and spaces, dashes and bidi marks are ignored. Reasons are checked in
 * order (format, length, prefix, checksum) so the reply can say exactly what to fix.
 */
export function validateNationalId(raw: string): NationalIdResult {
  const value = toAsciiDigits(raw.replace(SEPARATORS, ''));
  if (!/^\d+$/.test(value)) return { ok: false, reason: 'format' };
  if (value.length !== ID_LENGTH) return { ok: false, reason: 'length' };
  const kind = kindOf(value[0]);
  if (kind === null) return { ok: false, reason: 'prefix' };
  if (luhnSum(value, false) % 10 !== 0) return { ok: false, reason: 'checksum' };
  return { ok: true, value, kind };
}

/**
 * Completes nine ASCII digits with their Luhn check digit. Meant for test factories and
 * fixtures; a wrong argument is a programming error, so it throws.
 */
export function withCheckDigit(first9: string): string {
  if (!/^\d{9}$/.test(first9)) throw new RangeError(`withCheckDigit needs 9 ASCII digits, got "${first9}"`);
  const check = (10 - (luhnSum(first9, true) % 10)) % 10;
  return `${first9}${check}`;
}

/** The last four characters of a validated ID, the part staff may read back to a user. */
export function lastFour(id: string): string {
  return id.slice(-4);
}

/**
 * Masks a validated ID for logs and replies: "******1234". The mask has a fixed width so it
 * never reveals the length of what it hides.
 */
export function maskNationalId(id: string): string {
  return `******${lastFour(id)}`;
}
