import { LANGUAGES, DEFAULT_LANGUAGE } from '../../domain/language';
import type { Translator } from '../../engine/ports';
import type { Logger } from '../../logging/logger';
import type { ChannelHealth, ChannelRuntime } from '../channel';
import type { BotCommand, TelegramBotClient } from './telegram.client';
import type { TelegramPoller } from './telegram.polling';

/** How updates reach us: a long-polling loop, or Telegram calling our webhook. */
export type DeliveryMode = { type: 'polling'; poller: TelegramPoller } | { type: 'webhook'; url: string; secret: string };

export interface RuntimeDeps {
  client: TelegramBotClient;
  translator: Translator;
  logger: Logger;
  /** The bot id taken from the token; getMe must agree. */
  account: string;
  mode: DeliveryMode;
}

/** Commands offered in Telegram's "/" menu, described in the user's language. */
const MENU_COMMANDS = ['start', 'menu', 'lang'] as const;

/**
 * Starts Telegram delivery: checks the token (getMe), registers the command menu, then either sets
 * the webhook or removes it and starts polling — Telegram refuses getUpdates while a webhook is set.
 */
export class TelegramRuntime implements ChannelRuntime {
  readonly channel = 'telegram' as const;
  private phase: 'stopped' | 'starting' | 'running' | 'failed' = 'stopped';
  private failure: string | undefined;

  constructor(private readonly deps: RuntimeDeps) {}

  async start(): Promise<void> {
    this.phase = 'starting';
    try {
      const me = await this.deps.client.getMe();
      if (String(me.id) !== this.deps.account) throw new Error(`getMe answered bot ${me.id}, the token names bot ${this.deps.account}`);
      await this.registerCommands();
      const mode = this.deps.mode;
      if (mode.type === 'webhook') {
        await this.deps.client.setWebhook(mode.url, mode.secret);
      } else {
        await this.deps.client.deleteWebhook();
        mode.poller.start();
      }
      this.phase = 'running';
      this.deps.logger.info({ channel: 'telegram', mode: mode.type, bot: me.username }, 'telegram channel started');
    } catch (error) {
      this.phase = 'failed';
      this.failure = error instanceof Error ? error.message : String(error);
      throw error;
    }
  }

  /** Stops polling. A webhook stays registered: another instance may be serving it. */
  async stop(): Promise<void> {
    if (this.deps.mode.type === 'polling') await this.deps.mode.poller.stop();
    if (this.phase !== 'failed') this.phase = 'stopped';
  }

  health(): ChannelHealth {
    if (this.phase === 'failed') return { channel: 'telegram', state: 'failed', ...(this.failure ? { detail: this.failure } : {}) };
    if (this.phase !== 'running') return { channel: 'telegram', state: this.phase === 'starting' ? 'starting' : 'disabled' };
    const mode = this.deps.mode;
    if (mode.type === 'polling') {
      const polling = mode.poller.current;
      if (polling.type === 'retrying') return { channel: 'telegram', state: 'degraded', detail: polling.detail };
    }
    return { channel: 'telegram', state: 'ready' };
  }

  /** Best effort: without the menu the bot still works, so a failure is only logged. */
  private async registerCommands(): Promise<void> {
    const { client, translator, logger } = this.deps;
    const commandsIn = (lang: (typeof LANGUAGES)[number]): BotCommand[] =>
      MENU_COMMANDS.map((command) => ({ command, description: translator.t(lang, `telegram:commands.${command}`) }));
    try {
      // The default list (no language code) is Arabic; Telegram picks a language-specific one when it has it.
      await client.setMyCommands(commandsIn(DEFAULT_LANGUAGE), undefined);
      for (const lang of LANGUAGES) await client.setMyCommands(commandsIn(lang), lang);
    } catch (error) {
      logger.warn({ channel: 'telegram', err: { message: error instanceof Error ? error.message : String(error) } }, 'telegram command menu not registered');
    }
  }
}
