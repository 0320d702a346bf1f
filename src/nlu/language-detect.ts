import type { Language } from '../domain/language';
import { normalizeForMatching, tokenize } from './normalize';

/**
 * Language detection and explicit language requests for Arabic (including Arabizi), English
 * and Urdu (including Roman Urdu).
 *
 * The word lists below are INPUT patterns that we recognise, not user-facing text, so they
 * live in code rather than in `locales/`.
 */

const INVISIBLES = /[\u200B-\u200F\u061C\u202A-\u202E\u2060\u2066-\u2069\uFEFF]/g;
const ARABIC_SCRIPT_LETTER = /(?=\p{L})\p{Script=Arabic}/gu;
const LATIN_SCRIPT_LETTER = /(?=\p{L})\p{Script=Latin}/gu;
/** A normalised token holding an Arabic-script letter. */
const ARABIC_SCRIPT_WORD = /(?=\p{L})\p{Script=Arabic}/u;

/**
 * Letters Urdu uses and Gulf Arabic never does: ٹ ڈ ڑ ں ھ ہ ۂ ۃ ے ۓ. چ گ پ ڤ are NOT here:
 * Gulf users write them in dialect and loanwords ("چذي", "گلب", "پيزا", "ڤيزا").
 */
const STRONG_URDU_LETTER = /[\u0679\u0688\u0691\u06BA\u06BE\u06C1\u06C2\u06C3\u06D2\u06D3]/u;

/**
 * Persian-keyboard letters: keheh ک, Farsi yeh ی and zhe ژ. Urdu needs them, but an Arab on a
 * Persian or Urdu keyboard produces them too, so they only count when no Arabic-only letter
 * appears beside them.
 */
const WEAK_URDU_LETTER = /[\u06A9\u06CC\u0698]/u;

/** ي ك ة ى ث ظ ض ص ذ: written by Arabic keyboards, rare in Urdu text. */
const ARABIC_ONLY_LETTER = /[\u064A\u0643\u0629\u0649\u062B\u0638\u0636\u0635\u0630]/u;

/** Arabizi: a digit standing for a letter (2 ء, 3 ع, 5 خ, 6 ط, 7 ح, 9 ص/ق) between letters. */
const ARABIZI_INNER_DIGIT = /[a-z][235679]+[a-z]/;

/** Arabizi word starting with a digit letter: "3ala", "7ayak", "5alas", "2ana". */
const ARABIZI_LEADING_DIGIT = /^[235679]([a-z][a-z0-9]+)$/;

/**
 * English glued to a leading number ("2nd", "5pm", "3days") or "2" used as "to" in chat
 * English ("2morrow"); these are not Arabizi.
 */
const ENGLISH_AFTER_NUMBER: ReadonlySet<string> = new Set([
  'st', 'nd', 'rd', 'th', 'am', 'pm', 'kg', 'km', 'gb', 'mb', 'tb', 'ml', 'cm', 'mm', 'min', 'mins',
  'day', 'days', 'hr', 'hrs', 'hour', 'hours', 'week', 'weeks', 'month', 'months', 'year', 'years',
  'times', 'people', 'pcs', 'morrow', 'nite', 'night', 'gether',
]);

/** Short Arabizi words whose only digit is at the end ("ma3" with, "la2" no). */
const ARABIZI_TRAILING_DIGIT_WORDS: ReadonlySet<string> = new Set(['ma3', 'la2', 'wa9', 'sa7', 'ba3', 'm3', 'sho2']);

/** Arabizi words without digits, chosen because none of them is an English word. */
const ARABIZI_WORDS: ReadonlySet<string> = new Set([
  'salam', 'salaam', 'assalam', 'asalam', 'alaikum', 'alaykum', 'shlonak', 'shlonik', 'shlon',
  'wesh', 'abi', 'abgha', 'abga', 'ana', 'inshallah', 'inshaallah', 'insha', 'mashallah',
  'mashaallah', 'yalla', 'yallah', 'habibi', 'habibti', 'wain', 'wein', 'shukran', 'mumkin',
  'ahlan', 'marhaba', 'marhaban', 'khalas', 'ya3ni', 'yaani', 'wallah', 'wallahi', 'kaif',
  'keef', 'shno', 'eish', 'tamam', 'afwan', 'mashkoor', 'mashkor', 'ab3a',
]);

