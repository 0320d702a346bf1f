import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for the Graph API's `POST /{phone-number-id}/messages`, on 127.0.0.1 and a
 * random port. It checks the Bearer token, enforces the interactive-message limits WhatsApp
 * enforces (error 131009), records every call, and can be told to throttle (HTTP 429 with a
 * Graph rate-limit code) or fail (5xx) the next calls.
 */

export interface GraphCall {
  phoneNumberId: string;
  body: GraphBody;
  /** What the fake answered. */
  status: number;
  /** The wamid given to a delivered message. */
  messageId: string | null;
}

/** The parts of a Graph message the tests read. */
export interface GraphBody {
  messaging_product?: string;
  to?: string;
  type?: string;
  text?: { body: string };
  interactive?: {
    type: 'button' | 'list';
    body: { text: string };
    action: {
      button?: string;
      buttons?: Array<{ type: string; reply: { id: string; title: string } }>;
      sections?: Array<{ rows: Array<{ id: string; title: string; description?: string }> }>;
    };
  };
  template?: { name: string; language: { code: string }; components: Array<{ type: string; parameters: Array<{ type: string; text: string }> }> };
}

export type InjectedFailure =
  | { type: 'rate_limit'; code: 4 | 80007 | 130429 | 131056; httpStatus?: number; retryAfterSeconds?: number }
  | { type: 'server_error'; status: number }
  | { type: 'refused'; status: number; code: number; message: string };

export interface FakeGraphApi {
  /** The API root to configure, e.g. http://127.0.0.1:PORT/v21.0 */
  apiRoot: string;
  calls(): GraphCall[];
  /** Resolves with the first call (past or future) matching `predicate`. */
  waitForCall(predicate: (call: GraphCall) => boolean, timeoutMs?: number): Promise<GraphCall>;
  /** The next calls get these answers, in order. */
  failNext(...failures: InjectedFailure[]): void;
  close(): Promise<void>;
}

const length = (s: string | undefined): number => Array.from(s ?? '').length;

/** The limits WhatsApp checks on interactive messages; returns a problem or null. */
function interactiveProblem(body: GraphBody): string | null {
  const i = body.interactive;
  if (!i) return body.type === 'interactive' ? 'interactive object missing' : null;
  if (length(i.body.text) === 0 || length(i.body.text) > 1024) return 'body text must be 1–1024 characters';
  if (i.type === 'button') {
    const buttons = i.action.buttons ?? [];
    if (buttons.length < 1 || buttons.length > 3) return '1–3 buttons';
    if (buttons.some((b) => length(b.reply.title) > 20 || length(b.reply.id) > 256)) return 'button title ≤ 20, id ≤ 256';
    if (new Set(buttons.map((b) => b.reply.title)).size !== buttons.length) return 'button titles must be unique';
    return null;
  }
  const rows = (i.action.sections ?? []).flatMap((s) => s.rows);
  if (rows.length < 1 || rows.length > 10) return '1–10 rows';
  if (length(i.action.button) < 1 || length(i.action.button) > 20) return 'list button 1–20 characters';
  if (rows.some((r) => length(r.title) > 24 || length(r.id) > 200 || length(r.description) > 72)) return 'row title ≤ 24, id ≤ 200, description ≤ 72';
  return null;
}

export async function startFakeGraphApi(options: { token: string; version?: string }): Promise<FakeGraphApi> {
  const version = options.version ?? 'v21.0';
  const recorded: GraphCall[] = [];
  const failures: InjectedFailure[] = [];
  const events = new EventEmitter();
  events.setMaxListeners(100);
  const path = new RegExp(`^/${version.replace('.', '\\.')}/(\\d+)/messages$`);

  const send = (res: ServerResponse, status: number, json: unknown, headers: Record<string, string> = {}): void => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(json));
  };
  const graphError = (code: number, message: string): unknown => ({ error: { message, type: 'OAuthException', code, fbtrace_id: 'fake' } });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const match = path.exec(req.url ?? '');
    if (req.method !== 'POST' || !match?.[1]) return send(res, 404, graphError(100, 'Unknown path'));
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    let body: GraphBody;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as GraphBody;
    } catch {
      return send(res, 400, graphError(100, 'Invalid JSON'));
    }
    const record = (status: number, messageId: string | null = null): void => {
      const call: GraphCall = { phoneNumberId: match[1] as string, body, status, messageId };
      recorded.push(call);
      events.emit('call', call);
    };
    if (req.headers.authorization !== `Bearer ${options.token}`) {
      record(401);
      return send(res, 401, graphError(190, 'Invalid OAuth access token - Cannot parse access token'));
    }
    const failure = failures.shift();
    if (failure) return answerFailure(failure, res, record);
    const problem = body.messaging_product !== 'whatsapp' || !body.to || !body.type ? 'messaging_product, to and type are required' : interactiveProblem(body);
    if (problem) {
      record(400);
      return send(res, 400, graphError(131009, `(#131009) Parameter value is not valid: ${problem}`));
    }
    const messageId = `wamid.${randomBytes(12).toString('base64url')}`;
    record(200, messageId);
    return send(res, 200, { messaging_product: 'whatsapp', contacts: [{ input: body.to, wa_id: body.to }], messages: [{ id: messageId }] });
  }

  function answerFailure(failure: InjectedFailure, res: ServerResponse, record: (status: number) => void): void {
    switch (failure.type) {
      case 'rate_limit': {
        const status = failure.httpStatus ?? 429;
        record(status);
        const headers: Record<string, string> = failure.retryAfterSeconds === undefined ? {} : { 'retry-after': String(failure.retryAfterSeconds) };
        return send(res, status, graphError(failure.code, `(#${failure.code}) Rate limit hit`), headers);
      }
      case 'server_error':
        record(failure.status);
        return send(res, failure.status, graphError(131000, 'Something went wrong'));
      case 'refused':
        record(failure.status);
        return send(res, failure.status, graphError(failure.code, failure.message));
      default: {
        const unreachable: never = failure;
        return unreachable;
      }
    }
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => send(res, 500, graphError(1, 'fake failed')));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    apiRoot: `http://127.0.0.1:${port}/${version}`,
    calls: () => [...recorded],
    waitForCall(predicate, timeoutMs = 10_000) {
      const past = recorded.find(predicate);
      if (past) return Promise.resolve(past);
      return new Promise((resolve, reject) => {
        const onCall = (call: GraphCall): void => {
          if (!predicate(call)) return;
          clearTimeout(timer);
          events.off('call', onCall);
          resolve(call);
        };
        const timer = setTimeout(() => {
          events.off('call', onCall);
          reject(new Error(`fake Graph API: no matching call within ${timeoutMs} ms (${recorded.length} calls so far)`));
        }, timeoutMs);
        events.on('call', onCall);
      });
    },
    failNext: (...more) => void failures.push(...more),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
