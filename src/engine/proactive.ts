import type { InboundMessage, Reply } from '../domain/messages';
import type { RequestStatus } from '../domain/support-request';
import { formatRiyadhTime } from '../domain/working-hours';
import { returnFromHandoff } from './flows/handoff.flow';
import { askRating, isBusy } from './flows/survey.flow';
import { migrateState } from './migrate';
import type { ConversationRef, EnginePorts, StoredConversation } from './ports';
import { reprompt } from './reprompt';
import type { ConversationState } from './state';
import { Turn } from './turn';

/**
 * Messages the bot sends first (follow-ups): what to say, in the person's language, and how the
 * conversation changes — or why not now. Decided against the conversation as it is when the
 * message is due, never as it was when it was scheduled.
 */
export type ProactiveEvent =
  /** An unfinished request after `silenceMs` without a message from the person. */
  | { type: 'reminder'; draftId: string; silenceMs: number }
  | { type: 'status'; reference: string; status: RequestStatus; note: string | null }
  /** Two weeks with the committee, undecided: "it is still being studied". */
  | { type: 'promise'; reference: string }
  /** The caller has checked that the survey exists and is unanswered (the runner re-reads it when due). */
  | { type: 'survey'; surveyId: string; about: 'request' | 'handoff'; reference: string | null; reminder: boolean }
  /** Staff handed the chat back to the bot (`closed`: staff closed it): tell the person and ask the step they were at again. */
  | { type: 'handoff_returned'; handoffId: string; closed: boolean }
  /** Nobody took the handoff in time: the wait is longer, an answer is expected by `expectBy` (ISO). */
  | { type: 'handoff_wait'; handoffId: string; expectBy: string }
  /** A staff member's reply, sent as typed (never translated) under a "staff:" label in the person's language. */
  | { type: 'staff_reply'; handoffId: string; text: string };

export type ProactiveDecision =
  | { type: 'send'; state: ConversationState; replies: Reply[] }
  /** Not now: try again at `until` (the person is busy in a form or with staff, or wrote recently). */
  | { type: 'later'; until: Date; reason: string }
  /** Never: the case moved on (`reason` says how). */
  | { type: 'skip'; reason: string };

const RETRY_BUSY_MS = 60 * 60_000;

export async function decideProactive(ports: EnginePorts, ref: ConversationRef, stored: StoredConversation | null, event: ProactiveEvent, now: Date): Promise<ProactiveDecision> {
  if (!stored) return { type: 'skip', reason: 'no_conversation' };
  const turn = new Turn(syntheticMessage(ref, now), migrateState(stored.state), ports, now);
  const outcome = await decideWith(turn, event);
  if (outcome !== null) return outcome;
  return { type: 'send', state: turn.state, replies: turn.replies };
}

async function decideWith(turn: Turn, event: ProactiveEvent): Promise<ProactiveDecision | null> {
  switch (event.type) {
    case 'reminder':
      return remind(turn, event.draftId, event.silenceMs);
    case 'status':
      return inform(turn, statusNews(turn, event));
    case 'promise':
      return inform(turn, turn.t('followups.promise', { reference: event.reference }));
    case 'survey':
      return invite(turn, event);
    case 'handoff_returned':
      return handBack(turn, event.handoffId, event.closed);
    case 'handoff_wait':
      if (!inHandoff(turn, event.handoffId)) return { type: 'skip', reason: 'not_in_handoff' };
      turn.say('handoff.wait_longer', { time: formatRiyadhTime(new Date(event.expectBy), turn.lang, turn.now) });
      return null;
    case 'staff_reply':
      if (!inHandoff(turn, event.handoffId)) return { type: 'skip', reason: 'not_in_handoff' };
      turn.replies.push({ text: `${turn.t('handoff.staff_label')}\n${event.text}` });
      return null;
    default: {
      const unreachable: never = event;
      return unreachable;
    }
  }
}

