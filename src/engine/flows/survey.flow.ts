import { LANGUAGES } from '../../domain/language';
import { isSkip, ratingWordsFrom, readRating, type Rating, type RatingWords } from '../../domain/rating';
import { isKeyword } from '../option-words';
import { startHandoff } from './handoff.flow';
import type { Translator } from '../ports';
import { reprompt } from '../reprompt';
import type { Mode, OpenSurvey } from '../state';
import type { Turn } from '../turn';

/**
 * The satisfaction survey (policy: rating the service is the beneficiary's right, a tool for
 * improvement, never for punishment). The invitation is sent by a follow-up; the answer arrives
 * as an ordinary message, read here before anything else. Anything that is not an answer is
 * handled normally and the question stays answerable for {@link SURVEY_ANSWERABLE_MS}.
 */

/** How long after the invitation (or its reminder) a rating is still taken as the survey's answer. */
export const SURVEY_ANSWERABLE_MS = 3 * 24 * 3_600_000;
/** How long after the rating a message is still read as the optional comment. */
const COMMENT_ANSWERABLE_MS = 6 * 3_600_000;
/** Ratings at or below this open a follow-up task for a supervisor. */
const LOW_RATING = 2;

const wordsCache = new WeakMap<Translator, RatingWords>();

/** Rating words of every language: an Urdu speaker may answer «ممتاز», an Arabic speaker "5 stars". */
function ratingWords(translator: Translator): RatingWords {
  let words = wordsCache.get(translator);
  if (!words) {
    words = ratingWordsFrom((key) => LANGUAGES.flatMap((lang) => translator.list(lang, `keywords:${key}`)));
    wordsCache.set(translator, words);
  }
  return words;
}

/** Asks for the rating: five options, 1 first, so that the number typed is the rating given. */
export function askRating(turn: Turn, survey: OpenSurvey, introKey: string, params: Record<string, string>): void {
  turn.state.survey = survey;
  turn.ask(introKey, [1, 2, 3, 4, 5].map((n) => turn.choice(`rate:${n}`, `followups.survey.option_${n}`)), params);
}

/** Handles the message as the survey's answer when it is one. Returns true when it was. */
export async function onSurveyAnswer(turn: Turn, choice: string | null): Promise<boolean> {
  const survey = turn.state.survey;
  if (!survey) return false;
  const window = survey.step === 'rating' ? SURVEY_ANSWERABLE_MS : COMMENT_ANSWERABLE_MS;
  if (turn.now.getTime() - Date.parse(survey.askedAt) > window || turn.msg.command) {
    // Too late, or a platform command (/start, /menu): the survey is over, the message handled normally.
    turn.state.survey = null;
    return false;
  }
  return survey.step === 'rating' ? onRating(turn, survey, choice) : onComment(turn, survey, choice);
}

async function onRating(turn: Turn, survey: OpenSurvey, choice: string | null): Promise<boolean> {
  const rating = ratingOf(turn, choice);
  if (rating === null) return false;
  turn.intent = 'survey_rating';
  await rate(turn, survey, rating);
  const low = rating <= LOW_RATING;
  if (isBusy(turn.state.mode)) {
    // In the middle of a form: thanks, and the form's question again — no comment question on top of it.
    turn.state.survey = null;
    turn.say(low ? 'followups.survey.thanks_low_brief' : 'followups.survey.thanks_brief');
    reprompt(turn);
    return true;
  }
  askComment(turn, survey, low);
  return true;
}

/**
 * The optional comment. After a low rating the person may also talk to someone now: the chat goes
 * to staff with the reason `low_satisfaction`, so the inbox shows why.
 */
function askComment(turn: Turn, survey: OpenSurvey, low: boolean): void {
  turn.state.survey = { id: survey.id, step: 'comment', askedAt: turn.now.toISOString(), ...(low ? { low: true } : {}) };
  const skip = turn.choice('survey:skip', 'followups.survey.skip');
  if (low) turn.ask('followups.survey.thanks_low', [turn.choice('survey:talk', 'followups.survey.talk'), skip]);
  else turn.ask('followups.survey.thanks', [skip]);
}

async function rate(turn: Turn, survey: OpenSurvey, rating: Rating): Promise<void> {
  await turn.ports.surveys.rate(survey.id, rating, turn.now);
  if (rating <= LOW_RATING) {
    await turn.ports.tasks.open({ kind: 'low_satisfaction', caseId: survey.id, conversationId: null, detail: { surveyId: survey.id, rating } }, turn.now);
  }
}

/** Flows whose step is waiting for an answer: a survey must not be sent into them, nor ask a comment on top of them. */
const BUSY: ReadonlySet<Mode['type']> = new Set(['request', 'status', 'volunteer', 'complaint', 'choose_language', 'disambiguate']);

export function isBusy(mode: Mode): boolean {
  return BUSY.has(mode.type);
}

/**
 * A tapped button is always the answer. Inside a form nothing else is: «وضعنا المادي سيء جدا» is
 * a description, «راضي» a name. Elsewhere, a typed number only while the survey's question is the
 * last thing asked (later, "3" more likely picks a menu item); words, stars and faces at any time.
 */
