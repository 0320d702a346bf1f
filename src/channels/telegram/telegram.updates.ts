import { isLanguage, DEFAULT_LANGUAGE } from '../../domain/language';
import type { Translator } from '../../engine/ports';
import type { Logger } from '../../logging/logger';
import type { AcceptOutcome, InboundSink } from '../channel';
import { isRefusal } from '../refusal';
import type { TelegramBotClient } from './telegram.client';
import { decodeUpdate, MAX_TEXT_LENGTH, type CallbackContext } from './telegram.codec';

/**
 * What became of one update. `invalid` updates failed the schema (acknowledged and dropped); a
 * refused one was not stored, so the caller must let Telegram deliver it again.
 */
export type UpdateOutcome = AcceptOutcome | 'ignored' | 'invalid';

export interface UpdateHandlerDeps {
  client: TelegramBotClient;
  sink: InboundSink;
  translator: Translator;
  logger: Logger;
  /** The bot id, our account on Telegram. */
  account: string;
  now?: () => Date;
}

/**
 * The inbound path shared by long polling and the webhook: decode, store through the sink, and
 * for a pressed button answer the callback query and echo the choice. Only the sink may throw
 * (the message is then not stored, and the caller lets Telegram deliver it again); the Bot API
 * calls around it are courtesies whose failures are logged and dropped.
 */
export class TelegramUpdateHandler {
  constructor(private readonly deps: UpdateHandlerDeps) {}

  async handle(raw: unknown): Promise<UpdateOutcome> {
    const now = this.deps.now?.() ?? new Date();
    const decoded = decodeUpdate(raw, { account: this.deps.account, now });
    switch (decoded.type) {
      case 'invalid':
        this.deps.logger.warn({ channel: 'telegram', updateId: decoded.updateId, error: decoded.error }, 'telegram update refused by the schema');
        return 'invalid';
      case 'ignored':
        // Stop the button's spinner even when the press is not served.
        if (decoded.callbackQueryId) await this.courtesy('answerCallbackQuery', () => this.deps.client.answerCallbackQuery(decoded.callbackQueryId as string));
        this.deps.logger.debug({ channel: 'telegram', updateId: decoded.updateId, reason: decoded.reason }, 'telegram update ignored');
        return 'ignored';
      case 'message':
        return this.deps.sink.accept(decoded.inbound);
      case 'callback': {
        const outcome = await this.deps.sink.accept(decoded.inbound);
        // A refused press comes again; it is answered and echoed then.
        if (isRefusal(outcome)) return outcome;
        await this.courtesy('answerCallbackQuery', () => this.deps.client.answerCallbackQuery(decoded.callback.queryId));
        // A redelivered press was echoed the first time.
        if (outcome === 'accepted') await this.courtesy('echoChoice', () => this.echoChoice(decoded.callback, decoded.inbound.languageHint));
        return outcome;
      }
      default: {
        const unreachable: never = decoded;
        return unreachable;
      }
    }
  }

  /**
   * Removes the keyboard from the question and appends "✓ <label>", so the chat reads as a
   * conversation and an old button cannot be pressed twice.
   */
  private async echoChoice(callback: CallbackContext, languageHint: string | undefined): Promise<void> {
    const hint = languageHint?.slice(0, 2).toLowerCase();
    const language = isLanguage(hint) ? hint : DEFAULT_LANGUAGE;
    if (callback.originalText !== null && callback.label !== null) {
      const echo = this.deps.translator.t(language, 'telegram:choice_echo', { label: callback.label });
      const text = `${callback.originalText}\n\n${echo}`;
      if (text.length <= MAX_TEXT_LENGTH) return this.deps.client.editMessageText(callback.chatId, callback.messageId, text);
    }
    return this.deps.client.removeInlineKeyboard(callback.chatId, callback.messageId);
  }

  private async courtesy(call: string, fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (error) {
      this.deps.logger.warn({ channel: 'telegram', call, err: { message: error instanceof Error ? error.message : String(error) } }, 'telegram call failed');
    }
  }
}
