import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A fake Telegram Bot API on 127.0.0.1 (random port), speaking the real protocol: `/bot<token>/<method>`
 * with JSON or form bodies, `{ok, result}` / `{ok: false, error_code, description, parameters}`
 * answers, long-polling getUpdates with offset confirmation, and 409 while a webhook is set.
 * Tests inject updates, make calls fail, and wait for recorded calls (event-based, no sleeps).
 */

type Params = Record<string, unknown>;
export type TelegramUpdate = { update_id: number } & Params;

export interface FakeMessage {
  message_id: number;
  date: number;
  chat: { id: number; type: string };
  from?: { id: number; is_bot: boolean; first_name: string; language_code?: string };
  text?: string;
  reply_markup?: { inline_keyboard: Array<Array<{ text: string; callback_data?: string }>> };
  [field: string]: unknown;
}

export interface RecordedCall {
  seq: number;
  method: string;
  params: Params;
  status: number;
  result?: unknown;
}

export type Failure = { status: 429; retry_after: number } | { status: 500 | 502 } | { status: 400 | 403; description?: string };

interface PendingFailure {
  method: string;
  failure: Failure;
  match: (params: Params) => boolean;
}

interface Waiter {
  offset: number;
  limit: number;
  respond: (updates: TelegramUpdate[]) => void;
}

const SIMPLE_METHODS = new Set(['setMyCommands', 'sendChatAction', 'deleteWebhook']);

export class FakeTelegramApi {
  readonly botId: number;
  webhook: { url: string; secret_token: string | undefined; allowed_updates: unknown; max_connections: unknown } | null = null;
  private readonly recorded: RecordedCall[] = [];
  private readonly events = new EventEmitter();
  private pending: TelegramUpdate[] = [];
  private readonly confirmed = new Map<number, TelegramUpdate>();
  private readonly waiters = new Set<Waiter>();
  private readonly failures: PendingFailure[] = [];
  private readonly messages = new Map<string, FakeMessage>();
  private readonly openQueries = new Set<string>();
  private nextMessageId = 1000;

  private constructor(
    private readonly server: Server,
    readonly token: string,
    readonly apiRoot: string,
  ) {
    this.botId = Number(token.split(':')[0]);
    this.events.setMaxListeners(100);
  }

  static async start(token = '7000000001:AAFakeTokenForTestsOnly_abcdefghij'): Promise<FakeTelegramApi> {
    let api: FakeTelegramApi | null = null;
    const server = createServer((req, res) => void api?.serve(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    api = new FakeTelegramApi(server, token, `http://127.0.0.1:${port}`);
    return api;
  }

  /** Queues an update as Telegram would; a held long poll returns it at once. */
  injectUpdate(update: TelegramUpdate): void {
    this.pending.push(update);
    this.pending.sort((a, b) => a.update_id - b.update_id);
    this.markDelivered(update);
    for (const waiter of [...this.waiters]) {
      const available = this.available(waiter.offset, waiter.limit);
      if (available.length > 0) waiter.respond(available);
    }
  }

  /** Notes an update the test delivers itself (webhook mode), so its callback query can be answered. */
  markDelivered(update: TelegramUpdate): void {
    const query = update.callback_query as { id?: string } | undefined;
    if (query?.id) this.openQueries.add(query.id);
  }

  /** Puts a confirmed update back, as after a bot crash before its offset was committed. */
  redeliver(updateId: number): void {
    const update = this.confirmed.get(updateId);
    if (!update) throw new Error(`update ${updateId} was never confirmed`);
    this.confirmed.delete(updateId);
    this.injectUpdate(update);
  }

  /** Makes the next call of `method` (whose params match) fail with this HTTP status. */
  failNext(method: string, failure: Failure, match: (params: Params) => boolean = () => true): void {
    this.failures.push({ method, failure, match });
  }

  calls(method?: string): RecordedCall[] {
    return this.recorded.filter((c) => method === undefined || c.method === method);
  }

  /** Resolves with the first call (past or future) of `method` that answered 200 and matches. */
  async waitForCall(method: string, predicate: (call: RecordedCall) => boolean = () => true, timeoutMs = 15_000): Promise<RecordedCall> {
    const [call] = await this.waitForCalls(method, predicate, 1, timeoutMs);
    return call as RecordedCall;
  }

  /** Resolves once `count` successful matching calls of `method` have been recorded. */
  waitForCalls(method: string, predicate: (call: RecordedCall) => boolean, count: number, timeoutMs = 15_000): Promise<RecordedCall[]> {
    const matching = (): RecordedCall[] => this.recorded.filter((c) => c.method === method && c.status === 200 && predicate(c));
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const found = matching();
        if (found.length < count) return;
        cleanup();
        resolve(found.slice(0, count));
      };
      const timer = setTimeout(() => {
        cleanup();
        const seen = this.calls(method).map((c) => `${c.status} ${JSON.stringify(c.params).slice(0, 160)}`);
        reject(new Error(`timed out waiting for ${count} × ${method}; recorded:\n${seen.join('\n')}`));
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        this.events.off('call', check);
      };
      this.events.on('call', check);
      check();
    });
  }

