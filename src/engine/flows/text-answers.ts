import { normalizeForMatching } from '../../nlu/normalize';

/** A person's full name: letters of any script, at least two parts, 5–100 characters. */
export function parseFullName(text: string): string | null {
  const name = text.replace(/\s+/g, ' ').trim();
  if (name.length < 5 || name.length > 100) return null;
  if (!/^[\p{L}\p{M}' .-]+$/u.test(name)) return null;
  return name.split(' ').filter((p) => /\p{L}/u.test(p)).length >= 2 ? name : null;
}

/** Free text with bounds; returns the trimmed text or null. */
export function parseFreeText(text: string, min: number, max: number): string | null {
  const value = text.trim();
  if (value.length < min || value.length > max) return null;
  return /[\p{L}\p{N}]/u.test(value) ? value : null;
}

/** Four digits in any script (the end of a national ID), also with words around them («اخر اربعه ارقام 4821»). */
export function parseLastFour(text: string): string | null {
  const norm = normalizeForMatching(text);
  const digits = norm.replace(/\s+/g, '');
  if (/^\d{4}$/.test(digits)) return digits;
  const runs = norm.match(/\d+/g) ?? [];
  return runs.length === 1 && runs[0]?.length === 4 ? runs[0] : null;
}

/** A token of a number as people type it: digits of any script, with + - ( ) between groups. */
const NUMBER_TOKEN = /^[+()\-\d\u0660-\u0669\u06F0-\u06F9]+$/;

/**
 * The one number a message gives with words in front or behind («هويتي ١٣٤٠٨٧٣٧٦٧», "mera iqama
 * 2568685305", «جوالي 0555123456»), for the ID and phone steps; the text itself when there are
 * no such words or when words sit between numbers (then it is not one number).
 */
export function numberAnswer(text: string): string {
  const tokens = text.trim().split(/\s+/).filter((t) => t !== '');
  const hasDigit = (t: string): boolean => /[\d\u0660-\u0669\u06F0-\u06F9]/.test(t);
  const first = tokens.findIndex(hasDigit);
  const last = tokens.length - 1 - [...tokens].reverse().findIndex(hasDigit);
  if (first < 0 || (first === 0 && last === tokens.length - 1)) return text;
  const middle = tokens.slice(first, last + 1).map((t) => t.replace(/[:.,،]+$/, ''));
  return middle.every((t) => NUMBER_TOKEN.test(t)) ? middle.join(' ') : text;
}
