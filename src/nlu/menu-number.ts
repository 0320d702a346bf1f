import { normalizeForMatching, tokenize } from './normalize';

/**
 * Menu-number recognition: "2", "٢", "رقم ٢", "option 2", "الثاني", "wa7ed", "تین".
 *
 * The word lists below are INPUT patterns that we recognise, not user-facing text, so they
 * live in code rather than in `locales/`. They are written as users type them and folded with
 * {@link normalizeForMatching} at load time, so ة/ه, hamza and Urdu letter variants all match.
 */

/** Menus never offer more choices than this; anything larger is a quantity, not a choice. */
const MAX_MENU_NUMBER = 20;

const NUMBER_WORDS: ReadonlyArray<readonly [number, readonly string[]]> = [
  [1, ['واحد', 'وحده', 'واحده', 'الاول', 'الأول', 'الأولى', 'اول', 'one', 'first', 'ایک', 'wa7ed', 'wahed', 'wa7id', 'wahid']],
  [2, ['اثنين', 'اثنان', 'ثنين', 'اتنين', 'الثاني', 'الثانية', 'two', 'second', 'دو', 'ethnain', 'ithnain', 'ithnen', 'ethnen']],
  [3, ['ثلاثة', 'ثلاث', 'تلاتة', 'الثالث', 'الثالثة', 'three', 'third', 'تین', 'thalatha', 'talata']],
  [4, ['أربعة', 'أربع', 'الرابع', 'الرابعة', 'four', 'fourth', 'چار', 'arba3a', 'arba3']],
  [5, ['خمسة', 'خمس', 'الخامس', 'الخامسة', 'five', 'fifth', 'پانچ', 'khamsa']],
  [6, ['ستة', 'ست', 'six', 'چھ']],
  [7, ['سبعة', 'سبع', 'seven', 'سات']],
  [8, ['ثمانية', 'ثمان', 'تمنية', 'eight', 'آٹھ']],
  // Urdu "نو" (nine) is also how some Gulf users write English "no"; a 9 outside the menu's
  // range is rejected by the caller like any other out-of-range choice.
  [9, ['تسعة', 'تسع', 'nine', 'نو']],
  [10, ['عشرة', 'عشر', 'ten', 'دس']],
];

/** Words that may introduce the number: "رقم 2", "option 2", "no. 2", "الخيار الثاني". */
const PREFIX_WORDS = ['رقم', 'الرقم', 'خيار', 'الخيار', 'اختيار', 'number', 'num', 'no', 'nr', 'option', 'opt', 'choice', 'نمبر'];

/** "option number 2" uses two prefix words; more than that is a sentence, not a choice. */
const MAX_PREFIX_WORDS = 2;

const NUMBER_BY_WORD: ReadonlyMap<string, number> = new Map(
  NUMBER_WORDS.flatMap(([value, words]) => words.map((word) => [normalizeForMatching(word), value] as const)),
);

const PREFIXES: ReadonlySet<string> = new Set(PREFIX_WORDS.map(normalizeForMatching));

/** A prefix glued to its digits, as typed without a space: "رقم2", "no1". */
const GLUED_PREFIX = new RegExp(`^(${[...PREFIXES].join('|')})(\\d+)$`, 'u');

/** Digits, optionally with an English ordinal suffix ("1st", "2nd"). */
const DIGITS = /^(\d{1,3})(?:st|nd|rd|th)?$/;

function splitGluedPrefix(token: string): string[] {
  const match = GLUED_PREFIX.exec(token);
  return match?.[1] !== undefined && match[2] !== undefined ? [match[1], match[2]] : [token];
}

function dropPrefixes(tokens: readonly string[]): readonly string[] {
  let start = 0;
  while (start < MAX_PREFIX_WORDS && start < tokens.length - 1 && PREFIXES.has(tokens[start] ?? '')) {
    start += 1;
  }
  return tokens.slice(start);
}

function tokenValue(token: string): number | null {
  const digits = DIGITS.exec(token)?.[1];
  if (digits !== undefined) return Number(digits);
  return NUMBER_BY_WORD.get(token) ?? null;
}

/**
 * Reads a menu choice from a whole message: returns 1–20 when the message is only a number
 * or number word (optionally after a prefix such as "رقم" or "option"), otherwise null.
 * "10 riyals", "1 2" and "ابي 1" are sentences, not choices, so they give null.
 */
export function parseMenuNumber(raw: string): number | null {
  const tokens = dropPrefixes(tokenize(normalizeForMatching(raw)).flatMap(splitGluedPrefix));
  const [only] = tokens;
  if (tokens.length !== 1 || only === undefined) return null;
  const value = tokenValue(only);
  return value !== null && value >= 1 && value <= MAX_MENU_NUMBER ? value : null;
}
