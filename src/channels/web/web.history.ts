import type { Reply, ReplyOption } from '../../domain/messages';

/** One stored message of a web conversation, as the message log returns it (oldest first). */
export interface HistoryItem {
  direction: 'in' | 'out';
  at: Date;
  text: string;
  reply?: Reply;
}

/** Who may read a conversation's history: the web channel, the site account, the session. */
export type WebConversationRef = { channel: 'web'; account: string; sender: string };

export type HistoryReader = (conversationRef: WebConversationRef, limit: number) => Promise<HistoryItem[]>;

/** What the page renders on load. */
export interface TranscriptItem {
  direction: 'in' | 'out';
  at: string;
  text: string;
  options: ReplyOption[];
}

/**
 * Turns the stored messages into what the visitor saw. A chosen option is stored as its value
 * (what the engine needs), but the visitor's bubble showed its label, so values answering the
 * options just offered are shown as their labels again. Inbound messages without text (the
 * language button's command) left no bubble and are skipped.
 */
export function toTranscript(items: readonly HistoryItem[]): TranscriptItem[] {
  const transcript: TranscriptItem[] = [];
  let offered: ReplyOption[] = [];
  for (const item of items) {
    const at = item.at.toISOString();
    if (item.direction === 'out') {
      const options = item.reply?.options ?? [];
      if (options.length > 0) offered = options;
      transcript.push({ direction: 'out', at, text: item.text, options });
      continue;
    }
    const chosen = offered.find((o) => o.value === item.text);
    offered = [];
    if (item.text.trim() === '') continue;
    transcript.push({ direction: 'in', at, text: chosen?.label ?? item.text, options: [] });
  }
  return transcript;
}