/** Roman Urdu words, chosen because none of them is an English word. */
const ROMAN_URDU_WORDS: ReadonlySet<string> = new Set([
  'mujhe', 'mujhay', 'mujhse', 'mera', 'meri', 'mere', 'hai', 'hain', 'hy', 'kya', 'kia', 'nahi',
  'nahin', 'chahiye', 'chahie', 'chahta', 'chahti', 'madad', 'shukriya', 'shukria', 'aap',
  'aapka', 'aapki', 'apka', 'apki', 'kaise', 'kaisay', 'kahan', 'kidhar', 'karna', 'karni',
  'karo', 'bhai', 'bhaijan', 'darkhwast', 'darkhast', 'kitna', 'kitne', 'kyun', 'kyon', 'theek',
  'thik', 'acha', 'accha', 'achha', 'haan', 'batao', 'bataye', 'abhi', 'kuch', 'aur', 'lekin',
  'sirf', 'bahut', 'bohat', 'zaroorat', 'zarurat', 'sakta', 'sakti', 'raha', 'rahi',
]);

function countMatches(text: string, pattern: RegExp): number {
  return text.match(pattern)?.length ?? 0;
}

/**
 * Arabic script is clear from two words: a greeting typed on an Arabic keyboard («السلام عليكم»)
 * already says Arabic, and one typed on an Urdu keyboard says Urdu. One word («مرحبا») is a guess.
 */
const CLEAR_SCRIPT_WORDS = 2;

function classifyArabicScript(text: string): LanguageEvidence {
  const letters = (text.match(ARABIC_SCRIPT_LETTER) ?? []).join('');
  if (STRONG_URDU_LETTER.test(letters)) return { language: 'ur', clear: true };
  const words = tokenize(normalizeForMatching(text)).filter((t) => ARABIC_SCRIPT_WORD.test(t)).length;
  const clear = words >= CLEAR_SCRIPT_WORDS;
  if (WEAK_URDU_LETTER.test(letters) && !ARABIC_ONLY_LETTER.test(letters)) return { language: 'ur', clear };
  return { language: 'ar', clear };
}

/**
 * Everyday English words. Latin text is clearly English only when it holds two of them: names,
 * e-mail addresses and Roman Urdu or Arabizi words we do not list ("beta jail mein band") are
 * Latin letters too, and must not switch anyone to English.
 */
const ENGLISH_WORDS: ReadonlySet<string> = new Set([
  'i', 'me', 'my', 'we', 'our', 'you', 'your', 'he', 'she', 'his', 'her', 'they', 'it', 'is', 'am',
  'are', 'was', 'be', 'have', 'has', 'had', 'do', 'does', 'did', 'the', 'a', 'an', 'and', 'or',
  'but', 'to', 'for', 'of', 'in', 'on', 'at', 'with', 'from', 'about', 'this', 'that', 'what',
  'where', 'when', 'how', 'who', 'why', 'can', 'could', 'will', 'would', 'want', 'need', 'please',
  'not', 'no', 'yes', 'there', 'here', 'get', 'give', 'know', 'any', 'some', 'if', 'so',
]);

function isArabiziDigitWord(token: string): boolean {
  if (ARABIZI_TRAILING_DIGIT_WORDS.has(token)) return true;
  const afterDigit = ARABIZI_LEADING_DIGIT.exec(token)?.[1];
  if (afterDigit !== undefined && !ENGLISH_AFTER_NUMBER.has(afterDigit)) return true;
  // Three letters at least, so "h2o", "b2b" and "p2p" stay English.
  return ARABIZI_INNER_DIGIT.test(token) && countMatches(token, /[a-z]/g) >= 3;
}

/**
 * Scores a Latin-script message. A digit-letter is strong evidence of Arabizi (weight 2);
 * greetings like "salam", "inshallah" or "mumkin" are shared with Urdu speakers (weight 1),
 * so Roman Urdu wins a tie. Clear: two Roman Urdu words ahead of Arabizi, Arabizi worth 3, or
 * three words or more of which two are everyday English words.
 */
