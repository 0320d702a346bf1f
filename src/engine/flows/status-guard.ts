import type { AttemptLimiter, ConversationRef } from '../ports';

/** Wrong answers allowed per (sender, reference) before that pair cools down. */
export const MAX_VERIFY_FAILURES = 3;
/** Wrong answers allowed per sender across all references within an hour, so guessing many references is capped too. */
export const MAX_SENDER_FAILURES = 10;
/**
 * Wrong answers allowed per reference across ALL senders within an hour: web sessions are free to
 * make, so limits per sender alone would let a script spread guesses over many sessions. Reaching
 * it blocks only senders who have not verified this reference before, and only for the rest of
 * the hour: strangers cannot lock a family out for a day. The applicant sees their own requests
 * without verification, and staff can lift the lock (`npm run admin -- status:unlock <ref>`).
 */
export const MAX_REFERENCE_FAILURES = 10;
export const WINDOW_SECONDS = 3600;
/** Cool-down of a (sender, reference) pair: 15 minutes, then four times longer per earlier cool-down of that sender, at most a day. */
export const FIRST_COOLDOWN_SECONDS = 15 * 60;
export const MAX_COOLDOWN_SECONDS = 24 * 3600;
const STRIKES_SECONDS = 7 * 24 * 3600;
const TRUST_SECONDS = 90 * 24 * 3600;
const GENERATION_SECONDS = 10 * 365 * 24 * 3600;

export type GuardOutcome = { type: 'open' } | { type: 'locked'; seconds: number };

/**
 * Rate limits of the status check by third parties, kept in Redis through the AttemptLimiter
 * port. Keys of one reference carry a generation that staff bump to lift every lock on it.
 */
export class StatusGuard {
  constructor(
    private readonly attempts: AttemptLimiter,
    private readonly ref: ConversationRef,
  ) {}

  private get sender(): string {
    return `${this.ref.channel}:${this.ref.account}:${this.ref.sender}`;
  }

  private async keys(reference: string): Promise<{ pair: string; lock: string; wide: string; trust: string; any: string; strikes: string }> {
    const gen = await this.attempts.count(generationKey(reference));
    return {
      pair: `status:${this.sender}:${reference}:g${gen}`,
      lock: `status-lock:${this.sender}:${reference}:g${gen}`,
      wide: `status-ref:${reference}:g${gen}`,
      trust: `status-ok:${this.sender}:${reference}`,
      any: `status-any:${this.sender}`,
      strikes: `status-strikes:${this.sender}`,
    };
  }

  /** Whether this sender may try this reference now, and if not, for how long not. */
  async check(reference: string): Promise<GuardOutcome> {
    const k = await this.keys(reference);
    const waits: number[] = [];
    if ((await this.attempts.count(k.lock)) > 0) waits.push(await this.attempts.remainingSeconds(k.lock));
    if ((await this.attempts.count(k.any)) >= MAX_SENDER_FAILURES) waits.push(await this.attempts.remainingSeconds(k.any));
    const trusted = (await this.attempts.count(k.trust)) > 0;
    if (!trusted && (await this.attempts.count(k.wide)) >= MAX_REFERENCE_FAILURES) waits.push(await this.attempts.remainingSeconds(k.wide));
    return waits.length === 0 ? { type: 'open' } : { type: 'locked', seconds: Math.max(60, ...waits) };
  }

  /** Records a wrong answer; returns the tries left for this pair, or the lock it caused. */
  async fail(reference: string): Promise<{ type: 'left'; left: number } | { type: 'locked'; seconds: number }> {
    const k = await this.keys(reference);
    await this.attempts.fail(k.any, WINDOW_SECONDS);
    await this.attempts.fail(k.wide, WINDOW_SECONDS);
    const failures = await this.attempts.fail(k.pair, WINDOW_SECONDS);
    if (failures < MAX_VERIFY_FAILURES) return { type: 'left', left: MAX_VERIFY_FAILURES - failures };
    const strikes = await this.attempts.fail(k.strikes, STRIKES_SECONDS);
    const seconds = Math.min(MAX_COOLDOWN_SECONDS, FIRST_COOLDOWN_SECONDS * 4 ** (strikes - 1));
    await this.attempts.reset(k.pair);
    await this.attempts.reset(k.lock);
    await this.attempts.fail(k.lock, seconds);
    return { type: 'locked', seconds };
  }

  /** A right answer: this sender is trusted for this reference from now on (a family member coming back). */
  async succeed(reference: string): Promise<void> {
    const k = await this.keys(reference);
    await this.attempts.reset(k.pair);
    await this.attempts.fail(k.trust, TRUST_SECONDS);
  }
}

function generationKey(reference: string): string {
  return `status-gen:${reference}`;
}

/** Staff lift every lock on a reference (pairs and the reference-wide one) by moving to a new generation. */
export async function liftStatusLocks(attempts: AttemptLimiter, reference: string): Promise<void> {
  await attempts.fail(generationKey(reference), GENERATION_SECONDS);
}
