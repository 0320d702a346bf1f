import type { ChannelModule } from '../../src/channels/module';
import { FakeTelegramApi, makeTelegramUpdate, type FakeMessage, type RecordedCall } from '../support/fake-telegram-api';
import { t } from '../support/engine-setup';
import { startTestPipeline } from '../support/pipeline';
import { TEST_BOT_TOKEN, testTelegramModule } from '../support/telegram';

/**
 * Telegram's platform commands through the real pipeline: the command and the user's
 * `language_code` must survive the inbound record, or "/start" reaches the engine as an empty text.
 */

let api: FakeTelegramApi;
let run: Awaited<ReturnType<typeof startTestPipeline>>;
let telegram: ChannelModule;

beforeAll(async () => {
  api = await FakeTelegramApi.start(TEST_BOT_TOKEN);
  run = await startTestPipeline('tgcmd', ({ env, sink }) => {
    telegram = testTelegramModule(api, sink, env);
    return [telegram];
  });
  await telegram.runtime?.start();
}, 60_000);

afterAll(async () => {
  await telegram.runtime?.stop();
  await run.close();
  await api.close();
});

const toChat = (chatId: number, text: string) => (c: RecordedCall): boolean => Number(c.params.chat_id) === chatId && c.params.text === text;

it('/start greets in the language Telegram reports on first contact; /lang and /menu work mid-conversation', async () => {
  const chat = 1501;
  api.injectUpdate(makeTelegramUpdate.text(chat, '/start', { languageCode: 'en' }));
  await api.waitForCall('sendMessage', toChat(chat, t('en', 'answers.welcome')));
  await api.waitForCall('sendMessage', toChat(chat, t('en', 'menu.title')));
  api.injectUpdate(makeTelegramUpdate.text(chat, '/lang', { languageCode: 'en' }));
  const choose = await api.waitForCall('sendMessage', toChat(chat, t('en', 'language.choose')));
  const buttons = (choose.params.reply_markup as FakeMessage['reply_markup'])?.inline_keyboard.flat().map((b) => b.callback_data);
  expect(buttons).toEqual(['lang:ar', 'lang:en', 'lang:ur']);
  api.injectUpdate(makeTelegramUpdate.text(chat, '/menu', { languageCode: 'en' }));
  await api.waitForCalls('sendMessage', toChat(chat, t('en', 'menu.title')), 2);
  expect(api.sentTexts(chat)).not.toContain(t('en', 'answers.text_only'));
}, 30_000);
