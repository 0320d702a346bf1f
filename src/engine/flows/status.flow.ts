import type { RequestSummary } from '../../domain/support-request';
import { findReference, withoutReference } from '../reference';
import type { Turn } from '../turn';
import { showMainMenu } from './menu';
import { StatusGuard } from './status-guard';
import { parseLastFour } from './text-answers';

/**
 * Request status. The applicant (same sender) sees their requests directly; anyone else gives
 * the reference and the last four digits of the applicant's national ID. A wrong answer reveals
 * nothing — not even whether the reference exists.
 */
export async function startStatus(turn: Turn): Promise<void> {
  const given = findReference(turn.text);
  if (given) return checkReference(turn, given);
  const own = await turn.ports.requests.listByApplicant(turn.ref);
  if (own.length === 0) return askReference(turn, 'status.ask_reference');
  turn.say('status.own_header');
  for (const request of own.slice(0, 5)) turn.replies.push({ text: describe(turn, request) });
  turn.setMode({ type: 'idle' });
  turn.ask('status.own_footer', [
    turn.choice('status:other', 'status.ask_other'),
    turn.choice('intent:menu', 'menu.items.menu'),
  ]);
}

export function askReference(turn: Turn, key = 'status.ask_reference'): void {
  turn.setMode({ type: 'status', step: 'reference' });
  turn.say(key);
}

export function promptStatus(turn: Turn): void {
  const mode = turn.state.mode;
  if (mode.type !== 'status') return;
  turn.say(mode.step === 'reference' ? 'status.ask_reference' : 'status.ask_last_four');
}

export async function onStatusInput(turn: Turn): Promise<void> {
  const mode = turn.state.mode;
  if (mode.type !== 'status') return;
  const reference = findReference(turn.text);
  if (reference) return checkReference(turn, reference);
  if (mode.step === 'reference' || !mode.reference) {
    turn.say('status.errors.reference_format');
    return turn.missed();
  }
  const lastFour = parseLastFour(turn.text);
  if (!lastFour) {
    turn.say('status.errors.last_four_format');
    return turn.missed();
  }
  await verify(turn, mode.reference, lastFour);
}

/**
 * A reference given anywhere (bare, or with words around it): the applicant sees their own
 * request at once; anyone else is asked for the last four digits.
 */
export async function checkReference(turn: Turn, reference: string): Promise<void> {
  const own = (await turn.ports.requests.listByApplicant(turn.ref)).find((r) => r.reference === reference);
  if (own) {
    turn.replies.push({ text: describe(turn, own) });
    return showMainMenu(turn, 'menu.anything_else');
  }
  // "my dad's reference is BSR-2026-00004 and his iqama ends with 2766": both at once.
  const lastFour = parseLastFour(withoutReference(turn.text));
  if (lastFour) return verify(turn, reference, lastFour);
  turn.setMode({ type: 'status', step: 'verify', reference });
  turn.say('status.ask_last_four');
}

async function verify(turn: Turn, reference: string, lastFour: string): Promise<void> {
  const guard = new StatusGuard(turn.ports.attempts, turn.ref);
  const gate = await guard.check(reference);
  if (gate.type === 'locked') return tellLocked(turn, gate.seconds);
  const found = await turn.ports.requests.verifyAndGet(reference, lastFour);
  if (!found) {
    // The same words whether or not the reference exists: a wrong answer reveals nothing.
    const outcome = await guard.fail(reference);
    if (outcome.type === 'locked') return tellLocked(turn, outcome.seconds);
    turn.setMode({ type: 'status', step: 'verify', reference });
    return void turn.say('status.mismatch', { left: outcome.left });
  }
  await guard.succeed(reference);
  turn.replies.push({ text: describe(turn, found) });
  showMainMenu(turn, 'menu.anything_else');
}

/** The lock-out, with the real time left (rounded up to a minute). */
function tellLocked(turn: Turn, seconds: number): void {
  turn.say('status.locked');
  turn.say('status.locked_wait', { minutes: Math.max(1, Math.ceil(seconds / 60)) });
  showMainMenu(turn, 'menu.anything_else');
}

/** One request's status in plain words, with the staff's reason or what is missing where given. */
export function describe(turn: Turn, request: RequestSummary): string {
  const lines = [
    turn.t('status.line', {
      reference: request.reference,
      // Non-breaking hyphens (U+2011): narrow chat bubbles must not wrap a date in the middle.
      date: request.submittedAt.toISOString().slice(0, 10).replace(/-/g, '\u2011'),
      status: turn.t(`status.name.${request.status}`),
    }),
    turn.t(`status.explain.${request.status}`),
  ];
  if (request.statusNote && (request.status === 'rejected' || request.status === 'registration_incomplete')) {
    lines.push(turn.t(`status.note.${request.status}`, { note: request.statusNote }));
  }
  return lines.join('\n');
}
