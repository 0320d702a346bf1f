import type { WebSocket } from 'ws';
import type { InboundMessage } from '../../domain/messages';
import type { Logger } from '../../logging/logger';
import type { InboundSink } from '../channel';
import { isRefusal } from '../refusal';
import type { WebFloodGuard } from './web.flood';
import type { WebLiveBus } from './web.live';
import { CLOSE_RESYNC, decodeClientMessage, type ClientMessage, type DecodeOutcome, type ServerMessage } from './web.protocol';

/** Frames of one socket waiting to be handled; a browser has a handful at most. */
const MAX_QUEUED_FRAMES = 25;
/** Proxies drop idle connections after about a minute; a ping keeps them open and finds dead peers. */
const PING_INTERVAL_MS = 25_000;

export interface ChatSocketDeps {
  sink: InboundSink;
  flood: WebFloodGuard;
  live: WebLiveBus;
  logger: Logger;
  account: string;
}

/** Who is on the other end of a socket: the session (cookie) and the client address. */
export interface ChatPeer {
  sessionId: string;
  ip: string;
}

/**
 * Serves one browser connection of a session: forwards live events to it, and turns its frames
 * into inbound messages. Frames are handled one after another, so messages reach the pipeline
 * in the order typed, and `ack` is sent only after the message is stored. Flood limits count the
 * session's messages over all its sockets (and processes), not per socket.
 */
export function serveChatSocket(socket: WebSocket, peer: ChatPeer, deps: ChatSocketDeps): void {
  const { sessionId } = peer;
  const send = (message: ServerMessage): void => {
    if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
  };
  // After a lost subscription the page reconnects, as after any drop: it then reads its history
  // again (a reply published meanwhile reached nobody) and resends what was not acknowledged.
  const subscription = deps.live.subscribe(sessionId, (event) => (event.type === 'resubscribed' ? socket.close(CLOSE_RESYNC, 'resync') : send(event)));
  subscription.then(
    () => send({ type: 'ready' }),
    (error: unknown) => {
      deps.logger.error({ err: error }, 'web chat: live subscription failed');
      socket.close(1011, 'unavailable');
    },
  );
  let queue: Promise<void> = Promise.resolve();
  let waiting = 0;
  socket.on('message', (data, isBinary) => {
    const raw = isBinary ? '' : data.toString();
    // Frames wait in memory for the ones before them: a socket that outruns its queue is refused
    // here, without a Redis round trip per frame.
    if (waiting >= MAX_QUEUED_FRAMES) return send({ type: 'error', code: 'rate_limited', clientId: clientIdOf(decodeClientMessage(raw)) });
    waiting += 1;
    queue = queue
      .then(() => handleFrame(raw))
      .catch((error: unknown) => deps.logger.error({ err: error }, 'web chat: frame handling failed'))
      .finally(() => (waiting -= 1));
  });
  // A peer that did not answer the last ping is gone (phone asleep, network lost): free it.
  let alive = true;
  socket.on('pong', () => (alive = true));
  const ping = setInterval(() => {
    if (!alive) return socket.terminate();
    alive = false;
    socket.ping();
  }, PING_INTERVAL_MS);
  socket.on('close', () => {
    clearInterval(ping);
    subscription.then((unsubscribe) => unsubscribe()).catch(() => undefined);
  });

  async function handleFrame(raw: string): Promise<void> {
    const decoded = decodeClientMessage(raw);
    if (!decoded.ok) return send({ type: 'error', code: decoded.code, clientId: decoded.clientId });
    const { message } = decoded;
    const verdict = await deps.flood.message(sessionId, peer.ip);
    if (!verdict.ok) return send({ type: 'error', code: 'rate_limited', clientId: message.clientId, retryAfterMs: verdict.retryAfterMs });
    // Replies published before the subscription is confirmed would be lost.
    await subscription.catch(() => undefined);
    try {
      const outcome = await deps.sink.accept(toInbound(message, sessionId, deps.account));
      // Not stored: the page keeps the message and offers to send it again.
      if (isRefusal(outcome)) return send({ type: 'error', code: outcome.reason, clientId: message.clientId, retryAfterMs: outcome.retryAfterMs });
      send({ type: 'ack', clientId: message.clientId, duplicate: outcome === 'duplicate' });
    } catch (error) {
      deps.logger.error({ err: error }, 'web chat: could not store an inbound message');
      send({ type: 'error', code: 'unavailable', clientId: message.clientId });
    }
  }
}

/**
 * Codec: a browser frame → our inbound message. The message id is the session and the clientId, so
 * a frame resent after a reconnect is recognised by the pipeline as a duplicate, while a clientId
 * chosen by (or leaked to) another session can never match this session's message. The language button becomes the
 * `language` platform command: the engine then offers its language menu at any step of a flow
 * (a language name typed as text would be taken as an answer on free-text steps).
 */
export function toInbound(message: ClientMessage, sessionId: string, account: string): InboundMessage {
  const base = {
    channel: 'web' as const,
    account,
    sender: sessionId,
    messageId: `${sessionId}:${message.clientId}`,
    receivedAt: new Date(),
    ...(message.lng ? { languageHint: message.lng } : {}),
  };
  switch (message.type) {
    case 'message':
      return { ...base, text: message.text };
    case 'language':
      return { ...base, text: '', command: 'language' };
    default: {
      const unreachable: never = message;
      return unreachable;
    }
  }
}

function clientIdOf(decoded: DecodeOutcome): string | null {
  return decoded.ok ? decoded.message.clientId : decoded.clientId;
}
