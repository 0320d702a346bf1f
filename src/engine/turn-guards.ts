import { isUnreadableData } from '../domain/faults';
import { MESSAGE_LIMITS } from '../domain/messages';
import { matchChoice } from './input';
import { matchOptionExactly } from './option-words';
import { reprompt } from './reprompt';
import type { Turn } from './turn';

/**
 * Faults in stored data that no retry can fix (a field sealed with a lost key, a corrupt value):
 * the person gets a polite apology, staff get an error, and the turn ends without silence.
 * Other faults (a database that is down) still throw, so the message is retried.
 */
export async function runSafely(turn: Turn, run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (error) {
    if (!isUnreadableData(error)) throw error;
    turn.ports.faults?.unreadableRecord(error instanceof Error ? error.message : String(error));
    turn.replies.length = 0;
    turn.setMode({ type: 'idle' });
    turn.say('answers.record_unreadable');
  }
}


/** Part of the stored conversation could not be read and was dropped (see runtime): say so once. */
export function tellNotice(turn: Turn): void {
  turn.state.notice = null;
  // The unreadable part held the answers in progress: a form step without them cannot go on.
  turn.setMode({ type: 'idle' });
  turn.say('answers.record_unreadable');
}

/** A message longer than the channel allows: a polite "please shorten", the step asked again, nothing stored. */
export function tooLong(turn: Turn): boolean {
  const max = MESSAGE_LIMITS[turn.msg.channel];
  if (turn.msg.text.length <= max) return false;
  turn.say('answers.too_long', { max });
  if (turn.state.mode.type !== 'idle' && turn.state.mode.type !== 'handoff') reprompt(turn);
  return true;
}

/** Option values a plain yes or no picks, where offered (the first offered wins). */
const ON_YES = ['confirm:yes', 'resume:continue', 'summary:confirm', 'phone:use_verified', 'handoff:leave', 'start:request'];
const ON_NO = ['confirm:no', 'attest:edit', 'handoff:stay'];

/**
 * What the person picked from the options of the previous reply: a number, the value, the label,
 * or (at an open step) a synonym from locales as the whole message, or a plain yes/no. Synonyms
 * inside longer messages are read only after the digression check (matchOptionLoosely).
 */
export function pickChoice(turn: Turn): string | null {
  const choices = turn.previousChoices;
  const direct = matchChoice(turn.text, choices);
  if (direct !== null || turn.state.mode.type === 'idle') return direct;
  const values = choices.map((c) => c.value);
  if (turn.command === 'yes') return ON_YES.find((v) => values.includes(v)) ?? null;
  if (turn.command === 'no') {
    if (values.includes('resume:continue') || values.includes('start:request')) return 'intent:menu';
    return ON_NO.find((v) => values.includes(v)) ?? null;
  }
  return matchOptionExactly(turn.text, choices, turn.ports.translator);
}
