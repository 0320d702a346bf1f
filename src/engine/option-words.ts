import { LANGUAGES } from '../domain/language';
import { withinOneEdit } from '../nlu/classifier';
import { normalizeForMatching } from '../nlu/normalize';
import type { Translator } from './ports';
import type { PendingChoice } from './state';

/**
 * Words for options. Every option value `kind:name` may list synonyms and close spellings in
 * `locales/<lng>/keywords.json` under `options.<kind>.<name>` («فلوس» for `support:financial`),
 * so the association adds words without code. Words of every language count: people mix them.
 */
export function optionWords(translator: Translator, value: string): string[] {
  const [kind, name] = value.split(':', 2);
  if (!kind || !name) return [];
  return LANGUAGES.flatMap((lang) => translator.list(lang, `keywords:options.${kind}.${name}`));
}

/** A keyword list of `keywords.json` in every language, normalised. */
export function keywordList(translator: Translator, key: string): string[] {
  return LANGUAGES.flatMap((lang) => translator.list(lang, `keywords:${key}`)).map(normalizeForMatching).filter((w) => w !== '');
}

/** True when the whole message is one of the words of `keywords.<key>` (any language). */
export function isKeyword(text: string, translator: Translator, key: string): boolean {
  const norm = normalizeForMatching(text);
  return norm !== '' && keywordList(translator, key).includes(norm);
}

/** True when the message holds one of the words (or word sequences) of `keywords.<key>`. */
export function containsKeyword(text: string, translator: Translator, key: string): boolean {
  const tokens = normalizeForMatching(text).split(' ');
  return keywordList(translator, key).some((w) => containsPhrase(tokens, w.split(' ')));
}

function containsPhrase(tokens: readonly string[], phrase: readonly string[]): boolean {
  if (phrase.length === 0 || phrase.length > tokens.length) return false;
  for (let i = 0; i + phrase.length <= tokens.length; i += 1) {
    if (phrase.every((p, j) => tokens[i + j] === p)) return true;
  }
  return false;
}

/** Negations: "لا، ما اؤكد" must not confirm because it holds «اؤكد». */
const NEGATION_KEY = 'no_words';

interface Candidate {
  value: string;
  words: string[][];
}

/**
 * Resolves an option typed in words: the whole message is a label or synonym; else the message
 * holds one (longest wins, «انا زوجته» → spouse) unless it is negated; else one word is within
 * one edit of a synonym of five letters or more («brothr»). Null when nothing or a tie matches.
 */
export function matchOptionWords(text: string, choices: readonly PendingChoice[], translator: Translator): string | null {
  const norm = normalizeForMatching(text);
  if (norm === '' || choices.length === 0) return null;
  const candidates: Candidate[] = choices.map((c) => ({
    value: c.value,
    words: [c.label, ...optionWords(translator, c.value)].map(normalizeForMatching).filter((w) => w !== '').map((w) => w.split(' ')),
  }));
  const exact = candidates.filter((c) => c.words.some((w) => w.join(' ') === norm));
  if (exact.length >= 1) return unique(exact.map((c) => c.value));
  const tokens = norm.split(' ');
  if (tokens.length > 12 || containsKeyword(text, translator, NEGATION_KEY)) return null;
  const contained = best(candidates, (w) => (containsPhrase(tokens, w) ? w.length : 0));
  if (contained) return contained;
  return best(candidates, (w) => (w.length === 1 && (w[0] ?? '').length >= 5 && tokens.some((t) => withinOneEdit(t, w[0] ?? '')) ? 1 : 0));
}

/** The one candidate with the highest score for any of its words (0 = no match); null on a tie. */
function best(candidates: readonly Candidate[], score: (words: string[]) => number): string | null {
  let top = 0;
  let winners: string[] = [];
  for (const c of candidates) {
    const s = Math.max(0, ...c.words.map(score));
    if (s === 0) continue;
    if (s > top) {
      top = s;
      winners = [c.value];
    } else if (s === top) winners.push(c.value);
  }
  return unique(winners);
}

function unique(values: readonly string[]): string | null {
  const set = new Set(values);
  return set.size === 1 ? (values[0] ?? null) : null;
}
