import { Telegram, TelegramError } from 'telegraf';
import type { SendMessageParams } from './telegram.codec';

/**
 * The only file that imports telegraf. It exposes the handful of Bot API calls the channel makes,
 * in our own types, and turns telegraf's errors into {@link TelegramFailure} values. Updates come
 * back as `unknown`: the codec parses them with a schema like any other external payload.
 */

/** Update kinds the bot asks Telegram for; everything else (edits, reactions, joins) is never sent to us. */
export const ALLOWED_UPDATES = ['message', 'callback_query'] as const;

/** A command shown in Telegram's "/" menu. */
export interface BotCommand {
  command: string;
  description: string;
}

/** What a failed Bot API call came to, in the terms of the send pipeline. */
export type TelegramFailure =
  | { type: 'rate_limited'; retryAfterMs: number }
  | { type: 'failed'; retryable: boolean; reason: string; status: number | null };

/** Used when Telegram answers 429 without `retry_after` (it always sends one today). */
const DEFAULT_RETRY_AFTER_MS = 1000;
/**
 * A send gives up after this long (telegraf's own limit is 500 s). A send runs under its
 * conversation's lock, whose lease is 60 s and whose drain stops starting sends after 20 s: a
 * stalled call must not outlast the lease. A call that timed out is retried like any network
 * failure (docs/pipeline.md, "One case can still duplicate").
 */
const SEND_TIMEOUT_MS = 25_000;

export class TelegramBotClient {
  private readonly telegram: Telegram;

  constructor(
    token: string,
    apiRoot: string,
    private readonly sendTimeoutMs = SEND_TIMEOUT_MS,
  ) {
    // webhookReply: false — every call is a real HTTP request whose result we can check.
    this.telegram = new Telegram(token, { apiRoot, webhookReply: false });
  }

  async getMe(): Promise<{ id: number; username: string | undefined }> {
    const me = await this.telegram.getMe();
    return { id: me.id, username: me.username };
  }

  /**
   * One long poll. `offset` confirms every update below it, so the caller passes the id after the
   * last update it has safely stored — never more.
   */
  async getUpdates(offset: number, timeoutSeconds: number, limit: number, signal: AbortSignal): Promise<unknown[]> {
    const payload = { offset, limit, timeout: timeoutSeconds, allowed_updates: [...ALLOWED_UPDATES] };
    const updates: unknown = await this.telegram.callApi('getUpdates', payload, withSignal(signal));
    return Array.isArray(updates) ? (updates as unknown[]) : [];
  }

  /** Stops webhook delivery; pending updates are kept so that polling picks them up. */
  async deleteWebhook(): Promise<void> {
    await this.telegram.deleteWebhook({ drop_pending_updates: false });
  }

  /**
   * One connection at a time: Telegram then waits for each answer before sending the next update,
   * so a beneficiary's messages are stored in the order they were written.
   */
  async setWebhook(url: string, secretToken: string): Promise<void> {
    await this.telegram.setWebhook(url, { secret_token: secretToken, allowed_updates: [...ALLOWED_UPDATES], drop_pending_updates: false, max_connections: 1 });
  }

  async setMyCommands(commands: readonly BotCommand[], languageCode: string | undefined): Promise<void> {
    await this.telegram.setMyCommands([...commands], languageCode ? { language_code: languageCode } : {});
  }

  async sendMessage(params: SendMessageParams): Promise<{ messageId: number }> {
    const payload = { chat_id: params.chat_id, text: params.text, ...(params.reply_markup ? { reply_markup: params.reply_markup } : {}) };
    const sent = (await this.telegram.callApi('sendMessage', payload, withSignal(AbortSignal.timeout(this.sendTimeoutMs)))) as { message_id: number };
    return { messageId: sent.message_id };
  }

  async sendTyping(chatId: string): Promise<void> {
    await this.telegram.sendChatAction(chatId, 'typing');
  }

  async answerCallbackQuery(queryId: string): Promise<void> {
    await this.telegram.answerCbQuery(queryId);
  }

  /** Replaces a message's text; without `reply_markup` its inline keyboard goes away too. */
  async editMessageText(chatId: number, messageId: number, text: string): Promise<void> {
    await this.telegram.editMessageText(chatId, messageId, undefined, text);
  }

  async removeInlineKeyboard(chatId: number, messageId: number): Promise<void> {
    await this.telegram.editMessageReplyMarkup(chatId, messageId, undefined, undefined);
  }
}

/**
 * Classifies an error thrown by a Bot API call. 429 carries the wait Telegram asks for; 5xx and
 * network faults are worth retrying; 400 (bad request, chat not found) and 403 (the user blocked
 * the bot) will fail the same way every time. Other 4xx (401 revoked token, 409 conflict) are
 * operator problems that a retry with backoff may outlive.
 */
export function describeTelegramError(error: unknown): TelegramFailure {
  if (error instanceof TelegramError) {
    const status = error.code;
    if (status === 429) {
      const seconds = error.parameters?.retry_after;
      return { type: 'rate_limited', retryAfterMs: seconds !== undefined ? seconds * 1000 : DEFAULT_RETRY_AFTER_MS };
    }
    const reason = `telegram ${status}: ${error.description}`;
    return { type: 'failed', retryable: !(status === 400 || status === 403), reason, status };
  }
  const reason = error instanceof Error ? `network: ${error.name}: ${error.message}` : 'network: unknown error';
  return { type: 'failed', retryable: true, reason, status: null };
}

/** telegraf types `signal` with the `abort-controller` polyfill; node-fetch accepts Node's own AbortSignal. */
function withSignal(signal: AbortSignal): NonNullable<Parameters<Telegram['callApi']>[2]> {
  return { signal } as unknown as NonNullable<Parameters<Telegram['callApi']>[2]>;
}

/** True for the error a long poll ends with when its signal is aborted (shutdown). */
export function isAbortError(error: unknown): boolean {
  return error instanceof Error && error.name === 'AbortError';
}
