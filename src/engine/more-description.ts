import { normalizeForMatching } from '../nlu/normalize';
import { appendToDescription } from './flows/request.flow';
import { keywordList } from './option-words';
import { isQuestionText, startsAsQuestionText, SURE } from './reading';
import { reprompt } from './reprompt';
import { stepKey, type PendingAnswer } from './state';
import type { Turn } from './turn';

/**
 * A story sent in parts. At the summary or the attestation (right after the description), a
 * message that starts like more of it («وايضا …», "also …", "aur …"), or a sentence of the story
 * that is no option, no question and nothing else the bot is sure of, is never dropped: it is
 * offered to be appended to the description with one short question.
 */

/** The pending answer's mark for "more of the description". */
const APPEND = 'append';
/** Words of a sentence that goes on with the story («الايجار متاخر علينا ثلاث شهور»). */
const STORY_WORDS = 5;
/** Words from which a message that does not open as a question is part of the story whatever it mentions. */
const LONG_STORY_WORDS = 15;

/** Whether `pending` is an offer to append (then `answerAppendOffer` takes the yes or no). */
export function isAppendOffer(pending: PendingAnswer): boolean {
  return pending.intent === APPEND;
}

export function answerAppendOffer(turn: Turn, pending: PendingAnswer, yes: boolean): void {
  if (yes) appendToDescription(turn, pending.text);
  else reprompt(turn);
}

/**
 * Offers to append when the message reads as more of the description. `opening`: only messages
 * that open with a word of `append_words` (checked before options are read inside the message);
 * otherwise a sentence of the story (checked after).
 */
export function offerAppendIfMore(turn: Turn, opening: boolean): boolean {
  if (!afterDescription(turn) || !(opening ? opensAsMore(turn) : readsAsStory(turn))) return false;
  turn.state.pendingAnswer = { step: stepKey(turn.state.mode), text: turn.text, intent: APPEND };
  turn.ask('request.append_offer', [turn.choice('confirm:yes', 'request.append_yes'), turn.choice('confirm:no', 'request.append_no')]);
  return true;
}

function afterDescription(turn: Turn): boolean {
  const mode = turn.state.mode;
  return mode.type === 'request' && (mode.step === 'summary' || mode.step === 'attest') && Boolean(turn.state.draft?.description);
}

function opensAsMore(turn: Turn): boolean {
  const tokens = normalizeForMatching(turn.text).split(' ');
  if (tokens.length < 3) return false;
  return keywordList(turn.ports.translator, 'append_words').some((w) => tokens.slice(0, w.split(' ').length).join(' ') === w);
}

function readsAsStory(turn: Turn): boolean {
  const { text } = turn;
  const { translator } = turn.ports;
  const words = normalizeForMatching(text).split(' ').length;
  if (turn.command !== null || words < STORY_WORDS) return false;
  if (words >= LONG_STORY_WORDS) return !startsAsQuestionText(text, translator);
  if (isQuestionText(text, translator)) return false;
  const c = turn.ports.classifier.classify(text);
  return !(c.type === 'intent' && c.confidence >= SURE);
}
