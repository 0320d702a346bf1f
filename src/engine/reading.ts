import { normalizeForMatching } from '../nlu/normalize';
import { keywordList } from './option-words';
import type { Translator } from './ports';

/**
 * Classifier confidence above which a message that reads like a name is taken as the intent
 * (intent phrases score about 0.999); between MAYBE and SURE the person is asked; below, it is
 * the name ("Muhammad Aslam" scores 0.87 as a greeting). Also the bar for leaving a step for
 * another flow.
 */
export const SURE = 0.99;
export const MAYBE = 0.9;

/** A "?" or «؟», or a question word anywhere: a name never holds one. */
export function isQuestionText(text: string, translator: Translator): boolean {
  if (/[?؟]/.test(text)) return true;
  const words = new Set(normalizeForMatching(text).split(' '));
  return keywordList(translator, 'question_words').some((w) => words.has(w));
}

/** A description may mention a question word in passing; only a final "?" or a leading question word counts. */
export function startsAsQuestionText(text: string, translator: Translator): boolean {
  if (/[?؟]\s*$/.test(text)) return true;
  const first = normalizeForMatching(text).split(' ')[0] ?? '';
  return keywordList(translator, 'question_words').includes(first);
}
