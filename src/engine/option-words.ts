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
export function keywordList(translator: Translator, key: string): readonly string[] {
  let lists = normalizedLists.get(translator);
  if (!lists) {
    lists = new Map();
    normalizedLists.set(translator, lists);
  }
  let words = lists.get(key);
  if (!words) {
    words = Object.freeze(LANGUAGES.flatMap((lang) => translator.list(lang, `keywords:${key}`)).map(normalizeForMatching).filter((w) => w !== ''));
    lists.set(key, words);
  }
  return words;
}

/** Normalized keyword lists per translator: locales do not change while the bot runs, and the engine asks for them on every message. */
const normalizedLists = new WeakMap<Translator, Map<string, readonly string[]>>();

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

/**
 * Negations: «لا، ما اؤكد» must not confirm because it holds «اؤكد». A leading «لا» / "no" before
 * more words answers the bot's question and then says what is wanted («لا ابي ابدا من جديد»).
 */
function isNegated(tokens: readonly string[], translator: Translator): boolean {
  const negations = new Set(keywordList(translator, 'no_words'));
  return tokens.some((t, i) => negations.has(t) && (i > 0 || tokens.length === 1));
}

interface Candidate {
  value: string;
  words: string[][];
}

function candidatesOf(choices: readonly PendingChoice[], translator: Translator): Candidate[] {
  return choices.map((c) => ({
    value: c.value,
    words: [c.label, ...optionWords(translator, c.value)].map(normalizeForMatching).filter((w) => w !== '').map(wordsOf),
  }));
}

/** Normalised words without the Arabic article: «الزوج» is «زوج», «الأم» is «ام» (and «العام» is «عام», not «ام»). */
function wordsOf(norm: string): string[] {
  return norm
    .split(' ')
    .filter((w) => w !== '')
    .map((w) => (w.startsWith('ال') && w.length >= 4 ? w.slice(2) : w));
}

/**
 * A misspelling of a synonym: one edit, both words of four letters or more once the article is
 * gone, and the same first letter. Short words one edit apart often differ in meaning.
 */
function closeSpelling(token: string, word: string): boolean {
  return word.length >= 4 && token.length >= 4 && token[0] === word[0] && withinOneEdit(token, word);
}

/** The option whose label or synonym is the whole message («فلوس», "my husband"); null when none or several. */
export function matchOptionExactly(text: string, choices: readonly PendingChoice[], translator: Translator): string | null {
  const norm = wordsOf(normalizeForMatching(text)).join(' ');
  if (norm === '' || choices.length === 0) return null;
  return unique(candidatesOf(choices, translator).filter((c) => c.words.some((w) => w.join(' ') === norm)).map((c) => c.value));
}

/**
 * The option a longer message names: it holds a synonym (longest wins, «انا زوجته» → spouse)
 * and is not negated; else one word is within one edit of a synonym of four letters or more
 * («اخويا», "brothr"). Null when nothing or a tie matches. Read after the digression check, so
 * «هل يحق للولد يقدم عن ابوه؟» is a question, not the answer «ابوه».
 */
export function matchOptionLoosely(text: string, choices: readonly PendingChoice[], translator: Translator): string | null {
  const tokens = wordsOf(normalizeForMatching(text));
  if (tokens.length === 0 || tokens.length > 12 || choices.length === 0 || isNegated(tokens, translator)) return null;
  // The attestation is evidence: only its option or an explicit word, never a near spelling («اوكي» is one edit from «اوكد»).
  const candidates = candidatesOf(choices.filter((c) => !c.value.startsWith('attest:')), translator);
  const contained = best(candidates, (w) => (containsPhrase(tokens, w) ? w.length : 0));
  if (contained) return contained;
  const close = (word: string): boolean => tokens.some((t) => closeSpelling(t, word));
  return best(candidates, (w) => (w.length === 1 && close(w[0] ?? '') ? 1 : 0));
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
