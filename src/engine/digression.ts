import type { Intent } from '../domain/intents';
import type { Language } from '../domain/language';
import { parseLanguageRequest } from '../nlu/language-detect';
import { normalizeForMatching } from '../nlu/normalize';
import { isContentIntent, type ContentIntent } from './flows/menu';
import { askedReason, startHandoff } from './flows/handoff.flow';
import { askLanguage, switchLanguage } from './flows/language.flow';
import { continueRequest } from './flows/request.flow';
import { checkReference } from './flows/status.flow';
import { isKeyword, matchOptionLoosely } from './option-words';
import { mayBeName } from './plausible';
import { isPrivacyQuestion } from './privacy';
import { isQuestionText, MAYBE, startsAsQuestionText, SURE } from './reading';
import { answerAppendOffer, isAppendOffer, offerAppendIfMore } from './more-description';
import { findReference, isBareReference } from './reference';
import { reprompt } from './reprompt';
import { runIntent } from './router';
import { stepKey } from './state';
import { stepAccepts, type StepAccepts } from './step-spec';
import type { Turn } from './turn';

/** What a message sent at an open step really is, when it is not the step's answer. */
export type Digression =
  | { type: 'human' }
  | { type: 'content'; intent: ContentIntent }
  | { type: 'privacy' }
  | { type: 'social'; intent: 'greeting' | 'thanks' | 'goodbye' }
  | { type: 'continue' }
  | { type: 'invite_question' }
  | { type: 'reference'; reference: string }
  | { type: 'language'; language: Language | null }
  | { type: 'intent'; intent: Intent }
  | { type: 'confirm'; intent: Intent };

/** Outcome of the check: the message was handled, or the step takes it (with the option picked, if any). */
export type DigressionOutcome = { handled: true } | { handled: false; choice: string | null };

/**
 * The one digression mechanism: before the open step takes a message as its answer, decide
 * whether it is something else (a question, a request for a person, a greeting, "continue", a
 * reference) and handle that, then ask the same step again. Nothing is stored on a digression.
 * Idle conversations, handoffs and did-you-mean offers have no step and are not checked.
 */
export async function checkDigression(turn: Turn, choice: string | null): Promise<DigressionOutcome> {
  const accepts = stepAccepts(turn.state.mode);
  // The language picker reads free text itself: any message there names or shows a language.
  if (!accepts || turn.state.mode.type === 'choose_language') return { handled: false, choice };
  const pending = turn.state.pendingAnswer;
  turn.state.pendingAnswer = null;
  if (pending && pending.step === stepKey(turn.state.mode) && (choice === 'confirm:yes' || choice === 'confirm:no')) {
    if (isAppendOffer(pending)) {
      answerAppendOffer(turn, pending, choice === 'confirm:yes');
      return { handled: true };
    }
    if (choice === 'confirm:yes') {
      turn.useAnswer(pending.text);
      return { handled: false, choice: null };
    }
    const d = fromIntent(turn, pending.intent as Intent);
    if (d) await handleDigression(turn, d);
    else reprompt(turn);
    return { handled: true };
  }
  if (choice) return { handled: false, choice };
  if (offerAppendIfMore(turn, true)) return { handled: true };
  // An option named inside a longer message («انا زوجته») answers the step, unless it is a question.
  const loose = accepts.kind === 'options' && !startsAsQuestion(turn) && turn.command === null;
  const named = loose ? matchOptionLoosely(turn.text, turn.previousChoices, turn.ports.translator) : null;
  if (named && !isSureQuestionOrPerson(turn)) return { handled: false, choice: named };
  if (offerAppendIfMore(turn, false)) return { handled: true };
  const d = readDigression(turn, accepts);
  if (!d) return { handled: false, choice: null };
  await handleDigression(turn, d);
  return { handled: true };
}

const SOCIAL = ['greeting', 'thanks', 'goodbye'] as const;

