import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';

/**
 * A minimal fake Telegram Bot API on 127.0.0.1 for the bench: what telegraf calls at start-up in
 * webhook mode (getMe, setMyCommands, setWebhook; deleteWebhook for polling) and what a bot sends
 * (sendMessage, sendChatAction, answerCallbackQuery). Any token is accepted; the bot id is the
 * token's prefix. Each sendMessage is reported to the listener with its arrival time and buttons.
 */

type Params = Record<string, unknown>;
/** `buttons`: the callback data of the message's inline keyboard, in order (empty without one). */
export type SendListener = (chatId: number, text: string, at: number, buttons: readonly string[]) => void;

export class FakeBotApi {
  sendMessages = 0;
  otherCalls = 0;
  private listener: SendListener = () => undefined;
  private nextMessageId = 1;

  private constructor(
    private readonly server: Server,
    readonly apiRoot: string,
  ) {}

  static async start(): Promise<FakeBotApi> {
    let api: FakeBotApi | null = null;
    const server = createServer((req, res) => void api?.serve(req, res));
    server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    api = new FakeBotApi(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return api;
  }

  onSendMessage(listener: SendListener): void {
    this.listener = listener;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const match = /^\/bot(\d+):[^/]+\/([A-Za-z]+)$/.exec(new URL(req.url ?? '/', 'http://fake').pathname);
    let params: Params;
    try {
      params = await readParams(req);
    } catch {
      return answer(res, 400, { ok: false, error_code: 400, description: 'Bad Request: cannot parse body' });
    }
    if (!match) return answer(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
    const [, botId, method] = match as unknown as [string, string, string];
    if (method === 'sendMessage') return this.sendMessage(res, Number(botId), params);
    this.otherCalls += 1;
    switch (method) {
      case 'getMe':
        return answer(res, 200, { ok: true, result: { id: Number(botId), is_bot: true, first_name: 'Bench', username: `bench_${botId}_bot` } });
      case 'setMyCommands':
      case 'setWebhook':
      case 'deleteWebhook':
      case 'sendChatAction':
      case 'answerCallbackQuery':
        return answer(res, 200, { ok: true, result: true });
      default:
        return answer(res, 404, { ok: false, error_code: 404, description: 'Not Found: method not found' });
    }
  }

  private sendMessage(res: ServerResponse, botId: number, p: Params): void {
    const at = performance.now();
    if (typeof p.text !== 'string' || p.text === '') return answer(res, 400, { ok: false, error_code: 400, description: 'Bad Request: message text is empty' });
    this.sendMessages += 1;
    const chatId = Number(p.chat_id);
    answer(res, 200, {
      ok: true,
      result: { message_id: this.nextMessageId++, date: Math.floor(Date.now() / 1000), chat: { id: chatId, type: 'private' }, from: { id: botId, is_bot: true, first_name: 'Bench' }, text: p.text },
    });
    this.listener(chatId, p.text, at, callbackData(p.reply_markup));
  }
}

/** The callback data of an inline keyboard as telegraf sends it (a JSON object; read defensively). */
function callbackData(markup: unknown): string[] {
  const rows = (markup as { inline_keyboard?: unknown } | undefined)?.inline_keyboard;
  if (!Array.isArray(rows)) return [];
  return rows.flat().flatMap((b: unknown) => {
    const data = (b as { callback_data?: unknown } | null)?.callback_data;
    return typeof data === 'string' ? [data] : [];
  });
}

function answer(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** telegraf sends every call without a file as JSON. */
async function readParams(req: IncomingMessage): Promise<Params> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks).toString('utf8');
  return raw === '' ? {} : (JSON.parse(raw) as Params);
}
