import { normalizeForMatching, tokenize } from '../nlu/normalize';
import { toAsciiDigits } from './digits';

/**
 * Reading a satisfaction rating (1–5) the way people type it on WhatsApp and Telegram: a digit
 * in any script («٤», "۴"), a scale ("4/5", «٤ من ٥», "4 stars"), the option value `rate:4`,
 * stars (⭐⭐⭐⭐), faces (🙂) or words in Arabic, English and Urdu («ممتاز», "not good", "bohat acha").
 *
 * A wrong rating is worse than none: the survey step takes a rating as the answer and moves on,
 * so a question read as «3» would go unanswered. Hence the limits: a lone digit counts only in a
 * message of at most {@link MAX_WORDS_FOR_DIGIT} words, words and faces only in one of at most
 * {@link MAX_WORDS_FOR_WORDS} words without a question mark, and readings that contradict each
 * other ("5 سيء", "⭐ ممتاز") give null, so the person is asked again.
 */

export type Rating = 1 | 2 | 3 | 4 | 5;

/** The words of `keywords.json` (every language merged) that {@link readRating} and {@link isSkip} read. */
export interface RatingWords {
  /** Phrases per rating (`survey.rating.<n>`); the longest phrase found decides. */
  byRating: Record<Rating, string[]>;
  /** Whole messages that decline the survey (`survey.skip`): «تخطي», "no thanks", "nahi", "-". */
  skip: string[];
  /** Words that turn the phrase after them around (`no_words`): «مو زين», "not happy"; in Urdu also after it ("acha nahi"). */
  negations: string[];
  /** Greetings (`greeting_words`): "good morning" is not the rating of "good". */
  greetings: string[];
  /**
   * Acknowledgements (`yes`): "ok", «تمام» rate only a short message; "ok when will I get the
   * answer" acknowledges and asks.
   */
  acknowledgements: string[];
}

const RATINGS: readonly Rating[] = [1, 2, 3, 4, 5];
/** Also the most words in which an acknowledgement ("ok") is a rating. */
const MAX_WORDS_FOR_DIGIT = 4;
const MAX_WORDS_FOR_WORDS = 8;
const QUESTION_MARK = /[?؟]/;
/** Punctuation that ends a clause: «لا، ممتاز» is "no" then "excellent", not a negated "excellent". */
const CLAUSE_BREAK = /[,،.!;؛\n]+/;

/** The option value the survey's buttons send. */
const BUTTON = /^\s*rate\s*:\s*(\d+)\s*$/i;
/** "4/5", not part of a date ("4/5/2026"). */
const SLASH_SCALE = /(?<![\d/])(\d+)\s*\/\s*(\d+)(?![\d/])/;
/** "4 out of 5", «٤ من ٥»: the rating first. */
const OF_WORDS = ['out of', 'of', 'من'];
/** «5 میں سے 4», "5 mein se 4": the scale first. */
const AMONG_WORDS = ['میں سے', 'mein se', 'main se', 'me se'];
/** "4 stars", «٤ نجوم», «4 ستارے». */
const STAR_WORDS = ['star', 'stars', 'نجمة', 'نجوم', 'نجمات', 'ستار', 'ستارز', 'ستارہ', 'ستارے', 'sitara', 'sitare'];

/** Filled stars; each counts one, more than five count five. Empty stars (☆) count nothing. */
const STAR_EMOJI = /\u2B50|\u{1F31F}|\u2605/gu;

/**
 * Faces and gestures. Anger and thumbs-down are 1, sadness 2, a flat face 3, a smile 4, delight,
 * love, applause and thumbs-up 5. Several faces that differ by one give their rounded mean
 * ("😊👍" → 5); faces further apart give no reading. 🙏 is thanks, not a rating.
 */
const FACES: ReadonlyMap<string, Rating> = new Map([
  ...[...'😡😠🤬😤👎'].map((f) => [f, 1] as const),
  ...[...'😞☹🙁😕😟😒😔'].map((f) => [f, 2] as const),
  ...[...'😐😑😶'].map((f) => [f, 3] as const),
  ...[...'🙂😊☺😀👌'].map((f) => [f, 4] as const),
  ...[...'😍🤩😁😄😃🥰👍👏❤💯'].map((f) => [f, 5] as const),
]);
/** Variation selectors and skin tones: "👍🏽" and "☹️" are 👍 and ☹. */
const EMOJI_MODIFIERS = /[\uFE0E\uFE0F\u{1F3FB}-\u{1F3FF}]/gu;

