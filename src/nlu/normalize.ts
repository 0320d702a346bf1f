import { toAsciiDigits } from '../domain/digits';

/**
 * Text normalisation for intent matching.
 *
 * Training phrases and user input both pass through {@link normalizeForMatching}, so the
 * matcher compares like with like no matter which keyboard (Arabic, Persian, Urdu, Latin)
 * the user typed on. The output is lossy on purpose and is never stored or shown: the raw
 * message is kept elsewhere.
 */

/** Bidi controls (LRM, RLM, ALM, embeddings, isolates) and zero-width characters. */
const INVISIBLES = /[\u200B-\u200F\u061C\u202A-\u202E\u2060\u2066-\u2069\uFEFF]/g;

/**
 * Tashkeel (U+064B–U+065F, superscript alef U+0670) and tatweel (U+0640). Quranic annotation
 * marks are dropped too: users paste verses and duas, and the marks never change a word.
 */
const DIACRITICS = /[\u064B-\u065F\u0670\u0640\u0610-\u061A\u06D6-\u06DC\u06DF-\u06E4\u06E7\u06E8\u06EA-\u06ED]/g;

/**
 * Letters that are spelled several ways across Arabic, Persian and Urdu keyboards, folded to
 * one Arabic form. Hamza carriers and taa marbuta are folded because Gulf users omit or swap
 * them freely in chat ("اسرة"/"اسره", "مسؤول"/"مسوول").
 */
const LETTER_FOLDS: ReadonlyMap<string, string> = new Map([
  ['\u0623', '\u0627'], // أ → ا
  ['\u0625', '\u0627'], // إ → ا
  ['\u0622', '\u0627'], // آ → ا
  ['\u0671', '\u0627'], // ٱ → ا
  ['\u0649', '\u064A'], // ى → ي
  ['\u06CC', '\u064A'], // ی (Farsi/Urdu yeh) → ي
  ['\u06D2', '\u064A'], // ے (yeh barree) → ي
  ['\u06D3', '\u064A'], // ۓ (yeh barree with hamza) → ي
  ['\u0626', '\u064A'], // ئ → ي
  ['\u06A9', '\u0643'], // ک (keheh) → ك
  ['\u06C1', '\u0647'], // ہ (heh goal) → ه
  ['\u06C2', '\u0647'], // ۂ (heh goal with hamza) → ه
  ['\u06BE', '\u0647'], // ھ (heh doachashmee) → ه
  ['\u06C0', '\u0647'], // ۀ (heh with yeh) → ه
  ['\u0629', '\u0647'], // ة → ه
  ['\u06C3', '\u0647'], // ۃ (Urdu taa marbuta goal) → ه
  ['\u0624', '\u0648'], // ؤ → و
]);
const FOLDABLE_LETTER = new RegExp(`[${[...LETTER_FOLDS.keys()].join('')}]`, 'g');

/**
 * Emoji presentation parts that are attached to a base character: enclosing marks (the keycap
 * in "1️⃣") and variation selectors. Removed without a space so "1️⃣" reads as "1".
 */
const EMOJI_ATTACHMENTS = /[\p{Me}\u{FE00}-\u{FE0F}\u{E0100}-\u{E01EF}]/gu;

/** Everything that is not a letter, a combining mark or a decimal digit of any script. */
const NON_WORD = /[^\p{L}\p{M}\p{Nd}\s]+/gu;

/** A letter repeated three or more times: chat elongation ("هلااااا", "pleeease"). */
const ELONGATION = /(\p{L})\1{2,}/gu;

function foldLetter(letter: string): string {
  return LETTER_FOLDS.get(letter) ?? letter;
}

/**
 * Normalises text for intent matching: NFC, no tashkeel/tatweel, one spelling per letter
 * family, ASCII digits, no invisible characters, lower-case Latin, elongations shortened,
 * punctuation/symbols/emoji turned into spaces, single spaces, trimmed.
 *
 * Doubled letters are kept ("الله", "coffee"): only runs of three or more are shortened.
 */
export function normalizeForMatching(raw: string): string {
  return toAsciiDigits(raw.normalize('NFC').replace(INVISIBLES, '').replace(DIACRITICS, '').replace(FOLDABLE_LETTER, foldLetter))
    .toLowerCase()
    .replace(EMOJI_ATTACHMENTS, '')
    .replace(NON_WORD, ' ')
    .replace(ELONGATION, '$1')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Splits text already passed through {@link normalizeForMatching} into words. */
export function tokenize(normalized: string): string[] {
  return normalized.split(/\s+/).filter((token) => token.length > 0);
}
