import { DEFAULT_LANGUAGE, isLanguage } from '../domain/language';
import type { EngineResult, InboundMessage, PlatformCommand } from '../domain/messages';
import { parseLanguageRequest } from '../nlu/language-detect';
import { languageEvidence } from './reference';
import { isOptionValue, matchCommand, type Command } from './input';
import type { ConversationRef, EnginePorts, StoredConversation } from './ports';
import { migrateState } from './migrate';
import { decideProactive, type ProactiveDecision, type ProactiveEvent } from './proactive';
import { initialState, stepKey, type ConversationState } from './state';
import { Turn } from './turn';
import { complaintBack, onComplaintInput } from './flows/complaint.flow';
import { askedReason, onHandoffMessage, startHandoff } from './flows/handoff.flow';
import { askLanguage, onLanguageChoice, switchLanguage } from './flows/language.flow';
import { showMainMenu } from './flows/menu';
import { cancelRequest, continueRequest, onRequestInput, requestBack } from './flows/request.flow';
import { isKeyword } from './option-words';
import { onStatusInput } from './flows/status.flow';
import { onSurveyAnswer } from './flows/survey.flow';
import { cancelVolunteer, onVolunteerInput, volunteerBack } from './flows/volunteer.flow';
import { offerResume, onResumeChoice, route, runIntent } from './router';
import { checkDigression, mayBeAnswer } from './digression';
import { reprompt } from './reprompt';
import { stepAccepts } from './step-spec';
import { pickChoice, runSafely, tellNotice, tooLong } from './turn-guards';

/** What one turn decided: the new state and the answer. */
export interface DecidedTurn {
  state: ConversationState;
  result: EngineResult;
  /** False when the message was already handled (a redelivery answered from the stored result). */
  changed: boolean;
}

/**
 * The conversation engine: one inbound message in, replies out. Channel-agnostic; all I/O goes
 * through {@link EnginePorts}. Messages of one conversation are handled one at a time.
 */
export class Engine {
  constructor(private readonly ports: EnginePorts) {}

  async handle(msg: InboundMessage): Promise<EngineResult> {
    const ref: ConversationRef = { channel: msg.channel, account: msg.account, sender: msg.sender };
    return this.ports.lock.withLock(`${ref.channel}:${ref.account}:${ref.sender}`, async () => {
      const stored = await this.ports.conversations.load(ref);
      const turn = await this.decide(msg, stored);
      if (turn.changed) await this.ports.conversations.save(ref, turn.state, stored?.rev ?? null);
      return turn.result;
    });
  }

  /**
   * One turn without loading or saving the conversation: the caller owns the stored state (the
   * message pipeline writes it together with the replies in one compare-and-set). Side effects
   * through the other ports (a request created, a handoff opened) are idempotent, so a turn
   * decided twice after a lost race does no harm. `changed` is false for a redelivered message.
   */
  async decide(msg: InboundMessage, stored: StoredConversation | null): Promise<DecidedTurn> {
    const state = stored ? migrateState(stored.state) : firstContactState(msg);
    const messageKey = `${msg.channel}:${msg.messageId}`;
    if (state.lastMessageKey === messageKey && state.lastResult) return { state, result: state.lastResult, changed: false };
    const turn = new Turn(msg, state, this.ports, this.ports.clock.now());
    await runTurn(turn);
    const result: EngineResult = { intent: turn.intent, language: turn.lang, replies: turn.replies };
    turn.state.lastInboundAt = turn.now.toISOString();
    turn.state.lastMessageKey = messageKey;
    turn.state.lastResult = result;
    return { state: turn.state, result, changed: true };
  }

  /** A message the bot sends first (a follow-up): what to say now, or why not (see proactive.ts). */
  proactive(ref: ConversationRef, stored: StoredConversation | null, event: ProactiveEvent, now: Date): Promise<ProactiveDecision> {
    return decideProactive(this.ports, ref, stored, event, now);
  }

  /**
   * A polite word, in the beneficiary's language, for a message that could not be handled even
   * after repeated tries (see jobs/recovery): never silence. The conversation is not changed.
   */
  apologise(msg: InboundMessage): Promise<EngineResult> {
    return noticeFor(this.ports, msg, 'answers.not_processed');
  }
}

/** A one-line notice (e.g. "please slow down") in the conversation's language, without a turn: the conversation is not changed. */
export async function noticeFor(ports: Pick<EnginePorts, 'conversations' | 'translator'>, msg: InboundMessage, key: string): Promise<EngineResult> {
  // The stored state may be what fails; then the message's own script decides.
  const stored = await ports.conversations.load(msg).catch(() => null);
  const language = stored ? migrateState(stored.state).language : firstContactState(msg).language;
  return { intent: null, language, replies: [{ text: ports.translator.t(language, key) }] };
}