function ratingOf(turn: Turn, choice: string | null): Rating | null {
  if (choice?.startsWith('rate:')) return readRating(choice, ratingWords(turn.ports.translator));
  // A button of the invitation pressed later (Telegram sends its value): the person's own survey only.
  if (/^rate:[1-5]$/.test(turn.text)) return readRating(turn.text, ratingWords(turn.ports.translator));
  if (isBusy(turn.state.mode)) return null;
  const asked = turn.previousChoices.some((c) => c.value.startsWith('rate:'));
  if (!asked && /^\s*[0-9٠-٩۰-۹]\s*$/.test(turn.text)) return null;
  // A bare "ok" / «تمام» answers the invitation ("ok, I will"), it does not rate: the question stays.
  if (isKeyword(turn.text, turn.ports.translator, 'survey.not_a_rating')) return null;
  return readRating(turn.text, ratingWords(turn.ports.translator));
}

async function onComment(turn: Turn, survey: OpenSurvey, choice: string | null): Promise<boolean> {
  if (turn.text === '') return false;
  if (choice?.startsWith('rate:') || /^rate:[1-5]$/.test(turn.text)) {
    // Another star pressed: the person changed their mind; the comment question stays.
    const rating = readRating(choice ?? turn.text, ratingWords(turn.ports.translator));
    if (rating !== null) {
      turn.intent = 'survey_rating';
      await rate(turn, survey, rating);
      askComment(turn, survey, rating <= LOW_RATING);
      return true;
    }
  }
  if (survey.low && (choice === 'survey:talk' || turn.command === 'human')) {
    // «التحدث مع موظف» tapped or typed, or just «موظف»: to staff, who see why.
    turn.intent = 'human';
    turn.state.survey = null;
    await startHandoff(turn, 'low_satisfaction');
    return true;
  }
  const reading = readComment(turn, choice);
  if (reading === 'skip') {
    turn.intent = 'survey_skip';
    turn.state.survey = null;
    turn.say('followups.survey.done');
    return true;
  }
  if (reading === 'not_comment') {
    turn.state.survey = null;
    return false;
  }
  turn.intent = 'survey_comment';
  await turn.ports.surveys.comment(survey.id, turn.text, turn.now);
  turn.state.survey = null;
  turn.say('followups.survey.comment_thanks');
  // Written in answer to "tell us what happened", but also asking for something («ما أحد رد علي، أبغى موظف»):
  // kept as the comment, and then handled as the request it is.
  const ask = plainAsk(turn);
  if (ask === 'human' && survey.low) {
    // Asking for a person right after a low rating: staff see why.
    turn.intent = 'human';
    await startHandoff(turn, 'low_satisfaction');
    return true;
  }
  return ask === null;
}

/** Intents that name something to do: the person has moved on from the survey. */
// Not `complaint`: a comment after a low rating often reads as one, and it is exactly what the comment is for.
const ACTION_INTENTS = new Set(['request_new', 'request_status', 'human', 'volunteer', 'menu', 'language']);
/** Said instead of a comment: thanks and goodbye decline it politely, a greeting starts something new. */
const DECLINING_INTENTS = new Set(['thanks', 'goodbye']);
const NEW_TOPIC_INTENTS = new Set(['greeting', 'about', 'services', 'eligibility', 'documents', 'contact', 'hours', 'timeline']);

/**
 * What the message at the comment step is: a way of declining («شكرا», "skip", «لا شيء»), not a
 * comment at all (a command word, a greeting, a question the bot can answer — handled normally),
 * or the comment.
 */
function readComment(turn: Turn, choice: string | null): 'skip' | 'not_comment' | 'comment' {
  if (choice === 'survey:skip' || isSkip(turn.text, ratingWords(turn.ports.translator))) return 'skip';
  if (turn.command !== null) return 'not_comment';
  const c = turn.ports.classifier.classify(turn.text);
  if (c.type !== 'intent' || c.confidence < 0.9) return 'comment';
  if (DECLINING_INTENTS.has(c.intent) && turn.text.split(/\s+/).length <= 4) return 'skip';
  if (NEW_TOPIC_INTENTS.has(c.intent) && (c.intent === 'greeting' || /[?؟]/.test(turn.text))) return 'not_comment';
  return 'comment';
}

/**
 * Only a plain ask counts: describing what went wrong reads as `human` too («ما أحد رد على
 * اتصالاتي» 0.93, «انتظرت أسبوعين ولم يتصل بي أحد» 0.83), while asking reads ≥ 0.998 («أبغى أكلم
 * موظف», "I want to talk to a person", «أريد تقديم طلب جديد»), measured with the shipped classifier.
 */
const PLAIN_ASK = 0.98;

/** The action a comment plainly asks for, if any. */
function plainAsk(turn: Turn): string | null {
  const c = turn.ports.classifier.classify(turn.text);
  return c.type === 'intent' && ACTION_INTENTS.has(c.intent) && c.confidence >= PLAIN_ASK ? c.intent : null;
}
