import fastifyWebsocket from '@fastify/websocket';
import type { FastifyPluginAsync } from 'fastify';
import type { WebSocket } from 'ws';
import type { Translator } from '../../engine/ports';
import type { Logger } from '../../logging/logger';
import type { InboundSink } from '../channel';
import type { ChannelModule } from '../module';
import { loadWebAssets } from './web.assets';
import type { HistoryReader } from './web.history';
import type { WebLiveBus } from './web.live';
import { webRoutes } from './web.routes';
import { WebSender } from './web.sender';
import { SessionSigner } from './web.session';
import { serveChatSocket, type ChatPeer } from './web.socket';
import { DEFAULT_FLOOD_LIMITS, InProcessWebFloodGuard, SocketCaps, type WebFloodGuard, type WebFloodLimits } from './web.flood';
import { CLOSE_TOO_MANY_SOCKETS } from './web.protocol';

export interface WebChatDeps {
  sink: InboundSink;
  translator: Translator;
  logger: Logger;
  /** Signs the session cookie (config SESSION_SECRET). */
  sessionSecret: string;
  /** The stored messages of a session, oldest first (MessageLogRepository.history behind conversationId). */
  history: HistoryReader;
  live: WebLiveBus;
  /** The association's account on the web channel; 'site' unless several sites share one bot. */
  account?: string;
  /** Adds `Secure` to the cookie; true whenever the site is served over HTTPS. */
  secureCookies: boolean;
  /**
   * Flood control at the edge. Give every process of a deployment the Redis guard (over its shared
   * Redis) so the limits hold across processes; the default counts in this process only.
   */
  flood?: WebFloodGuard;
  /** Caps on open sockets per session and per IP in this process. */
  socketCaps?: Pick<WebFloodLimits, 'socketsPerSession' | 'socketsPerIp'>;
  /** CSP frame-ancestors of the chat page. Default `*`, so widget.js works on any site; narrow it to the association's sites when known. */
  frameAncestors?: string;
}

export interface WebChatModule extends ChannelModule {
  channel: 'web';
  sender: WebSender;
  httpPlugin: FastifyPluginAsync;
  /** Drops every open chat socket of this process abruptly, as a network loss would (tests, emergency drain). Returns how many. */
  dropConnections(): number;
}

/** Largest WebSocket frame accepted; a message is at most 2000 characters, this leaves room for JSON and UTF-8. */
const MAX_FRAME_BYTES = 64 * 1024;

/**
 * The website chat (channel `web`): a page at `/`, a WebSocket at `/ws`, history and locale routes,
 * the embeddable `/widget.js`, and a sender that publishes replies on the live bus.
 */
export function createWebChatModule(deps: WebChatDeps): WebChatModule {
  const account = deps.account ?? 'site';
  const signer = new SessionSigner(deps.sessionSecret);
  const assets = loadWebAssets(deps.translator);
  const sockets = new Set<WebSocket>();
  const flood = deps.flood ?? new InProcessWebFloodGuard();
  const caps = new SocketCaps(deps.socketCaps ?? DEFAULT_FLOOD_LIMITS);
  const onSocket = (socket: WebSocket, peer: ChatPeer): void => {
    const place = caps.open(peer.sessionId, peer.ip);
    // Closed with a code of its own, so the page says why instead of reconnecting in a loop.
    if (!place.ok) return socket.close(CLOSE_TOO_MANY_SOCKETS, `too_many_sockets_${place.cap}`);
    sockets.add(socket);
    socket.on('close', () => {
      sockets.delete(socket);
      place.release();
    });
    serveChatSocket(socket, peer, { sink: deps.sink, flood, live: deps.live, logger: deps.logger, account });
  };

  const httpPlugin: FastifyPluginAsync = async (app) => {
    await app.register(fastifyWebsocket, { options: { maxPayload: MAX_FRAME_BYTES } });
    await webRoutes(app, {
      signer,
      translator: deps.translator,
      history: deps.history,
      account,
      secureCookies: deps.secureCookies,
      frameAncestors: deps.frameAncestors ?? '*',
      assets,
      logger: deps.logger,
      flood,
      onSocket,
    });
  };

  return {
    channel: 'web',
    sender: new WebSender(deps.live, deps.logger),
    httpPlugin,
    dropConnections() {
      const count = sockets.size;
      for (const socket of sockets) socket.terminate();
      return count;
    },
  };
}