/** Reads the rating lists through the translator's `list` (all languages merged by the caller). */
export function ratingWordsFrom(list: (key: string) => string[]): RatingWords {
  const byRating = Object.fromEntries(RATINGS.map((r) => [r, list(`survey.rating.${r}`)])) as Record<Rating, string[]>;
  return { byRating, skip: list('survey.skip'), negations: list('no_words'), greetings: list('greeting_words'), acknowledgements: list('yes') };
}

/** The rating a message gives, or null when it gives none (a question, a reference, "10/10", "2026"). */
export function readRating(text: string, words: RatingWords): Rating | null {
  const norm = normalizeForMatching(text);
  const numeric = numericReading(text, norm);
  const verbal = verbalReading(text, norm, words);
  if (numeric !== null && verbal !== null && Math.abs(numeric - verbal) > 1) return null;
  return numeric ?? verbal;
}

/** True when the whole message declines the survey. Symbol entries ("-") are compared as typed. */
export function isSkip(text: string, words: RatingWords): boolean {
  const norm = normalizeForMatching(text);
  return words.skip.some((w) => {
    const forms = formsOf(w);
    return forms.length === 0 ? w.trim() === text.trim() : forms.includes(norm);
  });
}

function asRating(n: number): Rating | null {
  return RATINGS.find((r) => r === n) ?? null;
}

/**
 * The normalised forms a listed word is matched in: as written, and with doubled Latin letters
 * single, because the normaliser shortens "goooood" to "god" and "good" must still match it.
 * Typed text is never shortened, so "baad" (Urdu: after) stays apart from "bad"; Arabic letters
 * are left alone: a double there comes from folding («سيئ» → «سيي»), and «سي» is Urdu «سے» (from).
 */
function formsOf(word: string): string[] {
  const norm = normalizeForMatching(word);
  return [...new Set([norm, norm.replace(/([a-z])\1+/g, '$1')])].filter((f) => f !== '');
}

function alternatives(words: readonly string[]): string {
  return words.map(normalizeForMatching).join('|');
}

const OF_SCALE = new RegExp(`(?:^| )(\\d+) (?:${alternatives(OF_WORDS)}) (\\d+)(?= |$)`);
const AMONG_SCALE = new RegExp(`(?:^| )(\\d+) (?:${alternatives(AMONG_WORDS)}) (\\d+)(?= |$)`);
const STARS_SCALE = new RegExp(`(?:^| )(\\d+) (?:${alternatives(STAR_WORDS)})(?= |$)`);

/**
 * A digit clearly meant as a rating: the button value, "x/5", «x من 5», "x stars". Undefined when
 * there is none; null when there is one on another scale ("10/10", "3/10", "7 stars").
 */
function scaleReading(text: string, norm: string): Rating | null | undefined {
  const ascii = toAsciiDigits(text);
  const button = BUTTON.exec(ascii);
  if (button) return asRating(Number(button[1]));
  const slash = SLASH_SCALE.exec(ascii) ?? OF_SCALE.exec(norm);
  if (slash) return Number(slash[2]) === 5 ? asRating(Number(slash[1])) : null;
  const among = AMONG_SCALE.exec(norm);
  if (among) return Number(among[1]) === 5 ? asRating(Number(among[2])) : null;
  const stars = STARS_SCALE.exec(norm);
  return stars ? asRating(Number(stars[1])) : undefined;
}

/** A scale, else a lone digit in a short message, else a row of star emoji. */
function numericReading(text: string, norm: string): Rating | null {
  const scale = scaleReading(text, norm);
  if (scale !== undefined) return scale;
  return (QUESTION_MARK.test(text) ? null : loneDigit(norm)) ?? starCount(text);
}

/** "4", "rating 4", «5 ممتاز»: one number in at most four words, and that number 1–5 ("05", "2026" and "0" are not). */
function loneDigit(norm: string): Rating | null {
  const tokens = tokenize(norm);
  const numbers = tokens.filter((t) => /^\d+$/.test(t));
  const [only] = numbers;
  if (tokens.length > MAX_WORDS_FOR_DIGIT || numbers.length !== 1 || only === undefined || only.length !== 1) return null;
  return asRating(Number(only));
}

function starCount(text: string): Rating | null {
  const count = text.match(STAR_EMOJI)?.length ?? 0;
  return count === 0 ? null : asRating(Math.min(count, 5));
}

