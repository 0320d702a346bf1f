import type { FakeBotApi } from './fake-bot-api';
import { sleep } from './stats';

/** What the fake Bot API saw of the survey invitations, per chat. */
export interface InvitationCount {
  /** Chats that received at least one invitation. */
  received: number;
  /** Invitations beyond the first in the same chat (must be 0). */
  duplicates: number;
  /** Chats of the run that received no invitation (must be 0). */
  missing: number;
  /** Other sendMessage calls to the run's chats while watching (late greeting bubbles, a survey reminder). */
  otherSends: number;
  /** Calls to chats that are not the run's. */
  strangers: number;
}

/** How fast the sends went: overall, steady (middle 80 %), and how close they came to each other. */
export interface SendRates {
  /** Sends per second from `from` to the last send. */
  overall: number;
  /** Sends per second between the 10th and the 90th percentile send. */
  steady: number;
  /** Most sends inside any one-second window. */
  busiestSecond: number;
  /** Shortest gap between two consecutive sends, ms. */
  minGapMs: number;
  /** From `from` to the first and to the last send, seconds. */
  firstAfterS: number;
  lastAfterS: number;
}

/**
 * Watches the fake Bot API for survey invitations (a message whose buttons are the ratings
 * `rate:1` … `rate:5`) to a known set of chats, and keeps each one's arrival time.
 */
export class InvitationWatch {
  /** Arrival times (performance.now()) of every invitation, in order. */
  readonly arrivals: number[] = [];
  private readonly perChat = new Map<number, number>();
  private readonly firstAt = new Map<number, number>();
  private other = 0;
  private stranger = 0;

  constructor(
    fake: FakeBotApi,
    private readonly chats: ReadonlySet<number>,
  ) {
    fake.onSendMessage((chatId, _text, at, buttons) => this.onSend(chatId, at, buttons));
  }

  /** Resolves true when every chat has its invitation, false after `timeoutMs`. */
  async all(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.perChat.size < this.chats.size && Date.now() < deadline) await sleep(20);
    return this.perChat.size >= this.chats.size;
  }

  /** When the chat's first invitation arrived (performance.now()), if it did. */
  arrivalOf(chatId: number): number | undefined {
    return this.firstAt.get(chatId);
  }

  count(): InvitationCount {
    let duplicates = 0;
    for (const n of this.perChat.values()) duplicates += n - 1;
    return { received: this.perChat.size, duplicates, missing: this.chats.size - this.perChat.size, otherSends: this.other, strangers: this.stranger };
  }

  private onSend(chatId: number, at: number, buttons: readonly string[]): void {
    if (!this.chats.has(chatId)) {
      this.stranger += 1;
      return;
    }
    if (!buttons.some((b) => b.startsWith('rate:'))) {
      this.other += 1;
      return;
    }
    this.arrivals.push(at);
    this.perChat.set(chatId, (this.perChat.get(chatId) ?? 0) + 1);
    if (!this.firstAt.has(chatId)) this.firstAt.set(chatId, at);
  }
}

/** Rates of a series of send times (ms, ascending), measured from `from`. */
export function sendRates(times: readonly number[], from: number): SendRates {
  const n = times.length;
  const first = times[0] ?? from;
  const last = times[n - 1] ?? from;
  const lo = Math.floor(0.1 * (n - 1));
  const hi = Math.ceil(0.9 * (n - 1));
  const span = ((times[hi] ?? 0) - (times[lo] ?? 0)) / 1000;
  let busiest = 0;
  let minGap = Number.POSITIVE_INFINITY;
  for (let i = 0, start = 0; i < n; i += 1) {
    const t = times[i] ?? 0;
    while ((times[start] ?? t) <= t - 1000) start += 1;
    busiest = Math.max(busiest, i - start + 1);
    if (i > 0) minGap = Math.min(minGap, t - (times[i - 1] ?? t));
  }
  return {
    overall: n / Math.max(0.001, (last - from) / 1000),
    steady: span > 0 ? (hi - lo) / span : Number.NaN,
    busiestSecond: busiest,
    minGapMs: minGap,
    firstAfterS: (first - from) / 1000,
    lastAfterS: (last - from) / 1000,
  };
}
