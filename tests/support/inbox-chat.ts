import { FakeTelegramApi, makeTelegramUpdate, type RecordedCall, type TelegramUpdate } from './fake-telegram-api';
import type { TestPipeline } from './pipeline';
import { TEST_BOT_TOKEN } from './telegram';

const BOT = TEST_BOT_TOKEN.split(':')[0] as string;

export const chatOf = (call: RecordedCall): number => Number(call.params.chat_id);

/** A beneficiary on Telegram (fake Bot API) in the inbox tests: what they type, and the handoff they are in. */
export interface TelegramBeneficiaries {
  /** Injects any update from `chat` (a text, a button press, a contact) and waits for the bot's answer containing `expected`. */
  say(update: TelegramUpdate, chat: number, expected: string): Promise<RecordedCall>;
  /** Sends `text` from `chat` and waits for the bot's answer containing `expected`. */
  type(chat: number, text: string, expected: string): Promise<RecordedCall>;
  /** The id of the handoff the chat is in (throws when it is with the bot). */
  handoffOf(chat: number): Promise<string>;
}

/** `beforeEach`: run before each message (the e2e test moves the manual clock to the wall clock). */
export function telegramBeneficiaries(api: FakeTelegramApi, run: TestPipeline, beforeEach: () => void = () => undefined): TelegramBeneficiaries {
  const say: TelegramBeneficiaries['say'] = async (update, chat, expected) => {
    beforeEach();
    const mark = api.calls().length;
    api.injectUpdate(update);
    return api.waitForCall('sendMessage', (call) => call.seq > mark && chatOf(call) === chat && String(call.params.text).includes(expected));
  };
  return {
    say,
    type: (chat, text, expected) => say(makeTelegramUpdate.text(chat, text), chat, expected),
    async handoffOf(chat) {
      const doc = await run.pipeline.records.load(run.pipeline.records.idOf({ channel: 'telegram', account: BOT, sender: String(chat) }));
      const mode = doc ? run.pipeline.records.stateOf(doc).state.mode : null;
      if (mode?.type !== 'handoff') throw new Error(`chat ${chat} is not with staff`);
      return mode.handoffId;
    },
  };
}
