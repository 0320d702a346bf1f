import type { EngineResult, InboundMessage } from '../../src/domain/messages';
import type { Engine } from '../../src/engine/engine';
import { makeInbound } from './fixtures';

/** One beneficiary talking to the engine, keeping the last result for assertions. */
export class ChatHarness {
  last: EngineResult | null = null;

  constructor(
    private readonly engine: Engine,
    readonly sender: string,
    private readonly extra: Partial<InboundMessage> = {},
  ) {}

  async send(text: string, extra: Partial<InboundMessage> = {}): Promise<EngineResult> {
    this.last = await this.engine.handle(makeInbound({ sender: this.sender, text, ...this.extra, ...extra }));
    return this.last;
  }

  /** All reply texts of the last result, joined. */
  get text(): string {
    return (this.last?.replies ?? []).map((r) => r.text).join('\n');
  }

  /** Option labels of the last result. */
  get options(): string[] {
    return (this.last?.replies ?? []).flatMap((r) => (r.options ?? []).map((o) => o.label));
  }

  /** Option values of the last result. */
  get values(): string[] {
    return (this.last?.replies ?? []).flatMap((r) => (r.options ?? []).map((o) => o.value));
  }

  /** The 1-based number of the option with this value, as a beneficiary would type it. */
  numberOf(value: string): string {
    const index = this.values.indexOf(value);
    if (index < 0) throw new Error(`option ${value} not offered; offered: ${this.values.join(', ')}`);
    return String(index + 1);
  }
}
