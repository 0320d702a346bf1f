import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { FakeMessage, FakeTelegramApi, RecordedCall, TelegramUpdate } from './fake-telegram-api';

/**
 * A readable transcript of one Telegram chat: the bot's side is read from the fake Bot API's
 * recorded sendMessage / editMessageText calls, the person's side (and staff actions) from what
 * the test noted through this object, placed between the calls by the call count at the time.
 * Written as Markdown for closing notes and bench/results.
 */

type Entry = { afterSeq: number } & ({ type: 'person'; update: TelegramUpdate } | { type: 'staff'; command: string; output: string });

/** Longer command output is cut in the transcript. */
const OUTPUT_LINES = 14;

export class TelegramTranscript {
  private readonly entries: Entry[] = [];

  constructor(
    private readonly api: FakeTelegramApi,
    readonly chatId: number,
  ) {}

  /** Delivers an update of the person (a message, a contact, a button press) and notes it. */
  person(update: TelegramUpdate): void {
    this.entries.push({ afterSeq: this.api.calls().length, type: 'person', update });
    this.api.injectUpdate(update);
  }

  /** Runs what staff do outside the chat (an admin CLI command) and notes it, with its output, where it began. */
  async staff(command: string, run: () => Promise<string>): Promise<string> {
    const entry: Entry = { afterSeq: this.api.calls().length, type: 'staff', command, output: '' };
    this.entries.push(entry);
    entry.output = await run();
    return entry.output;
  }

  /** The whole chat so far, oldest first. */
  render(title: string, intro: string): string {
    const lines = this.api
      .calls()
      .filter((c) => c.status === 200 && Number(c.params.chat_id) === this.chatId && (c.method === 'sendMessage' || c.method === 'editMessageText'))
      .map((c) => ({ at: c.seq, text: renderCall(c) }));
    // Between the last call before it and the first after it, in the order noted.
    const noted = this.entries.map((e, i) => ({ at: e.afterSeq + (i + 1) / (this.entries.length + 1), text: this.renderEntry(e) }));
    const story = [...lines, ...noted].sort((a, b) => a.at - b.at).map((l) => l.text);
    return `# ${title}\n\n${intro}\n\n${story.join('\n\n')}\n`;
  }

  private renderEntry(entry: Entry): string {
    if (entry.type === 'staff') return `**🛠 Staff** \`${entry.command}\`${renderOutput(entry.output)}`;
    const { message, callback_query: query } = entry.update as { message?: FakeMessage; callback_query?: { data: string; message: FakeMessage } };
    if (query) {
      const label = (query.message.reply_markup?.inline_keyboard ?? []).flat().find((b) => b.callback_data === query.data)?.text ?? '?';
      return `**👤 Person** taps [${label}] (\`${query.data}\`)`;
    }
    const contact = message?.contact as { phone_number?: string } | undefined;
    if (contact) return `**👤 Person** shares the contact ${contact.phone_number ?? ''}`;
    return `**👤 Person** ${message?.text ?? '(no text)'}`;
  }
}

function renderOutput(output: string): string {
  if (output.trim() === '') return '';
  const lines = compactJson(output) ?? output.trimEnd().split('\n');
  const shown = lines.length > OUTPUT_LINES ? [...lines.slice(0, OUTPUT_LINES), `… (${lines.length - OUTPUT_LINES} more lines)`] : lines;
  return `\n\n\`\`\`\n${shown.join('\n')}\n\`\`\``;
}

/** A JSON object printed a top-level key a line (a report's sections side by side), or null for other output. */
function compactJson(output: string): string[] | null {
  try {
    const value = JSON.parse(output) as unknown;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
    return ['{', ...Object.entries(value).map(([key, v], i, all) => `  ${JSON.stringify(key)}: ${JSON.stringify(v)}${i < all.length - 1 ? ',' : ''}`), '}'];
  } catch {
    return null;
  }
}

function renderCall(call: RecordedCall): string {
  const text = String(call.params.text);
  // An edit is the bot marking the pressed choice under its question (and removing the buttons).
  if (call.method === 'editMessageText') return `**🤖 Bot** marks the choice on its message: ${text.split('\n\n').pop() ?? text}`;
  const rows = ((call.params.reply_markup as FakeMessage['reply_markup'])?.inline_keyboard ?? []).map((row) => row.map((b) => `[${b.text}]`).join(' '));
  // One quoted paragraph a line, so that Markdown keeps the bot's line breaks; the buttons, a row a line, in one paragraph.
  const paragraphs = [...text.split('\n').filter((l) => l.trim() !== ''), ...(rows.length > 0 ? [rows.join('\n> ')] : [])];
  return `**🤖 Bot**\n${paragraphs.map((p) => `> ${p}`).join('\n>\n')}`;
}

/** Writes the transcript when WRITE_TRANSCRIPT=1 (a run made to refresh the committed copy); returns whether it did. */
export function writeTranscriptIfAsked(path: string, markdown: string): boolean {
  if (process.env.WRITE_TRANSCRIPT !== '1') return false;
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, markdown);
  return true;
}