/** Words, else faces; only in a short message that asks nothing. */
function verbalReading(text: string, norm: string, words: RatingWords): Rating | null {
  const count = tokenize(norm).length;
  if (QUESTION_MARK.test(text) || count > MAX_WORDS_FOR_WORDS) return null;
  return wordReading(text, compiled(words), count > MAX_WORDS_FOR_DIGIT) ?? faceReading(text);
}

function faceReading(text: string): Rating | null {
  const found = [...text.replace(EMOJI_MODIFIERS, '')].flatMap((c) => {
    const r = FACES.get(c);
    return r === undefined ? [] : [r];
  });
  if (found.length === 0 || Math.max(...found) - Math.min(...found) > 1) return null;
  return asRating(Math.round(found.reduce((a, b) => a + b, 0) / found.length));
}

interface Phrase {
  tokens: string[];
  rating: Rating;
  /** Also an acknowledgement ("ok", «تمام»): a rating only in a short message. */
  acknowledgement: boolean;
}

interface Compiled {
  /** Longest first, so "very good" is found before "good" and covers it. */
  phrases: Phrase[];
  negations: Set<string>;
  greetings: string[][];
}

const compiledCache = new WeakMap<RatingWords, Compiled>();

function compiled(words: RatingWords): Compiled {
  let c = compiledCache.get(words);
  if (!c) {
    const acknowledgements = new Set(words.acknowledgements.flatMap(formsOf));
    const phraseOf = (form: string, rating: Rating): Phrase => ({ tokens: tokenize(form), rating, acknowledgement: acknowledgements.has(form) });
    const phrases = RATINGS.flatMap((rating) => words.byRating[rating].flatMap(formsOf).map((f) => phraseOf(f, rating)));
    c = {
      phrases: phrases.sort((a, b) => b.tokens.length - a.tokens.length),
      negations: new Set(words.negations.flatMap(formsOf)),
      greetings: words.greetings.flatMap(formsOf).map(tokenize),
    };
    compiledCache.set(words, c);
  }
  return c;
}

interface Match {
  rating: Rating;
  length: number;
}

/** The longest rating phrase of any clause decides; equally long phrases that disagree give null. */
function wordReading(text: string, words: Compiled, long: boolean): Rating | null {
  const phrases = long ? words.phrases.filter((p) => !p.acknowledgement) : words.phrases;
  const clauses = text.split(CLAUSE_BREAK).map((clause) => tokenize(normalizeForMatching(clause)));
  const matches = clauses.flatMap((tokens) => clauseMatches(tokens, phrases, words));
  const longest = Math.max(0, ...matches.map((m) => m.length));
  const ratings = new Set(matches.filter((m) => m.length === longest).map((m) => m.rating));
  const [only] = ratings;
  return ratings.size === 1 && only !== undefined ? only : null;
}

function clauseMatches(tokens: readonly string[], phrases: readonly Phrase[], words: Compiled): Match[] {
  const covered = tokens.map(() => false);
  for (const greeting of words.greetings) coverAll(tokens, greeting, covered);
  return phrases.flatMap((p) =>
    coverAll(tokens, p.tokens, covered).map((start) => ({
      rating: negated(tokens, start, start + p.tokens.length, words.negations) ? turnedAround(p.rating) : p.rating,
      length: p.tokens.length,
    })),
  );
}

/**
 * Marks every uncovered occurrence of `phrase` as covered and returns where they start. The
 * first word may carry the Arabic «و» (and): «وممتاز».
 */
function coverAll(tokens: readonly string[], phrase: readonly string[], covered: boolean[]): number[] {
  const starts: number[] = [];
  const same = (token: string | undefined, word: string, j: number): boolean => token === word || (j === 0 && token === `و${word}`);
  for (let i = 0; i + phrase.length <= tokens.length; i += 1) {
    const free = phrase.every((p, j) => same(tokens[i + j], p, j) && !covered[i + j]);
    if (!free) continue;
    phrase.forEach((_, j) => (covered[i + j] = true));
    starts.push(i);
  }
  return starts;
}

/** A negation just before the phrase («مو ممتاز»), or just after it as the clause's last word ("acha nahi"). */
function negated(tokens: readonly string[], start: number, end: number, negations: ReadonlySet<string>): boolean {
  const before = tokens[start - 1];
  const after = end === tokens.length - 1 ? tokens[end] : undefined;
  return (before !== undefined && negations.has(before)) || (after !== undefined && negations.has(after));
}

/** "not good" is 2, "not bad" is 3: a negated rating is mildly on the other side. */
function turnedAround(rating: Rating): Rating {
  return rating >= 3 ? 2 : 3;
}
