import { errorMessage, type Logger } from '../logging/logger';
import type { ChannelHealth, ChannelRuntime } from './channel';

export interface StartBackoff {
  initialMs: number;
  maxMs: number;
}

/** 1 s, 2 s, 4 s … capped at 5 minutes: quick after a blip, gentle on an API that is down for hours. */
export const DEFAULT_START_BACKOFF: StartBackoff = { initialMs: 1_000, maxMs: 5 * 60_000 };

/**
 * A channel whose start may fail (Telegram's Bot API unreachable, a bad token) must not take the
 * process down with it: the web chat and the webhooks of other channels keep serving. This wrapper
 * never lets `start` throw; it reports the channel `failed` (with the reason and the next try) and
 * starts it again with exponential backoff until it comes up or is stopped.
 */
export class RetryingChannelRuntime implements ChannelRuntime {
  readonly channel: ChannelRuntime['channel'];
  private attempts = 0;
  private failure: string | null = null;
  private nextAt: number | null = null;
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly inner: ChannelRuntime,
    private readonly logger: Logger,
    private readonly backoff: StartBackoff = DEFAULT_START_BACKOFF,
    private readonly now: () => number = Date.now,
  ) {
    this.channel = inner.channel;
  }

  /** Resolves after the first attempt, whatever its outcome. */
  async start(): Promise<void> {
    this.stopped = false;
    await this.attempt();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.nextAt = null;
    await this.inFlight?.catch(() => undefined);
    await this.inner.stop();
  }

  health(): ChannelHealth {
    if (this.failure === null) return this.inner.health();
    const retry = this.nextAt === null ? 'retrying now' : `next try in ${Math.max(0, Math.ceil((this.nextAt - this.now()) / 1000))} s`;
    return { channel: this.channel, state: 'failed', detail: `start failed (attempt ${this.attempts}): ${this.failure}; ${retry}` };
  }

  private attempt(): Promise<void> {
    this.nextAt = null;
    this.attempts += 1;
    this.inFlight = this.inner.start().then(
      () => this.succeeded(),
      (error: unknown) => this.failed(error),
    );
    return this.inFlight;
  }

  private succeeded(): void {
    if (this.failure !== null) this.logger.info({ channel: this.channel, attempts: this.attempts }, 'channel started after failed attempts');
    this.failure = null;
    this.attempts = 0;
  }

  private failed(error: unknown): void {
    this.failure = errorMessage(error);
    if (this.stopped) return;
    const delay = Math.min(this.backoff.maxMs, this.backoff.initialMs * 2 ** Math.min(this.attempts - 1, 20));
    this.nextAt = this.now() + delay;
    this.logger.error({ channel: this.channel, attempt: this.attempts, retryInMs: delay, err: { message: this.failure } }, 'channel failed to start; the others keep serving');
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.attempt();
    }, delay);
    // A pending retry must not keep a process alive that is otherwise done.
    this.timer.unref();
  }
}
