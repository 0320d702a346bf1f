import { z } from 'zod';
import type { EngineResult, InboundMessage } from '../../domain/messages';

/** One input line in machine mode: `{"from": "<sender id>", "text": "<message>"}`. */
const ConsoleLine = z
  .object({
    from: z.string().trim().min(1).max(128),
    // A hard cap far above any channel limit: longer lines still get the engine's polite "please shorten".
    text: z.string().max(65_536),
  })
  .strict();

export type DecodeResult = { ok: true; message: InboundMessage } | { ok: false; error: string };

/** Parses a machine-mode line at the edge; bad input is a value, never a crash. */
export function decodeConsoleLine(line: string, messageId: string, now: Date): DecodeResult {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    return { ok: false, error: 'invalid JSON: expected {"from": "<sender id>", "text": "<message>"}' };
  }
  const parsed = ConsoleLine.safeParse(json);
  if (!parsed.success) return { ok: false, error: parsed.error.issues.map((i) => `${i.path.join('.') || 'line'}: ${i.message}`).join('; ') };
  return { ok: true, message: consoleMessage(parsed.data.from, parsed.data.text, messageId, now) };
}

export function consoleMessage(from: string, text: string, messageId: string, now: Date): InboundMessage {
  return { channel: 'console', account: 'console', sender: from, messageId, text, receivedAt: now };
}

/** Exactly one output line per input line. */
export function encodeResult(from: string | null, result: EngineResult | null, error?: string): string {
  const replies = (result?.replies ?? []).map((r) => ({ text: r.text, options: (r.options ?? []).map((o) => o.label) }));
  return JSON.stringify({ from, intent: result?.intent ?? null, replies, ...(error ? { error } : {}) });
}

/** Human-readable rendering for the interactive terminal chat. */
export function renderForTerminal(result: EngineResult): string {
  return result.replies
    .map((r) => [r.text, ...(r.options ?? []).map((o, i) => `   ${i + 1}. ${o.label}`)].join('\n'))
    .join('\n\n');
}
