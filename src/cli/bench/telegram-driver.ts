import { performance } from 'node:perf_hooks';
import type { FakeBotApi } from './fake-bot-api';
import type { Journey } from './journeys';
import { record, type Tally } from './measure';
import { sleep } from './stats';
import { PendingReply, type AskOutcome } from './pending-reply';

/** Where updates are posted: a webhook URL on 127.0.0.1 and the secret Telegram would send. */
export interface WebhookTarget {
  url: string;
  secret: string;
}

interface Chat {
  id: number;
  journey: Journey;
  position: number;
  pending: PendingReply | null;
}

let updateSeq = 1;
let messageSeq = 1;

/**
 * Telegram as the bot sees it: updates POSTed to the webhook with the secret header, replies
 * arriving as sendMessage calls at the fake Bot API. A chat has one message outstanding; it is
 * free again `settleMs` after its last reply (the bot sends at most one message a second per chat,
 * so the next bubble of the same turn can be a second away).
 */
export class TelegramDriver {
  /** Latencies of each chat's first message only: no earlier send of that chat can hold it back. */
  readonly firstOfChat: number[] = [];
  private readonly chats = new Map<number, Chat>();
  private readonly idle: Chat[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private nextChatId: number;

  constructor(
    fake: FakeBotApi,
    private readonly target: WebhookTarget,
    private readonly tally: Tally,
    private readonly settleMs: number,
    firstChatId: number,
    private readonly askTimeoutMs: number,
  ) {
    this.nextChatId = firstChatId;
    fake.onSendMessage((chatId, _text, at) => this.onReply(chatId, at));
  }

  /** Open loop: `rate` updates a second for `seconds`, each from a free chat or a new one. */
  async run(rate: number, seconds: number, journey: () => Journey): Promise<void> {
    const start = performance.now();
    const total = Math.round(rate * seconds);
    let sent = 0;
    while (sent < total) {
      const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * rate) + 1);
      for (; sent < due; sent += 1) this.sendOne(start + (sent / rate) * 1000, journey);
      await sleep(5);
    }
  }

  /** Closed loop: `concurrency` chats, each posting its next update as soon as the previous one was answered. */
  async runClosed(concurrency: number, seconds: number, journey: () => Journey): Promise<void> {
    const deadline = performance.now() + seconds * 1000;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        const chat = this.newChat(journey());
        while (performance.now() < deadline) {
          if (chat.position >= chat.journey.texts.length) chat.position = 0;
          this.tally.sent += 1;
          record(this.tally, await this.ask(chat, performance.now()));
        }
      }),
    );
  }

  async drain(maxMs: number): Promise<boolean> {
    const deadline = performance.now() + maxMs;
    while (this.inFlight.size > 0 && performance.now() < deadline) await sleep(20);
    return this.inFlight.size === 0;
  }

  private sendOne(scheduledAt: number, journey: () => Journey): void {
    const chat = this.idle.shift() ?? this.newChat(journey());
    this.tally.sent += 1;
    const first = chat.position === 0;
    const flight = this.ask(chat, scheduledAt).then((outcome) => {
      record(this.tally, outcome);
      if (first && outcome.type === 'answered') this.firstOfChat.push(outcome.latencyMs);
      if (chat.position < chat.journey.texts.length && outcome.type !== 'lost') this.idle.push(chat);
    });
    this.inFlight.add(flight);
    void flight.finally(() => this.inFlight.delete(flight));
  }

  private newChat(journey: Journey): Chat {
    const chat: Chat = { id: this.nextChatId++, journey, position: 0, pending: null };
    this.chats.set(chat.id, chat);
    return chat;
  }

  private ask(chat: Chat, sentAt: number): Promise<AskOutcome> {
    const text = chat.journey.texts[chat.position] ?? 'hello';
    chat.position += 1;
    return new Promise((resolve) => {
      const pending = new PendingReply(sentAt, this.settleMs, this.askTimeoutMs, (outcome) => {
        chat.pending = null;
        resolve(outcome);
      });
      chat.pending = pending;
      void this.post(chat.id, text).then((status) => {
        if (status !== 200) pending.finish({ type: 'refused', code: `http_${status}`, at: performance.now() });
      });
    });
  }

  private async post(chatId: number, text: string): Promise<number> {
    const update = {
      update_id: updateSeq++,
      message: {
        message_id: messageSeq++,
        date: Math.floor(Date.now() / 1000),
        chat: { id: chatId, type: 'private', first_name: 'Family' },
        from: { id: chatId, is_bot: false, first_name: 'Family', language_code: 'ar' },
        text,
      },
    };
    try {
      const response = await fetch(this.target.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': this.target.secret },
        body: JSON.stringify(update),
      });
      await response.arrayBuffer();
      return response.status;
    } catch {
      return 0;
    }
  }

  private onReply(chatId: number, at: number): void {
    this.chats.get(chatId)?.pending?.reply(at);
  }
}