/** Reads the message against the step's declaration; null when it is (or may be) the answer. */
export function readDigression(turn: Turn, accepts: StepAccepts): Digression | null {
  const { text } = turn;
  const { translator } = turn.ports;
  if (accepts.kind === 'value' && accepts.parses(text)) return null;
  if (turn.command === 'yes' || turn.command === 'no') return null;
  const reference = findReference(text);
  if (reference && turn.state.mode.type === 'status') return null; // the status steps read references themselves
  // In free text (a description) only a bare reference is taken as a status check; elsewhere one anywhere.
  if (reference && (accepts.kind !== 'text' || isBareReference(text))) return { type: 'reference', reference };
  if (isKeyword(text, translator, 'continue')) return { type: 'continue' };
  if (isKeyword(text, translator, 'question')) return { type: 'invite_question' };
  // A story may mention «بياناتي» or "private" in passing: in free text only a short message that starts as a question.
  if (isPrivacyQuestion(text, translator) && (accepts.kind !== 'text' || (startsAsQuestion(turn) && normalizeForMatching(text).split(' ').length <= 15))) {
    return { type: 'privacy' };
  }
  const social = SOCIAL.find((s) => isKeyword(text, translator, `${s}_words`));
  if (social) return { type: 'social', intent: social };
  const classification = turn.ports.classifier.classify(text);
  const intent = classification.type === 'intent' ? classification.intent : null;
  if (!intent || intent === 'unknown') return null;
  const words = normalizeForMatching(text).split(' ').length;
  switch (accepts.kind) {
    case 'name': {
      // Names are words the classifier never saw, and it sometimes guesses weakly on them
      // («منى علي …» reads a little like «أحد يرد علي»): only a sure reading beats a plausible name.
      const sure = classification.confidence >= SURE;
      if (!isQuestion(turn) && mayBeName(text, translator)) {
        if (sure) return fromIntent(turn, intent);
        return classification.confidence >= MAYBE ? { type: 'confirm', intent } : null;
      }
      // Not a name («ما ابي اعطيكم اسمي», "i dont understand"): answer what it clearly is; leaving
      // the step on a weak reading would lose it, so then the step says why it needs the name.
      const d = fromIntent(turn, intent);
      return d && (d.type === 'intent' || d.type === 'human') && !sure ? null : d;
    }
    case 'text':
      if (intent === 'human' && words <= 8) return { type: 'human' };
      if (intent === 'language' && words <= 4) return fromIntent(turn, intent);
      if (startsAsQuestion(turn) && words <= 15 && (isContentIntent(intent) || intent === 'request_status')) return fromIntent(turn, intent);
      return null;
    case 'value':
    case 'options': {
      // «مدري وش اكتب» reads a little like "menu": a miss at this step, not a reason to leave it.
      const d = intent === 'menu' ? null : fromIntent(turn, intent);
      // Leaving for another flow on a weak reading would lose the step: only when sure.
      return d?.type === 'intent' && classification.confidence < SURE ? null : d;
    }
    default: {
      const unreachable: never = accepts;
      return unreachable;
    }
  }
}

/** «عطوني رقم الجمعيه» names no option even if one word looks like one: a sure FAQ or person request wins. */
function isSureQuestionOrPerson(turn: Turn): boolean {
  const c = turn.ports.classifier.classify(turn.text);
  return c.type === 'intent' && c.confidence >= SURE && (c.intent === 'human' || isContentIntent(c.intent));
}

/** The digression an intent stands for at an open step; null for an unknown intent. */
function fromIntent(turn: Turn, intent: Intent): Digression | null {
  if (intent === 'unknown') return null;
  if (intent === 'human') return { type: 'human' };
  if (isContentIntent(intent)) return { type: 'content', intent };
  if (intent === 'greeting' || intent === 'thanks' || intent === 'goodbye') return { type: 'social', intent };
  if (intent === 'language') return { type: 'language', language: parseLanguageRequest(turn.text) };
  const mode = turn.state.mode.type;
  if (intent === 'request_new' && (mode === 'request' || mode === 'resume_offer')) return { type: 'continue' };
  return { type: 'intent', intent };
}

/** Whether the message could be the step's answer (a value that parses, a name or text that is not a question). */
export function mayBeAnswer(turn: Turn, accepts: StepAccepts): boolean {
  if (accepts.kind === 'value') return accepts.parses(turn.text);
  if (accepts.kind === 'options') return false;
  return !isQuestion(turn);
}

function isQuestion(turn: Turn): boolean {
  return isQuestionText(turn.text, turn.ports.translator);
}

function startsAsQuestion(turn: Turn): boolean {
  return startsAsQuestionText(turn.text, turn.ports.translator);
}

async function handleDigression(turn: Turn, d: Digression): Promise<void> {
  switch (d.type) {
    case 'human':
      turn.intent = 'human';
      return startHandoff(turn, askedReason(turn));
    case 'content':
      turn.intent = d.intent;
      turn.say(`content:${d.intent}`);
      return backToStep(turn);
    case 'privacy':
      turn.say('content:privacy');
      return backToStep(turn);
    case 'social':
      turn.intent = d.intent;
      turn.say(`digression.${d.intent}`);
      return backToStep(turn);
    case 'continue':
      turn.intent = 'request_new';
      if (turn.state.mode.type === 'resume_offer') return continueRequest(turn);
      return reprompt(turn);
    case 'invite_question':
      turn.intent = 'menu';
      return turn.say('digression.ask_away');
    case 'reference':
      turn.intent = 'request_status';
      return checkReference(turn, d.reference);
    case 'language':
      turn.intent = 'language';
      if (!d.language) return askLanguage(turn);
      if (d.language !== turn.lang) switchLanguage(turn, d.language);
      return reprompt(turn);
    case 'intent':
      return runIntent(turn, d.intent);
    case 'confirm':
      turn.state.pendingAnswer = { step: stepKey(turn.state.mode), text: turn.text, intent: d.intent };
      return turn.ask('digression.confirm_answer', [turn.choice('confirm:yes', 'digression.confirm_yes'), turn.choice('confirm:no', 'digression.confirm_no')], {
        text: turn.text,
      });
    default: {
      const unreachable: never = d;
      return unreachable;
    }
  }
}

/** After answering a digression: a short bridge, then the same question again. */
function backToStep(turn: Turn): void {
  turn.say('digression.back_to_step');
  reprompt(turn);
}