function classifyLatinScript(text: string): LanguageEvidence {
  let arabizi = 0;
  let urdu = 0;
  const tokens = tokenize(normalizeForMatching(text));
  for (const token of tokens) {
    if (isArabiziDigitWord(token)) arabizi += 2;
    else if (ARABIZI_WORDS.has(token)) arabizi += 1;
    if (ROMAN_URDU_WORDS.has(token)) urdu += 1;
  }
  if (urdu > 0 && urdu >= arabizi) return { language: 'ur', clear: urdu >= 2 && urdu > arabizi };
  if (arabizi > 0) return { language: 'ar', clear: arabizi >= 3 };
  return { language: 'en', clear: tokens.length >= 3 && tokens.filter((t) => ENGLISH_WORDS.has(t)).length >= 2 };
}

/** A guess at a message's language, and whether the message says it clearly (not a lone greeting or "ok"). */
export interface LanguageEvidence {
  language: Language;
  clear: boolean;
}

/**
 * Guesses the language of a message. Arabic script is Urdu when it holds an Urdu-only letter
 * (or Persian-keyboard letters with no Arabic-only letter), else Arabic; Latin script is
 * Arabizi → 'ar', Roman Urdu → 'ur', else 'en'. Mixed text goes by the script with more
 * letters, Arabic winning a tie as the reference language.
 *
 * Returns null when there is nothing to go on: no Arabic or Latin letters at all (digits,
 * emoji, or a script we do not serve), so the caller keeps the language it already has.
 */
export function detectLanguageEvidence(raw: string): LanguageEvidence | null {
  // Addresses and links are Latin whatever language their writer speaks.
  const text = raw.normalize('NFC').replace(INVISIBLES, '').replace(/\S+@\S+|https?:\/\/\S+|www\.\S+/gi, ' ');
  const arabicLetters = countMatches(text, ARABIC_SCRIPT_LETTER);
  const latinLetters = countMatches(text, LATIN_SCRIPT_LETTER);
  if (arabicLetters === 0 && latinLetters === 0) return null;
  return arabicLetters >= latinLetters ? classifyArabicScript(text) : classifyLatinScript(text);
}

/** Names of each language as users write them, in any of our scripts or in Latin letters. */
const LANGUAGE_NAMES: ReadonlyArray<readonly [Language, readonly string[]]> = [
  ['en', ['english', 'inglish', 'englizi', 'inglizi', 'angrezi', 'انجليزي', 'انقليزي', 'انكليزي', 'الانجليزي',
    'الإنجليزية', 'الانقليزي', 'انجليزية', 'بالانجليزي', 'بالإنجليزية', 'بالانقليزي', 'انجلش', 'انقلش',
    'انگریزی', 'انگلش', 'انگلیش']],
  ['ar', ['arabic', 'arabi', 'arbi', '3arabi', 'عربي', 'العربي', 'العربية', 'عربية', 'بالعربي', 'بالعربية', 'عربی']],
  ['ur', ['urdu', 'اردو', 'أوردو', 'اوردو', 'الاردو', 'الأوردو', 'بالاردو', 'بالأوردو', 'الأوردية']],
];

const LANGUAGE_BY_NAME: ReadonlyMap<string, Language> = new Map(
  LANGUAGE_NAMES.flatMap(([language, names]) => names.map((name) => [normalizeForMatching(name), language] as const)),
);

/**
 * Recognises a request for a specific language anywhere in the message, word by word:
 * "English please", "ابي اردو", "mujhe urdu chahiye". Returns null when no language is named
 * or when two different ones are ("english or arabic?"), since then we cannot tell which.
 */
export function parseLanguageRequest(raw: string): Language | null {
  const named = new Set<Language>();
  for (const token of tokenize(normalizeForMatching(raw))) {
    const language = LANGUAGE_BY_NAME.get(token);
    if (language !== undefined) named.add(language);
  }
  const [only] = named;
  return named.size === 1 && only !== undefined ? only : null;
}
