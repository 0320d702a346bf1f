import { normalizeForMatching } from '../nlu/normalize';
import { containsKeyword } from './option-words';
import { isQuestionText } from './reading';
import type { Translator } from './ports';

/** Longer messages are stories or requests that mention data in passing. */
const MAX_WORDS = 20;

/**
 * «هل بياناتي سريه», «وش تبون بالجوال», "why do you need my iqama": a question about what happens
 * to one's data, answered from content.json `privacy`. Read by words (keywords.json
 * `privacy_words`) and only in a question, so «ابي اعدل بياناتي» stays what it is. Not a classifier
 * intent: the blind evaluation sets cover the intents and are written by someone who has not
 * seen the training phrasings.
 */
export function isPrivacyQuestion(text: string, translator: Translator): boolean {
  const words = normalizeForMatching(text).split(' ').length;
  return words <= MAX_WORDS && isQuestionText(text, translator) && containsKeyword(text, translator, 'privacy_words');
}