function firstContactState(msg: InboundMessage): ConversationState {
  const detected = languageEvidence(msg.text);
  if (detected) return initialState(detected.language, detected.clear ? 'detected' : 'guessed');
  const hint = msg.languageHint?.slice(0, 2).toLowerCase();
  return isLanguage(hint) ? initialState(hint, 'detected') : initialState(DEFAULT_LANGUAGE, 'default');
}

async function runTurn(turn: Turn): Promise<void> {
  const before = stepKey(turn.state.mode);
  await runSafely(turn, () => runSteps(turn));
  if (!turn.missedThisTurn && stepKey(turn.state.mode) !== before) turn.state.misses = null;
}

async function runSteps(turn: Turn): Promise<void> {
  if (turn.state.notice) tellNotice(turn);
  const mode = turn.state.mode;
  const command = matchCommand(turn.text, turn.ports.translator);
  turn.command = command;
  if (tooLong(turn)) return;
  // "cancel", /start and /menu leave a handoff: a beneficiary must never be stuck in one.
  const leavesHandoff = command === 'cancel' || turn.msg.command === 'start' || turn.msg.command === 'menu';
  const choice = pickChoice(turn);
  if (mode.type === 'handoff' && (await onHandoffMessage(turn, leavesHandoff, choice))) return;
  if (await onSurveyAnswer(turn, choice)) return;
  if (turn.msg.command) return onPlatformCommand(turn, turn.msg.command);
  if (turn.text === '') return onNonText(turn);
  // A tapped button or a menu number is not the person's own words: it says nothing of their language.
  if (choice === null && !isOptionValue(turn.text)) adoptScriptLanguage(turn);
  if (isStaleDraft(turn)) return continueOrOffer(turn);
  if (await handleCommand(turn, command)) return;
  if (languageRequested(turn)) return;
  const outcome = await checkDigression(turn, choice);
  if (outcome.handled) return;
  await dispatch(turn, outcome.choice);
}

async function dispatch(turn: Turn, choice: string | null): Promise<void> {
  const mode = turn.state.mode;
  switch (mode.type) {
    case 'idle':
    case 'disambiguate':
    case 'handoff':
      turn.setMode({ type: 'idle' });
      return route(turn, choice);
    case 'request':
      return onRequestInput(turn, choice);
    case 'resume_offer':
      return onResumeChoice(turn, choice);
    case 'status':
      return onStatusInput(turn);
    case 'volunteer':
      return onVolunteerInput(turn, choice);
    case 'complaint':
      return onComplaintInput(turn, choice);
    case 'choose_language':
      return onLanguageChoice(turn, choice, (t) => route(t, null));
    default: {
      const unreachable: never = mode;
      return unreachable;
    }
  }
}

/** cancel / back / menu / human inside a flow. Returns true when the command was handled. */
async function handleCommand(turn: Turn, command: Command | null): Promise<boolean> {
  const mode = turn.state.mode;
  if (mode.type === 'idle') {
    // The bot's own exit word («موظف», "staff", «عملہ») opens a handoff everywhere, never a guess.
    if (command === 'human') {
      turn.intent = 'human';
      await startHandoff(turn, askedReason(turn));
      return true;
    }
    if (command !== 'cancel') return false;
    // Nothing to cancel: the main menu, not the language picker or a guess.
    turn.intent = 'menu';
    showMainMenu(turn, turn.state.draft ? 'menu.draft_kept' : 'menu.nothing_to_cancel');
    return true;
  }
  if (command === 'menu') {
    turn.intent = 'menu';
    showMainMenu(turn, turn.state.draft ? 'menu.draft_kept' : 'menu.title');
    return true;
  }
  if (command === 'human') {
    turn.intent = 'human';
    await startHandoff(turn, askedReason(turn));
    return true;
  }
  if (command !== 'cancel' && command !== 'back') return false;
  switch (mode.type) {
    case 'request':
      if (command === 'cancel') cancelRequest(turn);
      else requestBack(turn);
      return true;
    case 'volunteer':
      if (command === 'cancel') cancelVolunteer(turn);
      else volunteerBack(turn);
      return true;
    case 'complaint':
      if (command === 'back') complaintBack(turn);
      else showMainMenu(turn, 'menu.anything_else');
      return true;
    case 'resume_offer':
      // A follow-up reminder offered "cancel" as one of its two options: the word means that option.
      if (command === 'cancel' && mode.reminder) cancelRequest(turn);
      else showMainMenu(turn, 'menu.anything_else');
      return true;
    case 'status':
    case 'choose_language':
    case 'disambiguate':
    case 'handoff':
      showMainMenu(turn, 'menu.anything_else');
      return true;
    default: {
      const unreachable: never = mode;
      return unreachable;
    }
  }
}

