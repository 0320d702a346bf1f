import { performance } from 'node:perf_hooks';

export type AskOutcome =
  | { type: 'answered'; latencyMs: number; at: number }
  | { type: 'refused'; code: string; at: number }
  | { type: 'lost'; reason: 'timeout' | 'closed'; at: number };

/**
 * The one message a simulated family has outstanding. Its latency runs from `sentAt` to the first
 * reply; it resolves once replies have stopped for `settleMs` (a turn can be several bubbles), or
 * on refusal, timeout or a closed connection — as answered all the same if a reply had begun.
 */
export class PendingReply {
  private firstAt: number | null = null;
  private settle: NodeJS.Timeout | null = null;
  private readonly timeout: NodeJS.Timeout;
  private done = false;

  constructor(
    readonly sentAt: number,
    private readonly settleMs: number,
    timeoutMs: number,
    private readonly resolve: (outcome: AskOutcome) => void,
  ) {
    this.timeout = setTimeout(() => this.finish({ type: 'lost', reason: 'timeout', at: performance.now() }), timeoutMs);
  }

  reply(at: number): void {
    if (this.done) return;
    this.firstAt ??= at;
    const firstAt = this.firstAt;
    if (this.settle) clearTimeout(this.settle);
    this.settle = setTimeout(() => this.finish({ type: 'answered', latencyMs: firstAt - this.sentAt, at: firstAt }), this.settleMs);
  }

  finish(outcome: AskOutcome): void {
    if (this.done) return;
    this.done = true;
    clearTimeout(this.timeout);
    if (this.settle) clearTimeout(this.settle);
    if (outcome.type !== 'answered' && this.firstAt !== null) this.resolve({ type: 'answered', latencyMs: this.firstAt - this.sentAt, at: this.firstAt });
    else this.resolve(outcome);
  }
}
