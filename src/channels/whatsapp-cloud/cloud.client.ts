import { z } from 'zod';
import type { GraphMessage } from './cloud.encode';

/**
 * The Graph API HTTP client: the only file of this channel that talks to Meta. Node's global
 * `fetch`; responses parsed at the edge. Outcomes are values, never exceptions.
 */

const SentResponse = z.object({ messages: z.array(z.object({ id: z.string().min(1) })).optional() });
const ErrorResponse = z.object({
  error: z.object({
    message: z.string().optional(),
    code: z.number().int().optional(),
    error_subcode: z.number().int().optional(),
    error_data: z.object({ details: z.string().optional() }).optional(),
  }),
});

export type GraphResult =
  | { type: 'ok'; messageId: string | null }
  /** Graph answered with an error status; `code` is Graph's error code when the body had one. */
  | { type: 'error'; status: number; code: number | null; message: string | null; retryAfterMs: number | null }
  /** No HTTP answer (refused, reset, timed out). */
  | { type: 'network'; reason: string };

export interface GraphClientOptions {
  /** e.g. https://graph.facebook.com/v21.0 */
  apiRoot: string;
  token: string;
  fetchImpl?: typeof fetch;
  timeoutMs?: number;
}

export class GraphClient {
  private readonly root: string;
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly options: GraphClientOptions) {
    this.root = options.apiRoot.replace(/\/+$/, '');
    this.fetchImpl = options.fetchImpl ?? fetch;
  }

  /** POST /{phoneNumberId}/messages. */
  async sendMessage(phoneNumberId: string, message: GraphMessage): Promise<GraphResult> {
    let response: Response;
    try {
      response = await this.fetchImpl(`${this.root}/${encodeURIComponent(phoneNumberId)}/messages`, {
        method: 'POST',
        headers: { authorization: `Bearer ${this.options.token}`, 'content-type': 'application/json' },
        body: JSON.stringify(message),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 15_000),
      });
    } catch (error) {
      return { type: 'network', reason: networkReason(error) };
    }
    const body: unknown = await response.json().catch(() => null);
    if (response.ok) {
      const parsed = SentResponse.safeParse(body);
      return { type: 'ok', messageId: parsed.success ? (parsed.data.messages?.[0]?.id ?? null) : null };
    }
    const parsed = ErrorResponse.safeParse(body);
    const error = parsed.success ? parsed.data.error : null;
    return {
      type: 'error',
      status: response.status,
      code: error?.code ?? null,
      message: error ? (error.error_data?.details ?? error.message ?? null) : null,
      retryAfterMs: retryAfterMs(response.headers.get('retry-after')),
    };
  }
}

/** Retry-After in seconds or as an HTTP date. */
export function retryAfterMs(header: string | null, now: Date = new Date()): number | null {
  if (header === null || header.trim() === '') return null;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? null : Math.max(0, at - now.getTime());
}

/** The error code (ECONNREFUSED, ETIMEDOUT…) or name; read structurally, since fetch errors may come from another realm. */
function networkReason(error: unknown): string {
  if (typeof error !== 'object' || error === null) return 'network error';
  const { name, cause } = error as { name?: unknown; cause?: { code?: unknown } };
  const code = typeof cause?.code === 'string' ? cause.code : typeof name === 'string' ? name : null;
  return code ? `network error: ${code}` : 'network error';
}
