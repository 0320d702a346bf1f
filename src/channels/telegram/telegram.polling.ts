import type { Logger } from '../../logging/logger';
import { describeTelegramError, isAbortError, type TelegramBotClient } from './telegram.client';
import { isRefusal } from '../refusal';
import { chatIdOf, updateIdOf } from './telegram.codec';
import { PollHold } from './telegram.poll-hold';
import type { TelegramUpdateHandler, UpdateOutcome } from './telegram.updates';

export interface PollerOptions {
  /** Long-poll timeout in seconds (Telegram holds the request up to this long when idle). */
  timeoutSeconds: number;
  /** Updates per request, 1–100. */
  limit: number;
  /** Longest wait between attempts after failures. */
  maxBackoffMs: number;
}

/** Shortest wait before a refused update is offered again (a refusal with 0 ms must not spin). */
const MIN_REFUSAL_WAIT_MS = 100;
/**
 * While an update is held, getUpdates returns at once (the held update is still pending), so the
 * loop fetches on this cadence instead of long polling: new updates of other chats arrive within it.
 */
const HELD_RECHECK_MS = 1000;

export type PollerState = { type: 'polling' } | { type: 'retrying'; detail: string } | { type: 'stopped' };

/**
 * The getUpdates loop. Telegram keeps an update until a later request's `offset` passes it, and
 * redelivers it until then; so the offset moves past an update only after the sink has stored it.
 * A crash or a database fault then means a redelivery (dropped as a duplicate by the pipeline),
 * never a lost message. A refused update is held (the offset stays below it) and offered to the
 * sink again after its `retryAfterMs`, while other chats' updates go on being stored.
 */
export class TelegramPoller {
  private offset = 0;
  private readonly hold = new PollHold();
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
      const batch = await this.process(updates, signal);
      if (batch === 'failed') {
        failures += 1;
        await this.pause(this.backoff(null, failures), 'an update could not be stored', null, signal);
      } else if (batch === 'held') {
        await abortableSleep(this.heldPause(), signal);
      }
    }
  }

  /**
   * Handles a batch in order. Stops at the first update the sink failed on; a refused update (and
   * the later ones of its chat, for order) is held while the other chats' updates are stored.
   */
  private async process(updates: readonly unknown[], signal: AbortSignal): Promise<'done' | 'held' | 'failed'> {
    const blockedChats = new Set<string>();
    let contiguous = true;
    for (const raw of updates) {
      if (signal.aborted) return 'done';
      const updateId = updateIdOf(raw);
      const step = await this.step(raw, updateId, blockedChats);
      if (step === 'failed') return 'failed';
      if (step === 'held') contiguous = false;
      // An update without a usable id cannot be confirmed by itself; the next one's id confirms it.
      else if (contiguous && updateId !== null) this.offset = Math.max(this.offset, updateId + 1);
    }
    this.hold.confirmBelow(this.offset);
    return contiguous ? 'done' : 'held';
  }

  private async step(raw: unknown, updateId: number | null, blockedChats: Set<string>): Promise<'done' | 'held' | 'failed'> {
    if (this.hold.isStored(updateId)) return 'done';
    const chat = chatIdOf(raw);
    const now = Date.now();
    if ((chat !== null && blockedChats.has(chat)) || this.hold.isWaiting(updateId, now)) {
      if (chat !== null) blockedChats.add(chat);
      return 'held';
    }
    let outcome: UpdateOutcome;
    try {
      outcome = await this.handler.handle(raw);
    } catch (error) {
      this.logger.error({ channel: 'telegram', updateId, err: { message: error instanceof Error ? error.message : String(error) } }, 'telegram update not stored; it will be fetched again');
      return 'failed';
    }
    if (!isRefusal(outcome)) {
      this.hold.markStored(updateId);
      return 'done';
    }
    const waitMs = Math.min(Math.max(outcome.retryAfterMs, MIN_REFUSAL_WAIT_MS), this.options.maxBackoffMs);
    this.hold.markRefused(updateId, now + waitMs);
    if (chat !== null) blockedChats.add(chat);
    this.logger.warn({ channel: 'telegram', updateId, reason: outcome.reason, retryInMs: waitMs }, 'telegram update refused; held and tried again');
    return 'held';
  }

  /** Until the first held update is due, but fetching at least every second so other chats are not kept waiting. */
  private heldPause(): number {
    const due = this.hold.nextDue();
    const untilDue = due === null ? HELD_RECHECK_MS : due - Date.now();
    return Math.min(HELD_RECHECK_MS, Math.max(MIN_REFUSAL_WAIT_MS, untilDue));
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
