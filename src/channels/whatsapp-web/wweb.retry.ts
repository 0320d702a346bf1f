import type { InboundMessage } from '../../domain/messages';
import { errorMessage, type Logger } from '../../logging/logger';
import type { InboundSink } from '../channel';
import { isRefusal } from '../refusal';
import type { Schedule } from './wweb.connection';

/** Bounds of the in-memory hold; a message past them is given up with an error log. */
export interface RetryLimits {
  /** Messages held at once over all chats. */
  maxHeld: number;
  /** Offers of one message to the sink (the first included). */
  maxAttempts: number;
  /** Longest wait between two offers, whatever the refusal asks. */
  maxWaitMs: number;
}

export const DEFAULT_RETRY_LIMITS: RetryLimits = { maxHeld: 500, maxAttempts: 12, maxWaitMs: 60_000 };
/** Wait after the sink threw (storage down): not a refusal, so no retryAfterMs to honour. */
const FAULT_WAIT_MS = 5_000;
const MIN_WAIT_MS = 250;

interface Held {
  message: InboundMessage;
  attempts: number;
}

/**
 * WhatsApp Web never delivers a message twice, so a message the sink refuses (or cannot store) is
 * kept here and offered again after its `retryAfterMs`. Each chat has a queue: a message arriving
 * while an earlier one of its chat waits goes behind it, so a conversation keeps its order. Held
 * messages live only in this process: a restart loses them (WhatsApp does not replay them either).
 */
export class RefusedMessageRetry {
  private readonly queues = new Map<string, Held[]>();
  private readonly cancels = new Map<string, () => void>();
  private held = 0;
  private stopped = false;

  constructor(
    private readonly sink: InboundSink,
    private readonly logger: Logger,
    private readonly schedule: Schedule,
    private readonly limits: RetryLimits = DEFAULT_RETRY_LIMITS,
  ) {}

  /** How many messages wait (for health and tests). */
  get size(): number {
    return this.held;
  }

  /** Offers a new message: at once when its chat has nothing waiting, otherwise behind the waiting ones. */
  async offer(message: InboundMessage): Promise<void> {
    const queue = this.queues.get(message.sender);
    if (queue) return this.enqueue(queue, { message, attempts: 0 });
    if (this.held >= this.limits.maxHeld) return this.lastChance({ message, attempts: 0 });
    // The queue exists before the first offer resolves, so a message arriving meanwhile goes behind it.
    this.queues.set(message.sender, []);
    this.enqueue(this.queues.get(message.sender) as Held[], { message, attempts: 0 });
    await this.drain(message.sender);
  }

  /** Lets timers run again after {@link stop} (the channel was restarted). */
  resume(): void {
    this.stopped = false;
  }

  /** Cancels every timer; what is still held is given up (logged). */
  stop(): void {
    this.stopped = true;
    for (const cancel of this.cancels.values()) cancel();
    this.cancels.clear();
    if (this.held > 0) this.logger.error({ held: this.held }, 'whatsapp messages still held at shutdown were not stored');
    this.queues.clear();
    this.held = 0;
  }

  private enqueue(queue: Held[], item: Held): void {
    if (this.held >= this.limits.maxHeld) return this.giveUp('the retry hold is full');
    queue.push(item);
    this.held += 1;
  }

  /** The hold is full: one offer, and the message is given up if it is not stored. */
  private async lastChance(item: Held): Promise<void> {
    if ((await this.attempt(item)) !== null) this.giveUp('the retry hold is full');
  }

  private giveUp(why: string): void {
    this.logger.error({ held: this.held, why }, 'whatsapp message given up after refusals: not stored, no reply will come');
  }

  /** One offer to the sink: null when stored, otherwise how long to wait before the next. */
  private async attempt(item: Held): Promise<number | null> {
    item.attempts += 1;
    try {
      const outcome = await this.sink.accept(item.message);
      if (!isRefusal(outcome)) return null;
      return Math.min(this.limits.maxWaitMs, Math.max(MIN_WAIT_MS, outcome.retryAfterMs));
    } catch (error) {
      this.logger.error({ err: { message: errorMessage(error) } }, 'whatsapp message could not be stored; held and tried again');
      return FAULT_WAIT_MS;
    }
  }

  private arm(sender: string, waitMs: number): void {
    if (this.stopped) return;
    this.cancels.set(sender, this.schedule(() => void this.drain(sender), waitMs));
  }

  /** Offers the chat's waiting messages in order until one is refused again or the queue is empty. */
  private async drain(sender: string): Promise<void> {
    this.cancels.delete(sender);
    const queue = this.queues.get(sender);
    while (queue && queue.length > 0) {
      const head = queue[0] as Held;
      const wait = await this.attempt(head);
      if (wait !== null && head.attempts < this.limits.maxAttempts) return this.arm(sender, wait);
      if (wait !== null) this.giveUp(`refused ${head.attempts} times`);
      queue.shift();
      this.held -= 1;
    }
    this.queues.delete(sender);
  }
}