  /** Texts sent to one chat, in order (successful sends only). */
  sentTexts(chatId: number): string[] {
    return this.calls('sendMessage')
      .filter((c) => c.status === 200 && Number(c.params.chat_id) === chatId)
      .map((c) => String(c.params.text));
  }

  async close(): Promise<void> {
    for (const waiter of [...this.waiters]) waiter.respond([]);
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private available(offset: number, limit: number): TelegramUpdate[] {
    return this.pending.filter((u) => u.update_id >= offset).slice(0, limit);
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const match = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(new URL(req.url ?? '/', 'http://fake').pathname);
    let params: Params;
    try {
      params = await readParams(req);
    } catch {
      return answer(res, 400, { ok: false, error_code: 400, description: 'Bad Request: cannot parse body' });
    }
    if (!match) return answer(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
    const [, token, method] = match as unknown as [string, string, string];
    if (token !== this.token) return this.finish(res, method, params, 401, { ok: false, error_code: 401, description: 'Unauthorized' });
    const failureIndex = this.failures.findIndex((f) => f.method === method && f.match(params));
    if (failureIndex >= 0) {
      const [{ failure }] = this.failures.splice(failureIndex, 1) as [PendingFailure];
      return this.finish(res, method, params, failure.status, failureBody(failure));
    }
    if (method === 'getUpdates') return this.getUpdates(req, res, params);
    const outcome = this.perform(method, params);
    const body = outcome.status === 200 ? { ok: true, result: outcome.result } : { ok: false, error_code: outcome.status, description: outcome.description };
    return this.finish(res, method, params, outcome.status, body, outcome.result);
  }

  private getUpdates(req: IncomingMessage, res: ServerResponse, params: Params): void {
    if (this.webhook) {
      return this.finish(res, 'getUpdates', params, 409, { ok: false, error_code: 409, description: "Conflict: can't use getUpdates method while webhook is active" });
    }
    const offset = Number(params.offset ?? 0);
    const limit = Math.min(100, Math.max(1, Number(params.limit ?? 100)));
    const timeoutMs = Number(params.timeout ?? 0) * 1000;
    // An offset confirms every update below it: they are never returned again.
    for (const u of this.pending.filter((p) => p.update_id < offset)) this.confirmed.set(u.update_id, u);
    this.pending = this.pending.filter((u) => u.update_id >= offset);
    this.record('getUpdates', params, 200);
    const now = this.available(offset, limit);
    if (now.length > 0 || timeoutMs <= 0) return answer(res, 200, { ok: true, result: now });
    const waiter: Waiter = {
      offset,
      limit,
      respond: (updates) => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
        if (!res.writableEnded) answer(res, 200, { ok: true, result: updates });
      },
    };
    const timer = setTimeout(() => waiter.respond([]), timeoutMs);
    this.waiters.add(waiter);
    req.on('close', () => {
      clearTimeout(timer);
      this.waiters.delete(waiter);
    });
  }

  private perform(method: string, p: Params): { status: number; result?: unknown; description?: string } {
    switch (method) {
      case 'getMe':
        return { status: 200, result: { id: this.botId, is_bot: true, first_name: 'Basirah', username: 'basirah_test_bot' } };
      case 'setWebhook':
        this.webhook = { url: String(p.url), secret_token: p.secret_token as string | undefined, allowed_updates: p.allowed_updates, max_connections: p.max_connections };
        return { status: 200, result: true };
      case 'sendMessage': {
        if (typeof p.text !== 'string' || p.text === '') return { status: 400, description: 'Bad Request: message text is empty' };
        const message: FakeMessage = {
          message_id: ++this.nextMessageId,
          date: Math.floor(Date.now() / 1000),
          chat: { id: Number(p.chat_id), type: 'private' },
          from: { id: this.botId, is_bot: true, first_name: 'Basirah' },
          text: p.text,
          ...(p.reply_markup ? { reply_markup: p.reply_markup as FakeMessage['reply_markup'] } : {}),
        };
        this.messages.set(`${message.chat.id}:${message.message_id}`, message);
        return { status: 200, result: message };
      }
      case 'editMessageText':
      case 'editMessageReplyMarkup':
        return this.edit(method, p);
      case 'answerCallbackQuery':
        if (!this.openQueries.delete(String(p.callback_query_id))) return { status: 400, description: 'Bad Request: query is too old and response timeout expired or query ID is invalid' };
        return { status: 200, result: true };
      default:
        if (SIMPLE_METHODS.has(method)) {
          if (method === 'deleteWebhook') this.webhook = null;
          return { status: 200, result: true };
        }
        return { status: 404, description: 'Not Found: method not found' };
    }
  }

  private edit(method: string, p: Params): { status: number; result?: unknown; description?: string } {
    const message = this.messages.get(`${Number(p.chat_id)}:${Number(p.message_id)}`);
    if (!message) return { status: 400, description: 'Bad Request: message to edit not found' };
    const text = method === 'editMessageText' ? String(p.text) : message.text;
    const markup = p.reply_markup as FakeMessage['reply_markup'] | undefined;
    if (text === message.text && JSON.stringify(markup) === JSON.stringify(message.reply_markup)) {
      return { status: 400, description: 'Bad Request: message is not modified' };
    }
    const { reply_markup: _old, ...rest } = message;
    const edited: FakeMessage = { ...rest, ...(text !== undefined ? { text } : {}), ...(markup ? { reply_markup: markup } : {}) };
    this.messages.set(`${message.chat.id}:${message.message_id}`, edited);
    return { status: 200, result: edited };
  }

  private finish(res: ServerResponse, method: string, params: Params, status: number, body: unknown, result?: unknown): void {
    this.record(method, params, status, result);
    answer(res, status, body);
  }

  private record(method: string, params: Params, status: number, result?: unknown): void {
    this.recorded.push({ seq: this.recorded.length + 1, method, params, status, ...(result !== undefined ? { result } : {}) });
    this.events.emit('call');
  }
}

function failureBody(failure: Failure): unknown {
  if (failure.status === 429) {
    return { ok: false, error_code: 429, description: `Too Many Requests: retry after ${failure.retry_after}`, parameters: { retry_after: failure.retry_after } };
  }
  if (failure.status === 500 || failure.status === 502) return { ok: false, error_code: failure.status, description: 'Internal Server Error' };
  const fallback = failure.status === 403 ? 'Forbidden: bot was blocked by the user' : 'Bad Request';
  return { ok: false, error_code: failure.status, description: ('description' in failure && failure.description) || fallback };
}

function answer(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** JSON, urlencoded form (nested values as JSON strings, as the Bot API accepts) or the query string. */
async function readParams(req: IncomingMessage): Promise<Params> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks).toString('utf8');
  const type = req.headers['content-type'] ?? '';
  if (type.includes('application/json')) return raw === '' ? {} : (JSON.parse(raw) as Params);
  const form = type.includes('application/x-www-form-urlencoded') ? new URLSearchParams(raw) : new URL(req.url ?? '/', 'http://fake').searchParams;
  const params: Params = {};
  for (const [key, value] of form) params[key] = /^[[{]/.test(value) ? (JSON.parse(value) as unknown) : value;
  return params;
}

let updateSeq = 880_000;
let messageSeq = 1;

interface UserOptions {
  languageCode?: string;
  chatType?: 'private' | 'group' | 'supergroup' | 'channel';
  /** The author's user id; in a private chat it equals the chat id. */
  userId?: number;
}

function baseMessage(chatId: number, options: UserOptions): FakeMessage {
  const userId = options.userId ?? chatId;
  return {
    message_id: messageSeq++,
    date: Math.floor(Date.now() / 1000),
    chat: { id: chatId, type: options.chatType ?? 'private' },
    from: { id: userId, is_bot: false, first_name: 'Beneficiary', ...(options.languageCode ? { language_code: options.languageCode } : {}) },
  };
}

const messageUpdate = (message: FakeMessage): TelegramUpdate => ({ update_id: ++updateSeq, message });

/** Factories for the updates Telegram sends; every call gets fresh update and message ids. */
export const makeTelegramUpdate = {
  text: (chatId: number, text: string, options: UserOptions = {}): TelegramUpdate => messageUpdate({ ...baseMessage(chatId, options), text }),
  /** A press on a button of `message` (a message the bot sent, as recorded by the fake). */
  callback: (chatId: number, data: string, message: FakeMessage, options: UserOptions = {}): TelegramUpdate => ({
    update_id: ++updateSeq,
    callback_query: {
      id: `${chatId}${++messageSeq}`,
      from: baseMessage(chatId, options).from,
      chat_instance: `ci-${chatId}`,
      message,
      data,
    },
  }),
  /** A shared contact; by default the user's own number (what the "share my phone" button sends). */
  contact: (chatId: number, phone: string, options: UserOptions & { contactUserId?: number } = {}): TelegramUpdate =>
    messageUpdate({ ...baseMessage(chatId, options), contact: { phone_number: phone, first_name: 'Beneficiary', user_id: options.contactUserId ?? options.userId ?? chatId } }),
  voice: (chatId: number, options: UserOptions = {}): TelegramUpdate =>
    messageUpdate({ ...baseMessage(chatId, options), voice: { file_id: `voice-${messageSeq}`, file_unique_id: `u${messageSeq}`, duration: 4 } }),
  photo: (chatId: number, options: UserOptions = {}): TelegramUpdate =>
    messageUpdate({ ...baseMessage(chatId, options), photo: [{ file_id: `photo-${messageSeq}`, file_unique_id: `p${messageSeq}`, width: 90, height: 90 }] }),
};