/**
 * "English please" / «اردو میں بات کریں» switches at once and confirms, at any step except where
 * the answer itself is free text (there the digression check reads it). Nothing changes when it
 * is already that language; a picker only when no language is named (the classifier's intent).
 */
function languageRequested(turn: Turn): boolean {
  const accepts = stepAccepts(turn.state.mode);
  if ((accepts && (accepts.kind === 'name' || accepts.kind === 'text')) || turn.text.split(/\s+/).length > 5) return false;
  const wanted = parseLanguageRequest(turn.text);
  if (!wanted) return false;
  turn.intent = 'language';
  // Confirmed unless it was already the person's own choice (the script may have switched already this turn).
  if (wanted !== turn.lang || turn.state.languageSource !== 'chosen') switchLanguage(turn, wanted);
  if (turn.state.mode.type === 'idle' || turn.state.mode.type === 'choose_language') showMainMenu(turn);
  else reprompt(turn);
  return true;
}

/**
 * Until a message has shown the beneficiary's language clearly, follow the language they write
 * in: someone whose first words were "assalam o alaikum" (read as Arabizi) and who then writes
 * in Roman Urdu gets Urdu. Clear Urdu also overrides a clear Arabic or English start (Arabic and
 * English writers do not produce Urdu letters or several Roman Urdu words by accident); nothing
 * else overrides a clear start, and nothing overrides a language the person chose. Mid-flow only
 * a clear sentence that is not the step's answer counts, so a name typed in Latin letters changes nothing.
 */
function adoptScriptLanguage(turn: Turn): void {
  const source = turn.state.languageSource;
  if (source === 'chosen') return;
  const detected = languageEvidence(turn.text);
  if (!detected) return;
  if (turn.state.mode.type !== 'idle') {
    // Mid-flow only a clear sentence that is not the step's answer corrects a guessed language:
    // a name or an ID typed in Latin letters never does.
    const accepts = stepAccepts(turn.state.mode);
    if (source !== 'guessed' || !detected.clear || (accepts && mayBeAnswer(turn, accepts))) return;
  }
  const follows = source === 'default' || (detected.clear && (source === 'guessed' || detected.language === 'ur'));
  if (!follows) return;
  turn.state.language = detected.language;
  turn.state.languageSource = detected.clear ? 'detected' : 'guessed';
}

/** Someone mid-request who comes back after a while is asked whether to continue, not surprised by an old question. */
function isStaleDraft(turn: Turn): boolean {
  const { mode, draft, lastInboundAt, repromptedAt } = turn.state;
  if (mode.type !== 'request' || !draft || !lastInboundAt) return false;
  // A step the bot asked again just now (staff handed the chat back) is not stale, however long the person was with staff.
  const since = Math.max(Date.parse(lastInboundAt), repromptedAt ? Date.parse(repromptedAt) : 0);
  return turn.now.getTime() - since > turn.ports.settings.draftResumeMinutes * 60_000;
}

/** «كمل» / "continue" / "jari rakho" after a long pause goes straight on; anything else gets the offer. */
function continueOrOffer(turn: Turn): void {
  if (!isKeyword(turn.text, turn.ports.translator, 'continue')) return offerResume(turn);
  turn.intent = 'request_new';
  continueRequest(turn);
}

/** /start, /menu, /lang: leave any flow (a draft is kept) and do what the command says. */
async function onPlatformCommand(turn: Turn, command: PlatformCommand): Promise<void> {
  switch (command) {
    case 'start':
      return runIntent(turn, 'greeting');
    case 'menu':
      turn.intent = 'menu';
      return showMainMenu(turn, turn.state.draft ? 'menu.draft_kept' : 'menu.title');
    case 'language':
      turn.intent = 'language';
      return askLanguage(turn);
    default: {
      const unreachable: never = command;
      return unreachable;
    }
  }
}

/** Photos, voice notes, stickers…: say politely what the bot can read, and repeat the question. */
function onNonText(turn: Turn): void {
  turn.say('answers.text_only');
  reprompt(turn);
}

