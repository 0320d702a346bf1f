import { z } from 'zod';
import { LANGUAGES } from '../../domain/language';

/**
 * The web chat's WebSocket protocol, both directions. Browser messages are parsed here, at the
 * edge; live events crossing Redis are parsed again on arrival (another process wrote them).
 */

/** Longest message a visitor may send, in UTF-16 units (what the textarea's maxlength counts). */
export const MAX_TEXT_LENGTH = 2000;

const ClientId = z.string().uuid();
const Lng = z.enum(LANGUAGES);

const ClientMessageSchema = z.discriminatedUnion('type', [
  // A hard cap well above MAX_TEXT_LENGTH so that "too long" can still be told apart from garbage.
  z.object({ type: z.literal('message'), clientId: ClientId, text: z.string().max(MAX_TEXT_LENGTH * 8), lng: Lng.optional() }),
  z.object({ type: z.literal('language'), clientId: ClientId, lng: Lng.optional() }),
]);

export type ClientMessage = z.infer<typeof ClientMessageSchema>;

/**
 * `rate_limited`: the edge's flood control (session or IP); `too_fast`, `backlog`, `overloaded`:
 * the gateway refused the message (see Refusal). None of these was stored: the page keeps it.
 */
export const ERROR_CODES = ['invalid', 'empty', 'too_long', 'rate_limited', 'too_fast', 'backlog', 'overloaded', 'unavailable'] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** Close code of a socket over its session's or IP's cap (4000–4999 are the application's own). */
export const CLOSE_TOO_MANY_SOCKETS = 4008;
/** "Service restart": the live subscription was lost and is back, so the page reconnects and re-reads its history. */
export const CLOSE_RESYNC = 1012;

export type DecodeOutcome = { ok: true; message: ClientMessage } | { ok: false; code: ErrorCode; clientId: string | null };

/** Parses one browser frame: JSON, the schema, then the text rules (non-empty after trim, ≤ 2000). */
export function decodeClientMessage(raw: string): DecodeOutcome {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { ok: false, code: 'invalid', clientId: null };
  }
  const parsed = ClientMessageSchema.safeParse(json);
  if (!parsed.success) return { ok: false, code: 'invalid', clientId: clientIdOf(json) };
  const message = parsed.data;
  if (message.type === 'message') {
    const text = message.text.trim();
    if (text === '') return { ok: false, code: 'empty', clientId: message.clientId };
    if (text.length > MAX_TEXT_LENGTH) return { ok: false, code: 'too_long', clientId: message.clientId };
    return { ok: true, message: { ...message, text } };
  }
  return { ok: true, message };
}

function clientIdOf(json: unknown): string | null {
  const id = ClientId.safeParse((json as { clientId?: unknown } | null)?.clientId);
  return id.success ? id.data : null;
}

const OptionSchema = z.object({ value: z.string(), label: z.string() });

/** What the send workers publish for a session; the web process forwards it to the session's sockets. */
export const LiveEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('reply'), text: z.string(), options: z.array(OptionSchema), lang: Lng }),
  z.object({ type: z.literal('typing') }),
]);
export type LiveEvent = z.infer<typeof LiveEventSchema>;

/** Frames the server sends to the browser. */
export type ServerMessage =
  | { type: 'ready' }
  | { type: 'ack'; clientId: string; duplicate: boolean }
  | { type: 'error'; code: ErrorCode; clientId: string | null; retryAfterMs?: number }
  | LiveEvent;
