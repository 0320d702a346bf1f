import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { toAsciiDigits } from './digits';

/**
 * Saudi mobile numbers, stored in E.164 ("+9665XXXXXXXX") whatever way the user typed them.
 */

export type PhoneResult = { ok: true; e164: string } | { ok: false; reason: 'format' | 'not_saudi_mobile' };

/** Spaces, dashes, dots, parentheses, bidi and zero-width marks people type or paste. */
const SEPARATORS = /[\s\-\u2010-\u2015\u2212.()\u200B-\u200F\u061C\u202A-\u202E\u2060\u2066-\u2069\uFEFF]/g;

/** Every Saudi mobile number is 5 followed by eight digits after the country code. */
const SAUDI_MOBILE_NATIONAL = /^5\d{8}$/;

/**
 * Reduces input to "+digits" or "digits". "+966 (0)5…" is a common written form whose
 * trunk 0 must go once the country code is present.
 */
function clean(raw: string): string {
  return toAsciiDigits(raw.replace(SEPARATORS, '')).replace(/^\+9660(?=5)/, '+966');
}

/**
 * Parses a Saudi mobile number: 05XXXXXXXX, 5XXXXXXXX, +9665XXXXXXXX, 009665XXXXXXXX or
 * 9665XXXXXXXX, with separators, bidi marks and Arabic-Indic/Persian digits. A well-formed
 * number from another country, or a Saudi landline, gives 'not_saudi_mobile'; anything that
 * is not a possible phone number at all gives 'format'.
 */
export function parseSaudiMobile(raw: string): PhoneResult {
  const text = clean(raw);
  if (!/^\+?\d+$/.test(text)) return { ok: false, reason: 'format' };
  // extract: false — the whole message must be the number, not a number found inside text.
  const phone = parsePhoneNumberFromString(text, { defaultCountry: 'SA', extract: false });
  if (phone === undefined || !phone.isPossible()) return { ok: false, reason: 'format' };
  // The default (min) metadata has no number types, so getType() cannot tell mobile from
  // landline here; the national-number rule above is exact for Saudi Arabia.
  if (phone.country !== 'SA' || !SAUDI_MOBILE_NATIONAL.test(phone.nationalNumber)) {
    return { ok: false, reason: 'not_saudi_mobile' };
  }
  return { ok: true, e164: phone.number };
}

/** Characters kept visible at each end of a masked number: "+9665" and the last two digits. */
const VISIBLE_PREFIX = 5;
const VISIBLE_SUFFIX = 2;

/**
 * Masks an E.164 number for logs and replies: "+966512345678" → "+9665******78". Anything
 * too short to keep both ends hidden is masked entirely.
 */
export function maskPhone(e164: string): string {
  const hidden = e164.length - VISIBLE_PREFIX - VISIBLE_SUFFIX;
  if (hidden < 1) return '*'.repeat(e164.length);
  return `${e164.slice(0, VISIBLE_PREFIX)}${'*'.repeat(hidden)}${e164.slice(-VISIBLE_SUFFIX)}`;
}
