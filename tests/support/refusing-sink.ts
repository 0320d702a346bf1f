import type { AcceptOutcome, InboundSink, Refusal } from '../../src/channels/channel';
import type { InboundMessage } from '../../src/domain/messages';

interface Rule {
  match: (message: InboundMessage) => boolean;
  left: number;
  refusal: Refusal;
}

/**
 * A sink in front of the real one that refuses chosen messages a number of times, as the gateway
 * does for a flooding sender or a full backlog, and records every offer with its outcome.
 */
export class RefusingSink implements InboundSink {
  /** `at`: the stamp taken when the offer was answered (e.g. how many calls a fake API had seen). */
  readonly offers: Array<{ message: InboundMessage; outcome: AcceptOutcome; at: number }> = [];
  private readonly rules: Rule[] = [];

  constructor(
    private readonly inner: () => InboundSink,
    private readonly stamp: () => number = () => 0,
  ) {}

  /** Refuses the next `times` offers of messages that match. */
  refuse(match: (message: InboundMessage) => boolean, times: number, refusal: Partial<Refusal> = {}): void {
    this.rules.push({ match, left: times, refusal: { type: 'refused', reason: 'backlog', retryAfterMs: 200, ...refusal } });
  }

  async accept(message: InboundMessage): Promise<AcceptOutcome> {
    const rule = this.rules.find((r) => r.left > 0 && r.match(message));
    let outcome: AcceptOutcome;
    if (rule) {
      rule.left -= 1;
      outcome = rule.refusal;
    } else {
      outcome = await this.inner().accept(message);
    }
    this.offers.push({ message, outcome, at: this.stamp() });
    return outcome;
  }

  /** The outcomes of the offers of messages that match, in order ('refused' for a refusal). */
  outcomesOf(match: (message: InboundMessage) => boolean): string[] {
    return this.offers.filter((o) => match(o.message)).map((o) => (typeof o.outcome === 'string' ? o.outcome : o.outcome.type));
  }
}
