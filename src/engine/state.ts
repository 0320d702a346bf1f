import type { Language } from '../domain/language';
import type { EngineResult } from '../domain/messages';
import type { RequestDraft } from '../domain/support-request';

/** Steps of the support request form, in order. `facilityOther` follows `facility` only when it is "other". */
export const REQUEST_STEPS = [
  'applicantName',
  'nationalId',
  'phone',
  'relation',
  'inmateName',
  'facility',
  'facilityOther',
  'supportType',
  'description',
  'summary',
  'attest',
] as const;
export type RequestStep = (typeof REQUEST_STEPS)[number];

export const VOLUNTEER_STEPS = ['name', 'phone', 'city', 'interest'] as const;
export type VolunteerStep = (typeof VOLUNTEER_STEPS)[number];

export interface VolunteerDraft {
  name?: string;
  phone?: string;
  city?: string;
}

/** What the conversation is doing now. Every handler switches on `type` exhaustively. */
export type Mode =
  | { type: 'idle' }
  | { type: 'request'; step: RequestStep; returnToSummary: boolean }
  /** `reminder`: offered by a follow-up reminder, whose options are continue and cancel (so «إلغاء» cancels the draft). */
  | { type: 'resume_offer'; reminder?: boolean }
  | { type: 'status'; step: 'reference' | 'verify'; reference?: string }
  | { type: 'volunteer'; step: VolunteerStep }
  | { type: 'complaint'; step: 'kind' | 'text'; kind?: 'complaint' | 'suggestion' }
  /**
   * `resume`: where the person was when the handoff opened (a request step, a status check …);
   * staff handing the chat back to the bot, or closing it, brings them back there. Absent in
   * handoffs opened before it existed: those return to the main menu.
   */
  | { type: 'handoff'; handoffId: string; lastNoticeAt: string | null; leaveOffered?: boolean; resume?: ResumableMode }
  | { type: 'choose_language' }
  | { type: 'disambiguate' };

/** A mode a handoff can return to: anything but another handoff. */
export type ResumableMode = Exclude<Mode, { type: 'handoff' }>;

/** A numbered choice the beneficiary was offered; `value` says what choosing it means (e.g. `intent:request_new`). */
export interface PendingChoice {
  value: string;
  label: string;
}

export const STATE_VERSION = 2;

/** Wrong answers in a row at one step (after the second, the re-ask names the way out). */
export interface StepMisses {
  step: string;
  count: number;
}

/**
 * A message that could be the step's answer or something else (a name that reads like a
 * question about a service): kept until the person says which, so neither reading is lost.
 */
export interface PendingAnswer {
  step: string;
  text: string;
  intent: string;
}

/**
 * Everything the bot remembers about one beneficiary on one channel. Stored as a versioned
 * document: `v` is the shape version (migrated on load, so sessions survive a deploy).
 */
export interface ConversationState {
  v: typeof STATE_VERSION;
  language: Language;
  /**
   * default: no letters seen yet; guessed: from a message that did not say it clearly (a lone
   * "assalam o alaikum", "ok"); detected: from a clear message; chosen: asked for by name or menu.
   * Default and guessed follow the next message's language; detected gives way to clear Urdu only.
   */
  languageSource: 'default' | 'guessed' | 'detected' | 'chosen';
  mode: Mode;
  choices: PendingChoice[];
  misunderstandings: number;
  lastInboundAt: string | null;
  draft: RequestDraft | null;
  volunteerDraft: VolunteerDraft | null;
  /** `<channel>:<message id>` of the last message handled, and what was answered: a redelivered message gets the same answer, not a second turn. */
  lastMessageKey: string | null;
  lastResult: EngineResult | null;
  misses: StepMisses | null;
  pendingAnswer: PendingAnswer | null;
  /** Set outside the engine when part of the stored record could not be read: the person is told once. */
  notice: 'record_unreadable' | null;
  /** A satisfaction survey the person was invited to and has not finished (see flows/survey.flow). */
  survey: OpenSurvey | null;
  /**
   * When the bot last asked the open step again without the person writing (staff handed the
   * chat back): their next answer answers that question, however long the handoff lasted.
   * Optional within version 2 (absent in older states).
   */
  repromptedAt?: string | null;
}

/** The survey question open in a conversation: the rating first, then one optional comment. */
export interface OpenSurvey {
  id: string;
  step: 'rating' | 'comment';
  askedAt: string;
  /** At the comment step: the rating was low (1–2), so talking to a person now is offered (absent in older states). */
  low?: boolean;
}

export function initialState(language: Language, source: ConversationState['languageSource']): ConversationState {
  return {
    v: STATE_VERSION,
    language,
    languageSource: source,
    mode: { type: 'idle' },
    choices: [],
    misunderstandings: 0,
    lastInboundAt: null,
    draft: null,
    volunteerDraft: null,
    lastMessageKey: null,
    lastResult: null,
    misses: null,
    pendingAnswer: null,
    notice: null,
    survey: null,
  };
}

/** Where the conversation is, as one name: `idle`, `request.<step>`, `status.verify`, `handoff` … */
export function stepKey(mode: Mode): string {
  switch (mode.type) {
    case 'request':
    case 'status':
    case 'volunteer':
    case 'complaint':
      return `${mode.type}.${mode.step}`;
    case 'idle':
    case 'resume_offer':
    case 'handoff':
    case 'choose_language':
    case 'disambiguate':
      return mode.type;
    default: {
      const unreachable: never = mode;
      return unreachable;
    }
  }
}
