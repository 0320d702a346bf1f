import { parseReference, type RequestSummary } from '../../domain/support-request';
import { normalizeForMatching } from '../../nlu/normalize';
import type { Turn } from '../turn';
import { showMainMenu } from './menu';
import { parseLastFour } from './text-answers';

/** Wrong answers allowed per (sender, reference) before that reference is locked for the sender. */
export const MAX_VERIFY_FAILURES = 3;
/** Wrong answers allowed per sender across all references, so guessing many references is capped too. */
export const MAX_SENDER_FAILURES = 10;
export const LOCK_SECONDS = 3600;
/**
 * Wrong answers allowed per reference across ALL senders in a day: web sessions are free to make,
 * so limits per sender alone would let a script spread guesses over many sessions. The applicant
 * still sees their own requests directly (no verification needed).
 */
export const MAX_REFERENCE_FAILURES = 10;
export const REFERENCE_LOCK_SECONDS = 24 * 3600;

/**
 * Request status. The applicant (same sender) sees their requests directly; anyone else gives
 * the reference and the last four digits of the applicant's national ID. A wrong answer reveals
 * nothing — not even whether the reference exists.
 */
export async function startStatus(turn: Turn): Promise<void> {
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
  if (mode.step === 'reference' || !mode.reference) {
    const reference = parseReference(normalizeForMatching(turn.text).replace(/ /g, '-'));
    if (!reference) return void turn.say('status.errors.reference_format');
    turn.setMode({ type: 'status', step: 'verify', reference });
    return void turn.say('status.ask_last_four');
  }
  const lastFour = parseLastFour(turn.text);
  if (!lastFour) return void turn.say('status.errors.last_four_format');
  await verify(turn, mode.reference, lastFour);
}

async function verify(turn: Turn, reference: string, lastFour: string): Promise<void> {
  const { attempts } = turn.ports;
  const senderKey = `status-any:${turn.ref.channel}:${turn.ref.account}:${turn.ref.sender}`;
  const pairKey = `status:${turn.ref.channel}:${turn.ref.account}:${turn.ref.sender}:${reference}`;
  const referenceKey = `status-ref:${reference}`;
  const locked =
    (await attempts.count(pairKey)) >= MAX_VERIFY_FAILURES ||
    (await attempts.count(senderKey)) >= MAX_SENDER_FAILURES ||
    (await attempts.count(referenceKey)) >= MAX_REFERENCE_FAILURES;
  if (locked) return showMainMenu(turn, 'status.locked');
  const found = await turn.ports.requests.verifyAndGet(reference, lastFour);
  if (!found) {
    const failures = await attempts.fail(pairKey, LOCK_SECONDS);
    await attempts.fail(senderKey, LOCK_SECONDS);
    await attempts.fail(referenceKey, REFERENCE_LOCK_SECONDS);
    if (failures >= MAX_VERIFY_FAILURES) return showMainMenu(turn, 'status.locked');
    turn.setMode({ type: 'status', step: 'reference' });
    return void turn.say('status.mismatch', { left: MAX_VERIFY_FAILURES - failures });
  }
  await attempts.reset(pairKey);
  turn.replies.push({ text: describe(turn, found) });
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
