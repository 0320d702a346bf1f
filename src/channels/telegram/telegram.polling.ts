import type { Logger } from '../../logging/logger';
import { describeTelegramError, isAbortError, type TelegramBotClient } from './telegram.client';
import { updateIdOf } from './telegram.codec';
import type { TelegramUpdateHandler } from './telegram.updates';

export interface PollerOptions {
  /** Long-poll timeout in seconds (Telegram holds the request up to this long when idle). */
  timeoutSeconds: number;
  /** Updates per request, 1–100. */
  limit: number;
  /** Longest wait between attempts after failures. */
  maxBackoffMs: number;
}

export type PollerState = { type: 'polling' } | { type: 'retrying'; detail: string } | { type: 'stopped' };

/**
 * The getUpdates loop. Telegram keeps an update until a later request's `offset` passes it, and
 * redelivers it until then; so the offset moves past an update only after the sink has stored it.
 * A crash or a database fault then means a redelivery (dropped as a duplicate by the pipeline),
 * never a lost message.
 */
export class TelegramPoller {
  private offset = 0;
  private controller: AbortController | null = null;
  private running: Promise<void> | null = null;
  private state: PollerState = { type: 'stopped' };

  constructor(
    private readonly client: TelegramBotClient,
    private readonly handler: TelegramUpdateHandler,
    private readonly logger: Logger,
    private readonly options: PollerOptions,
  ) {}

  get current(): PollerState {
    return this.state;
  }

  start(): void {
    if (this.running) return;
    const controller = new AbortController();
    this.controller = controller;
    this.state = { type: 'polling' };
    this.running = this.loop(controller.signal).finally(() => {
      this.state = { type: 'stopped' };
    });
  }

  /** Ends the current long poll, then confirms what was stored so a restart does not fetch it again. */
  async stop(): Promise<void> {
    if (!this.controller || !this.running) return;
    this.controller.abort();
    await this.running;
    this.controller = null;
    this.running = null;
    if (this.offset > 0) {
      await this.client.getUpdates(this.offset, 0, 1, AbortSignal.timeout(3000)).catch(() => undefined);
    }
  }

  private async loop(signal: AbortSignal): Promise<void> {
    let failures = 0;
    while (!signal.aborted) {
      let updates: unknown[];
      try {
        updates = await this.client.getUpdates(this.offset, this.options.timeoutSeconds, this.options.limit, signal);
      } catch (error) {
        if (signal.aborted || isAbortError(error)) return;
        failures += 1;
        await this.pause(this.backoff(error, failures), 'getUpdates failed', error, signal);
        continue;
      }
      failures = 0;
      this.state = { type: 'polling' };
      if (!(await this.process(updates, signal))) {
        failures += 1;
        await this.pause(this.backoff(null, failures), 'an update could not be stored', null, signal);
      }
    }
  }

  /** Handles a batch in order; stops at the first update that could not be stored. */
  private async process(updates: readonly unknown[], signal: AbortSignal): Promise<boolean> {
    for (const raw of updates) {
      if (signal.aborted) return true;
      const updateId = updateIdOf(raw);
      try {
        await this.handler.handle(raw);
      } catch (error) {
        this.logger.error({ channel: 'telegram', updateId, err: { message: error instanceof Error ? error.message : String(error) } }, 'telegram update not stored; it will be fetched again');
        return false;
      }
      // An update without a usable id cannot be confirmed by itself; the next one's id confirms it.
      if (updateId !== null) this.offset = Math.max(this.offset, updateId + 1);
    }
    return true;
  }

  private backoff(error: unknown, failures: number): number {
    if (error !== null) {
      const failure = describeTelegramError(error);
      if (failure.type === 'rate_limited') return failure.retryAfterMs;
    }
    return Math.min(this.options.maxBackoffMs, 500 * 2 ** Math.min(failures, 10));
  }

  private async pause(ms: number, what: string, error: unknown, signal: AbortSignal): Promise<void> {
    const detail = error === null ? what : `${what}: ${reasonOf(error)}`;
    this.state = { type: 'retrying', detail };
    this.logger.warn({ channel: 'telegram', retryInMs: ms }, detail);
    await abortableSleep(ms, signal);
  }
}

function reasonOf(error: unknown): string {
  const failure = describeTelegramError(error);
  return failure.type === 'failed' ? failure.reason : 'rate limited';
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
