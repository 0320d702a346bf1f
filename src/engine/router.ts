import { isIntent, type Intent } from '../domain/intents';
import { parseLanguageRequest } from '../nlu/language-detect';
import type { Turn } from './turn';
import { startComplaint } from './flows/complaint.flow';
import { askedReason, startHandoff } from './flows/handoff.flow';
import { askLanguage, switchLanguage } from './flows/language.flow';
import { answerContent, followUpChoices, isContentIntent, mainMenuChoices, showMainMenu } from './flows/menu';
import { isPrivacyQuestion } from './privacy';
import { cancelRequest, continueRequest, startRequest } from './flows/request.flow';
import { askReference, checkReference, startStatus } from './flows/status.flow';
import { containsKeyword, isKeyword } from './option-words';
import { findReference } from './reference';
import { startVolunteer } from './flows/volunteer.flow';

/** Misunderstandings in a row after which the bot offers a staff member. */
export const MISUNDERSTANDINGS_BEFORE_STAFF = 2;

/** Handles a message when no flow is running: picked options first, then the classifier. */
export async function route(turn: Turn, choice: string | null): Promise<void> {
  if (choice) return onChoice(turn, choice);
  const { translator } = turn.ports;
  // A reference anywhere in the message («ابي اعرف وش صار على طلب ابوي رقمه BSR-2026-00004») starts the check with it.
  const reference = findReference(turn.text);
  if (reference) {
    turn.intent = 'request_status';
    return checkReference(turn, reference);
  }
  if (isPrivacyQuestion(turn.text, translator)) return turn.ask('content:privacy', followUpChoices(turn));
  if (isKeyword(turn.text, translator, 'question')) {
    turn.intent = 'menu';
    return turn.say('digression.ask_away');
  }
  if (isKeyword(turn.text, translator, 'continue')) {
    turn.intent = 'request_new';
    return turn.state.draft ? continueRequest(turn) : offerNewRequest(turn);
  }
  const classification = turn.ports.classifier.classify(turn.text);
  switch (classification.type) {
    case 'intent':
      return runIntent(turn, classification.intent);
    case 'unsure': {
      turn.intent = 'unknown';
      const [first, second] = classification.candidates;
      turn.setMode({ type: 'disambiguate' });
      return turn.ask('understanding.did_you_mean', [
        turn.choice(`intent:${first}`, `menu.items.${first}`),
        turn.choice(`intent:${second}`, `menu.items.${second}`),
        turn.choice('intent:menu', 'understanding.something_else'),
      ]);
    }
    case 'unknown':
      return notUnderstood(turn);
    default: {
      const unreachable: never = classification;
      return unreachable;
    }
  }
}

/** «كمل» / "continue" with nothing saved: say so and offer to start a request (yes starts it). */
function offerNewRequest(turn: Turn): void {
  turn.setMode({ type: 'disambiguate' });
  turn.ask('request.no_draft', [turn.choice('start:request', 'request.no_draft_start'), turn.choice('intent:menu', 'menu.items.menu')]);
}

async function onChoice(turn: Turn, choice: string): Promise<void> {
  if (choice === 'start:request') return runIntent(turn, 'request_new');
  const [kind, value] = choice.split(':', 2);
  if (kind === 'intent' && isIntent(value)) return runIntent(turn, value);
  if (choice === 'status:other') return askReference(turn);
  if (choice === 'handoff:misunderstood') {
    turn.intent = 'human';
    return startHandoff(turn, 'misunderstood');
  }
  return notUnderstood(turn);
}

function notUnderstood(turn: Turn): void {
  turn.intent = 'unknown';
  turn.state.misunderstandings += 1;
  if (turn.state.misunderstandings >= MISUNDERSTANDINGS_BEFORE_STAFF) {
    turn.setMode({ type: 'idle' });
    // The same menu, so its numbers keep their meaning; "talk to staff" keeps its own place.
    return turn.ask(
      'understanding.offer_staff',
      mainMenuChoices(turn).map((c) => (c.value === 'intent:human' ? { ...c, value: 'handoff:misunderstood' } : c)),
    );
  }
  showMainMenu(turn, 'understanding.not_understood');
}

/** Runs one recognised intent. Exhaustive: a new intent name cannot be forgotten here. */
export async function runIntent(turn: Turn, intent: Intent): Promise<void> {
  turn.intent = intent;
  if (intent !== 'unknown') turn.state.misunderstandings = 0;
  if (isContentIntent(intent)) return answerContent(turn, intent);
  switch (intent) {
    case 'greeting':
      turn.say('answers.welcome');
      // Only guessed (a Roman "salam" reads as Arabic): someone who cannot read Arabic must find a way in.
      if (turn.lang === 'ar' && turn.state.languageSource !== 'detected' && turn.state.languageSource !== 'chosen') turn.say('answers.other_languages');
      return offerDraftOrMenu(turn);
    case 'menu':
      return offerDraftOrMenu(turn);
    case 'thanks':
      return showMainMenu(turn, 'answers.thanks');
    case 'goodbye':
      turn.setMode({ type: 'idle' });
      return turn.say('answers.goodbye');
    case 'request_new':
      return turn.state.draft ? offerResume(turn) : startRequest(turn);
    case 'request_status':
      return startStatus(turn);
    case 'human':
      return startHandoff(turn, askedReason(turn));
    case 'volunteer':
      return startVolunteer(turn);
    case 'complaint':
      return startComplaint(turn);
    case 'language': {
      const wanted = parseLanguageRequest(turn.text);
      if (!wanted) return askLanguage(turn);
      if (wanted !== turn.lang || turn.state.languageSource !== 'chosen') switchLanguage(turn, wanted);
      return showMainMenu(turn);
    }
    case 'unknown':
      return notUnderstood(turn);
    default: {
      const unreachable: never = intent;
      return unreachable;
    }
  }
}

function offerDraftOrMenu(turn: Turn): void {
  if (turn.state.draft) return offerResume(turn);
  showMainMenu(turn);
}

/** An unfinished request exists: offer to continue it at the same step, start over, or go to the menu. */
export function offerResume(turn: Turn): void {
  turn.setMode({ type: 'resume_offer' });
  turn.ask('request.resume_offer', [
    turn.choice('resume:continue', 'request.resume_continue'),
    turn.choice('resume:restart', 'request.resume_restart'),
    turn.choice('intent:menu', 'menu.items.menu'),
  ]);
}

export async function onResumeChoice(turn: Turn, choice: string | null): Promise<void> {
  if (choice === 'resume:continue') return continueRequest(turn);
  if (choice === 'resume:restart') return startRequest(turn);
  // A reminder offered "cancel": «لا ابي ألغي», "no, cancel it" say that option in a sentence.
  const mode = turn.state.mode;
  if (choice === 'resume:cancel' || (mode.type === 'resume_offer' && mode.reminder === true && containsKeyword(turn.text, turn.ports.translator, 'cancel'))) return cancelRequest(turn);
  if (choice === 'intent:menu') {
    turn.intent = 'menu';
    return showMainMenu(turn);
  }
  // Anything else: leave the draft saved and treat the message as a fresh question.
  turn.setMode({ type: 'idle' });
  return route(turn, null);
}
