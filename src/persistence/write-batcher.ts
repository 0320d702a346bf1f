import { errorMessage, type Logger } from '../logging/logger';

const RETRY_PAUSE_MS = 500;

/**
 * Collects writes that need not delay a reply (marking messages done, logging sent replies) and
 * writes them together: one round trip for everything added within `delayMs`. Nothing depends
 * on these writes for correctness right away — the conversation document already records what
 * was processed and sent — and a batch lost in a crash is redone by the recovery sweep, or leaves
 * a sent reply's log row at `sending` (docs/pipeline.md).
 */
export class WriteBatcher<T> {
  private items: T[] = [];
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<void> = Promise.resolve();

  constructor(
    private readonly write: (items: T[]) => Promise<void>,
    private readonly logger: Logger,
    private readonly what: string,
    private readonly delayMs = 20,
    private readonly maxItems = 200,
  ) {}

  add(item: T): void {
    this.items.push(item);
    if (this.items.length >= this.maxItems) this.flushNow();
    else this.timer ??= setTimeout(() => this.flushNow(), this.delayMs);
  }

  /** Writes whatever is collected and waits for every write started so far. */
  async drain(): Promise<void> {
    this.flushNow();
    await this.inFlight;
  }

  private flushNow(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.items.length === 0) return;
    const batch = this.items;
    this.items = [];
    // One retry after a pause covers a blip; a batch that still fails is logged (see the class comment).
    const attempt = (): Promise<void> => this.write(batch);
    this.inFlight = this.inFlight.then(() =>
      attempt()
        .catch(() => new Promise((resolve) => setTimeout(resolve, RETRY_PAUSE_MS)).then(attempt))
        .catch((error: unknown) => this.logger.warn({ err: { message: errorMessage(error) }, count: batch.length }, `${this.what}: batch write failed`)),
    );
  }
}
