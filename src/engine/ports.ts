import type { Intent } from '../domain/intents';
import type { Language } from '../domain/language';
import type { AttachmentKind, ChannelId } from '../domain/messages';
import type { AttestedData, Attestation, RequestStatus, RequestSummary } from '../domain/support-request';
import type { ConversationState } from './state';

/**
 * Ports the engine depends on. The engine imports no SDK and no database: real implementations
 * live in persistence/ and nlu/, in-memory ones in tests.
 */

/** Who a conversation is with: one beneficiary on one channel account. */
export interface ConversationRef {
  channel: ChannelId;
  account: string;
  sender: string;
}

export interface StoredConversation {
  rev: number;
  state: ConversationState;
}

/** Thrown by `save` when another writer saved first; the caller reloads and retries. */
export class ConcurrencyError extends Error {
  readonly code = 'CONVERSATION_CONFLICT';
}

export interface ConversationStore {
  load(ref: ConversationRef): Promise<StoredConversation | null>;
  /** Saves when the stored revision still equals `expectedRev` (null: must not exist yet). Returns the new revision. */
  save(ref: ConversationRef, state: ConversationState, expectedRev: number | null): Promise<number>;
}

/** Serialises the handling of one conversation across processes. */
export interface ConversationLock {
  withLock<T>(key: string, fn: () => Promise<T>): Promise<T>;
}

export interface NewSupportRequest {
  applicant: ConversationRef;
  data: AttestedData;
  attestation: Attestation;
  language: Language;
  draftId: string;
}

export type CreateRequestOutcome =
  | { type: 'created'; reference: string }
  | { type: 'duplicate'; reference: string; sameSender: boolean };

export interface OpenRequestMatch {
  reference: string;
  sameSender: boolean;
}

export interface RequestRepository {
  /** Creates the request unless one with the same national ID is open; idempotent per draft id. */
  create(input: NewSupportRequest, now: Date): Promise<CreateRequestOutcome>;
  findOpenByNationalId(nationalId: string, asker: ConversationRef): Promise<OpenRequestMatch | null>;
  listByApplicant(applicant: ConversationRef): Promise<RequestSummary[]>;
  /** Returns the summary only when `lastFour` matches the applicant's national ID; null otherwise (no oracle). */
  verifyAndGet(reference: string, lastFour: string): Promise<RequestSummary | null>;
}

export interface HandoffMessage {
  text: string;
  attachment?: AttachmentKind;
  attachmentRef?: string;
}

/** Why a chat went to staff; `low_satisfaction`: after rating the service 1 or 2, the person asked to talk to someone. */
export type HandoffReason = 'requested' | 'unclear_procedures' | 'misunderstood' | 'low_satisfaction';

export interface HandoffRepository {
  open(input: { conversation: ConversationRef; reason: HandoffReason; language: Language; firstMessage: string; now: Date }): Promise<string>;
  isOpen(handoffId: string): Promise<boolean>;
  /** Keeps a beneficiary's message (and any voice note or photo, by reference) for staff while the handoff is open. */
  appendMessage(handoffId: string, message: HandoffMessage, now: Date): Promise<void>;
  close(handoffId: string, by: string, now: Date): Promise<boolean>;
}

export interface VolunteerRepository {
  create(input: { conversation: ConversationRef; name: string; phone: string; city: string; interest: string; language: Language; now: Date }): Promise<void>;
}

export type FeedbackKind = 'complaint' | 'suggestion';

export interface FeedbackRepository {
  /** Stores the complaint or suggestion, flagged for staff; returns its reference. */
  create(input: { conversation: ConversationRef; kind: FeedbackKind; text: string; language: Language; now: Date }): Promise<string>;
}

/** Satisfaction survey answers (policy: rating the service is the beneficiary's right, used to improve, never to punish). */
export interface SurveyRepository {
  /** Stores the rating; a second rating of the same survey replaces the first (the person changed their mind). */
  rate(surveyId: string, rating: number, now: Date): Promise<void>;
  /** Stores the one optional comment, sealed. */
  comment(surveyId: string, text: string, now: Date): Promise<void>;
}

/** Follow-ups for staff (the staff console lists them). Opening the same task twice opens it once. */
export interface TaskRepository {
  open(task: { kind: 'promise_overdue' | 'low_satisfaction' | 'handoff_silent'; caseId: string; conversationId: string | null; detail: Record<string, string | number> }, now: Date): Promise<void>;
}

/** Counts failed verification attempts with expiry (status look-ups by third parties). */
export interface AttemptLimiter {
  /** Records one failure and returns the count inside the window. */
  fail(key: string, windowSeconds: number): Promise<number>;
  count(key: string): Promise<number>;
  reset(key: string): Promise<void>;
  /** Seconds until the key's window ends (0 when it does not exist): lock-out messages state the real wait. */
  remainingSeconds(key: string): Promise<number>;
}

export interface Clock {
  now(): Date;
}

export interface Translator {
  t(lang: Language, key: string, params?: Record<string, string | number>): string;
  /** A list resource (keywords). */
  list(lang: Language, key: string): string[];
}

export type Classification =
  | { type: 'intent'; intent: Intent; confidence: number; language: Language | null }
  | { type: 'unsure'; candidates: [Intent, Intent]; confidence: number; language: Language | null }
  | { type: 'unknown'; confidence: number; language: Language | null };

export interface IntentClassifier {
  classify(text: string): Classification;
}

/** Tells staff about faults the person cannot fix (a stored record that cannot be read). */
export interface FaultReporter {
  unreadableRecord(detail: string): void;
}

/** Everything the engine needs, bundled so flows take one argument. */
export interface EnginePorts {
  conversations: ConversationStore;
  lock: ConversationLock;
  requests: RequestRepository;
  handoffs: HandoffRepository;
  volunteers: VolunteerRepository;
  feedback: FeedbackRepository;
  attempts: AttemptLimiter;
  surveys: SurveyRepository;
  tasks: TaskRepository;
  clock: Clock;
  translator: Translator;
  classifier: IntentClassifier;
  settings: EngineSettings;
  /** Optional so that ports built elsewhere keep compiling; without it faults still reach the person. */
  faults?: FaultReporter;
}

export interface EngineSettings {
  handoffNoticeMinutes: number;
  draftResumeMinutes: number;
}

/** Exported for request statuses shown to beneficiaries. */
export type { RequestStatus };
