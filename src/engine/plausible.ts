import { normalizeForMatching } from '../nlu/normalize';
import { parseFreeText, parseFullName } from './flows/text-answers';
import { keywordList } from './option-words';
import type { Translator } from './ports';

/**
 * Plausibility of free-text answers (names, places). A name is short, holds no question and
 * none of the everyday words a sentence is made of («ما ابي اعطيكم اسمي», "i dont understand",
 * «الايجار متاخر وعندي عيال…»). The word lists live in locales/<lng>/keywords.json:
 * `name_prefixes` (stripped: «اسمي», "my name is"), `name_suffixes` ("hai"), `not_name_words`,
 * `kunya_words` («ام», «ابو»: a kunya alone is not the legal name).
 */
export type NameReading =
  | { ok: true; name: string }
  | { ok: false; reason: 'not_name' | 'one_name' | 'kunya' | 'format' };

/** Most words a name may have: «محمد بن عبدالله بن سعد العتيبي» has six. */
const MAX_NAME_WORDS = 6;
/** A place (a facility's or a city's name) is shorter still. */
const MAX_PLACE_WORDS = 5;

/** The name a message gives, without «اسمي» / "my name is" / «mera naam … hai» around it. */
export function readName(text: string, translator: Translator): NameReading {
  const words = stripAround(text, translator);
  if (words.length === 0 || !isPlausiblePhrase(text, words, translator, MAX_NAME_WORDS)) return { ok: false, reason: 'not_name' };
  if (words.length === 1) return { ok: false, reason: 'one_name' };
  const kunya = new Set(keywordList(translator, 'kunya_words'));
  if (words.length === 2 && kunya.has(normalizeForMatching(words[0] ?? ''))) return { ok: false, reason: 'kunya' };
  const name = parseFullName(words.join(' '));
  return name ? { ok: true, name } : { ok: false, reason: 'format' };
}

/** True when the message could be a full name, or a kunya to complete (then the classifier's weak readings do not win). */
export function mayBeName(text: string, translator: Translator): boolean {
  const reading = readName(text, translator);
  return reading.ok || reading.reason === 'kunya';
}

/** A place's name (a facility, a city): short, no question, not a sentence, not the word "other". */
export function readPlace(text: string, translator: Translator, min: number, max: number): string | null {
  const value = parseFreeText(text, min, max);
  if (!value) return null;
  const words = value.split(/\s+/).filter((w) => w !== '');
  return isPlausiblePhrase(value, words, translator, MAX_PLACE_WORDS) ? value : null;
}

function isPlausiblePhrase(text: string, words: readonly string[], translator: Translator, maxWords: number): boolean {
  if (/[?؟]/.test(text) || words.length > maxWords) return false;
  const banned = new Set([...keywordList(translator, 'not_name_words'), ...keywordList(translator, 'question_words')]);
  return !words.some((w) => banned.has(normalizeForMatching(w)));
}

/** The message's words with a leading «اسمي» / "my name is" and a trailing "hai" removed. */
function stripAround(text: string, translator: Translator): string[] {
  let words = text.replace(/[.,،:;!]+/g, ' ').split(/\s+/).filter((w) => w !== '');
  const norm = (ws: readonly string[]): string => normalizeForMatching(ws.join(' '));
  const prefixes = [...keywordList(translator, 'name_prefixes')].sort((a, b) => b.length - a.length);
  for (const p of prefixes) {
    const n = p.split(' ').length;
    if (words.length > n && norm(words.slice(0, n)) === p) {
      words = words.slice(n);
      break;
    }
  }
  const suffixes = keywordList(translator, 'name_suffixes');
  const last = words[words.length - 1];
  if (words.length > 1 && last && suffixes.includes(normalizeForMatching(last))) words = words.slice(0, -1);
  return words;
}

/** Errors that name the way out themselves (menu, cancel, staff). */
export function namesWayOut(errorKey: string): boolean {
  return errorKey === 'request.errors.not_name';
}

/** The error a step says for a name it cannot take (the not-a-name one explains why and names the way out). */
export function nameErrorKey(reason: Exclude<NameReading, { ok: true }>['reason']): string {
  if (reason === 'not_name') return 'request.errors.not_name';
  if (reason === 'kunya') return 'request.errors.kunya';
  return 'request.errors.name';
}
