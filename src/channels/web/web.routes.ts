import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import { z } from 'zod';
import { DEFAULT_LANGUAGE, LANGUAGES, isLanguage, type Language } from '../../domain/language';
import type { Translator } from '../../engine/ports';
import type { Logger } from '../../logging/logger';
import type { WebAssets } from './web.assets';
import { toTranscript, type HistoryReader } from './web.history';
import { directionOf, nativeNames, renderTemplate, webStrings } from './web.i18n';
import { readCookie, SESSION_COOKIE, sessionCookie, type ResolvedSession, type SessionSigner } from './web.session';
import { retryAfterHeader } from '../refusal';
import { addressKey, type WebFloodGuard } from './web.flood';
import type { ChatPeer } from './web.socket';

export interface WebRouteDeps {
  signer: SessionSigner;
  translator: Translator;
  history: HistoryReader;
  account: string;
  secureCookies: boolean;
  /** CSP frame-ancestors of the chat page; `*` lets any site embed it through widget.js. */
  frameAncestors: string;
  assets: WebAssets;
  logger: Logger;
  /** Limits how fast one address mints fresh sessions. */
  flood: WebFloodGuard;
  onSocket: (socket: WebSocket, peer: ChatPeer) => void;
}

/** How many messages (each way) a reload shows. */
const HISTORY_LIMIT = 50;
/** Set by the page when the conversation changes language, so a reload renders in it at once. */
const LANGUAGE_COOKIE = 'basirah_lng';

const PageQuery = z.object({ lng: z.enum(LANGUAGES).optional() });
const I18nQuery = z.object({ lng: z.enum(LANGUAGES) });

/** Only the chat page gets a CSP: it is the one document we serve; the rest is JSON, CSS and JS. */
function pageSecurityPolicy(frameAncestors: string): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self' ws: wss:",
    "base-uri 'none'",
    "form-action 'self'",
    "object-src 'none'",
    `frame-ancestors ${frameAncestors}`,
  ].join('; ');
}

/** The chat page, its files, its JSON API and its WebSocket. */
export async function webRoutes(app: FastifyInstance, deps: WebRouteDeps): Promise<void> {
  app.addHook('onSend', async (_request, reply, payload) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    return payload;
  });

  /**
   * Resolves the visitor's session and (re)sets its cookie, so each visit extends it. A fresh one
   * counts against its address's minting limit; over it, no cookie is set (the page still loads;
   * its socket is then refused by the same limit until the window moves on).
   */
  const issueSession = async (request: FastifyRequest, reply: FastifyReply): Promise<ResolvedSession> => {
    const session = deps.signer.resolve(request.headers.cookie);
    if (session.fresh && !(await deps.flood.newSession(addressKey(request.ip))).ok) return session;
    reply.header('set-cookie', sessionCookie(deps.signer.sign(session.id), deps.secureCookies));
    return session;
  };

  const pages = new Map<Language, string>();
  const renderPage = (lng: Language): string => {
    let html = pages.get(lng);
    if (html === undefined) {
      html = renderTemplate(deps.assets.pageTemplate, webStrings(deps.translator, lng), { lang: lng, dir: directionOf(lng) });
      pages.set(lng, html);
    }
    return html;
  };
  // Fails at startup rather than on the first visit when index.html has an unknown placeholder.
  renderPage(DEFAULT_LANGUAGE);

  app.get('/', async (request, reply) => {
    await issueSession(request, reply);
    const query = PageQuery.safeParse(request.query);
    const fromCookie = readCookie(request.headers.cookie, LANGUAGE_COOKIE);
    const lng = (query.success ? query.data.lng : undefined) ?? (isLanguage(fromCookie) ? fromCookie : DEFAULT_LANGUAGE);
    return reply
      .header('content-security-policy', pageSecurityPolicy(deps.frameAncestors))
      .header('cache-control', 'no-store')
      .type('text/html; charset=utf-8')
      .send(renderPage(lng));
  });

  for (const [path, asset] of deps.assets.files) {
    app.get(path, async (request, reply) => {
      reply.header('etag', asset.etag).header('cache-control', asset.cacheControl);
      if (request.headers['if-none-match'] === asset.etag) return reply.code(304).send();
      return reply.type(asset.contentType).send(asset.body);
    });
  }

  app.get('/api/web/history', async (request, reply) => {
    reply.header('cache-control', 'no-store');
    const session = await issueSession(request, reply);
    if (session.fresh) return { messages: [] };
    try {
      const items = await deps.history({ channel: 'web', account: deps.account, sender: session.id }, HISTORY_LIMIT);
      return { messages: toTranscript(items) };
    } catch (error) {
      deps.logger.error({ err: error }, 'web chat: history unavailable');
      return reply.code(503).send({ error: 'unavailable' });
    }
  });

  app.get('/api/web/i18n', async (request, reply) => {
    const query = I18nQuery.safeParse(request.query);
    if (!query.success) return reply.code(400).send({ error: 'invalid_language', languages: LANGUAGES });
    const { lng } = query.data;
    reply.header('cache-control', 'public, max-age=300');
    return { lng, dir: directionOf(lng), strings: webStrings(deps.translator, lng), languages: nativeNames(deps.translator) };
  });

  /** A socket without a valid cookie mints a session of its own: it counts like a page load that does. */
  const limitFreshSockets = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (deps.signer.verify(readCookie(request.headers.cookie, SESSION_COOKIE)) !== null) return;
    const verdict = await deps.flood.newSession(addressKey(request.ip));
    if (!verdict.ok) await reply.code(429).header('retry-after', retryAfterHeader(verdict)).send({ error: 'too_many_sessions' });
  };

  app.get('/ws', { websocket: true, preValidation: [refuseForeignOrigin, limitFreshSockets] }, (socket, request) => {
    // Without a valid cookie (blocked third-party cookies) the socket still works, in a session of its own.
    deps.onSocket(socket, { sessionId: deps.signer.resolve(request.headers.cookie).id, ip: addressKey(request.ip) });
  });
}

/**
 * Browsers send cookies with WebSocket handshakes from any site, and WebSockets ignore CORS: a page
 * elsewhere could talk in a visitor's session (cross-site WebSocket hijacking) unless the Origin
 * is checked. Clients that send no Origin are not browsers and hold no visitor's cookie.
 */
async function refuseForeignOrigin(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const origin = request.headers.origin;
  if (origin === undefined) return;
  let host: string | null = null;
  try {
    host = new URL(origin).host;
  } catch {
    host = null;
  }
  if (host !== request.host) await reply.code(403).send({ error: 'foreign_origin' });
}
