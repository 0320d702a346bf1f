import type { FeedbackKind } from '../ports';
import type { Turn } from '../turn';
import { showMainMenu } from './menu';
import { parseFreeText } from './text-answers';
import { matchOptionLoosely } from '../option-words';

/**
 * Complaints and suggestions, stored with a reference and flagged for staff. The beneficiary is
 * reminded that rating the service is their right and is used to improve, never to punish.
 */
const KINDS: readonly FeedbackKind[] = ['complaint', 'suggestion'];

export function startComplaint(turn: Turn): void {
  // "I have a suggestion" / «عندي شكوى» already says which (but "a complaint or suggestion" does not).
  const named = KINDS.filter((k) => matchOptionLoosely(turn.text, [turn.choice(`kind:${k}`, `complaint.kind.${k}`)], turn.ports.translator));
  const kind = named.length === 1 ? named[0] : undefined;
  turn.setMode(kind ? { type: 'complaint', step: 'text', kind } : { type: 'complaint', step: 'kind' });
  promptComplaint(turn);
}

export function promptComplaint(turn: Turn): void {
  const mode = turn.state.mode;
  if (mode.type !== 'complaint') return;
  if (mode.step === 'kind') {
    return turn.ask('complaint.ask_kind', KINDS.map((k) => turn.choice(`kind:${k}`, `complaint.kind.${k}`)));
  }
  turn.say(`complaint.ask_text.${mode.kind ?? 'complaint'}`);
}

export async function onComplaintInput(turn: Turn, choice: string | null): Promise<void> {
  const mode = turn.state.mode;
  if (mode.type !== 'complaint') return;
  if (mode.step === 'kind') {
    const kind = choice === 'kind:complaint' || choice === 'kind:suggestion' ? (choice.slice(5) as FeedbackKind) : null;
    if (!kind) {
      turn.say('request.errors.pick_option');
      turn.missed();
      return promptComplaint(turn);
    }
    turn.setMode({ type: 'complaint', step: 'text', kind });
    return promptComplaint(turn);
  }
  const text = parseFreeText(turn.text, 5, 2000);
  if (!text) {
    turn.say('complaint.errors.text');
    turn.missed();
    return promptComplaint(turn);
  }
  const reference = await turn.ports.feedback.create({
    conversation: turn.ref,
    kind: mode.kind ?? 'complaint',
    text,
    language: turn.lang,
    now: turn.now,
  });
  turn.say('complaint.stored', { reference });
  showMainMenu(turn, 'complaint.rating_right');
}

export function complaintBack(turn: Turn): void {
  const mode = turn.state.mode;
  if (mode.type === 'complaint' && mode.step === 'text') return startComplaint(turn);
  showMainMenu(turn);
}