function remind(turn: Turn, draftId: string, silenceMs: number): ProactiveDecision | null {
  const { draft, mode, lastInboundAt } = turn.state;
  if (!draft || draft.id !== draftId) return { type: 'skip', reason: 'draft_closed' };
  const quietSince = lastInboundAt ? Date.parse(lastInboundAt) : 0;
  if (turn.now.getTime() - quietSince < silenceMs) return { type: 'later', until: new Date(quietSince + silenceMs), reason: 'wrote_since' };
  if (mode.type === 'handoff') return { type: 'later', until: new Date(turn.now.getTime() + silenceMs), reason: 'with_staff' };
  turn.setMode({ type: 'resume_offer', reminder: true });
  turn.ask('followups.reminder', [turn.choice('resume:continue', 'request.resume_continue'), turn.choice('resume:cancel', 'followups.reminder_cancel')]);
  return null;
}

/** One bubble: what changed, what it means (the words the status check uses), the staff's note where it is meant for the person, and what to do next. */
function statusNews(turn: Turn, event: Extract<ProactiveEvent, { type: 'status' }>): string {
  const lines = [turn.t('followups.status_header', { reference: event.reference }), turn.t(`status.explain.${event.status}`)];
  if (event.note) lines.push(turn.t(`status.note.${event.status}`, { note: event.note }));
  lines.push(turn.t(`followups.next.${event.status}`), turn.t('followups.status_footer', { reference: event.reference }));
  return lines.join('\n');
}

/** News about a request; someone in the middle of a step is then asked that step again. */
async function inform(turn: Turn, text: string): Promise<ProactiveDecision | null> {
  if (turn.state.mode.type === 'handoff' && (await turn.ports.handoffs.isOpen(turn.state.mode.handoffId))) {
    return { type: 'later', until: new Date(turn.now.getTime() + RETRY_BUSY_MS), reason: 'with_staff' };
  }
  turn.replies.push({ text });
  // Someone filling in a form right now gets its question again; a form left for a while is not re-asked (its draft stays).
  if (fillingIn(turn)) reprompt(turn);
  else turn.setMode({ type: 'idle' });
  return null;
}

async function invite(turn: Turn, event: Extract<ProactiveEvent, { type: 'survey' }>): Promise<ProactiveDecision | null> {
  const mode = turn.state.mode;
  if (event.reminder && turn.state.survey?.id !== event.surveyId) return { type: 'skip', reason: 'survey_closed' };
  if (fillingIn(turn)) return { type: 'later', until: new Date(turn.now.getTime() + RETRY_BUSY_MS), reason: 'busy' };
  // A form left for a while (its draft is kept and offered again) does not hold the survey back.
  if (isBusy(mode)) turn.setMode({ type: 'idle' });
  if (mode.type === 'handoff') {
    if (await turn.ports.handoffs.isOpen(mode.handoffId)) return { type: 'later', until: new Date(turn.now.getTime() + RETRY_BUSY_MS), reason: 'with_staff' };
    turn.setMode({ type: 'idle' });
  }
  const key = event.reminder ? 'followups.survey.reminder' : event.about === 'request' ? 'followups.survey.invite_request' : 'followups.survey.invite_handoff';
  askRating(turn, { id: event.surveyId, step: 'rating', askedAt: turn.now.toISOString() }, key, { reference: event.reference ?? '' });
  return null;
}

function inHandoff(turn: Turn, handoffId: string): boolean {
  const mode = turn.state.mode;
  return mode.type === 'handoff' && mode.handoffId === handoffId;
}

/** Back to the bot where the person was: the notice, then the open step's question (or the menu). */
function handBack(turn: Turn, handoffId: string, closed: boolean): ProactiveDecision | null {
  if (!returnFromHandoff(turn, handoffId, closed ? 'handoff.closed_by_staff' : 'handoff.returned')) return { type: 'skip', reason: 'not_in_handoff' };
  reprompt(turn);
  return null;
}

/** In a form and writing recently (within DRAFT_RESUME_MINUTES): a proactive message must not cut in. */
function fillingIn(turn: Turn): boolean {
  const { mode, lastInboundAt } = turn.state;
  if (!isBusy(mode) || !lastInboundAt) return false;
  return turn.now.getTime() - Date.parse(lastInboundAt) < turn.ports.settings.draftResumeMinutes * 60_000;
}

/** The Turn machinery needs a message; a proactive turn has none, and never counts as the person writing. */
function syntheticMessage(ref: ConversationRef, now: Date): InboundMessage {
  return { channel: ref.channel, account: ref.account, sender: ref.sender, messageId: `proactive:${now.getTime()}`, text: '', receivedAt: now };
}
