import type { WebSocket } from 'ws';
import type { InboundMessage } from '../../domain/messages';
import type { Logger } from '../../logging/logger';
import type { InboundSink } from '../channel';
import type { WebLiveBus } from './web.live';
import { decodeClientMessage, type ClientMessage, type ServerMessage } from './web.protocol';

/** Per-socket flood guard: this many messages per window, then `rate_limited` until the window moves on. */
const RATE_LIMIT = { messages: 20, windowMs: 10_000 };
/** Proxies drop idle connections after about a minute; a ping keeps them open and finds dead peers. */
const PING_INTERVAL_MS = 25_000;

export interface ChatSocketDeps {
  sink: InboundSink;
  live: WebLiveBus;
  logger: Logger;
  account: string;
}

/**
 * Serves one browser connection of a session: forwards live events to it, and turns its frames
 * into inbound messages. Frames are handled one after another, so messages reach the pipeline
 * in the order typed, and `ack` is sent only after the message is stored.
 */
export function serveChatSocket(socket: WebSocket, sessionId: string, deps: ChatSocketDeps): void {
  const send = (message: ServerMessage): void => {
    if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
  };
  const subscription = deps.live.subscribe(sessionId, send);
  subscription.then(
    () => send({ type: 'ready' }),
    (error: unknown) => {
      deps.logger.error({ err: error }, 'web chat: live subscription failed');
      socket.close(1011, 'unavailable');
    },
  );
  const allow = rateLimiter();
  let queue: Promise<void> = Promise.resolve();
  socket.on('message', (data, isBinary) => {
    const raw = isBinary ? '' : data.toString();
    queue = queue.then(() => handleFrame(raw)).catch((error: unknown) => deps.logger.error({ err: error }, 'web chat: frame handling failed'));
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
    if (!allow()) return send({ type: 'error', code: 'rate_limited', clientId: message.clientId });
    // Replies published before the subscription is confirmed would be lost.
    await subscription.catch(() => undefined);
    try {
      const outcome = await deps.sink.accept(toInbound(message, sessionId, deps.account));
      send({ type: 'ack', clientId: message.clientId, duplicate: outcome === 'duplicate' });
    } catch (error) {
      deps.logger.error({ err: error }, 'web chat: could not store an inbound message');
      send({ type: 'error', code: 'unavailable', clientId: message.clientId });
    }
  }
}

/**
 * Codec: a browser frame → our inbound message. The clientId is the message id, so a frame resent
 * after a reconnect is recognised by the pipeline as a duplicate. The language button becomes the
 * `language` platform command: the engine then offers its language menu at any step of a flow
 * (a language name typed as text would be taken as an answer on free-text steps).
 */
export function toInbound(message: ClientMessage, sessionId: string, account: string): InboundMessage {
  const base = {
    channel: 'web' as const,
    account,
    sender: sessionId,
    messageId: message.clientId,
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

function rateLimiter(): () => boolean {
  let windowStart = Date.now();
  let count = 0;
  return () => {
    const now = Date.now();
    if (now - windowStart >= RATE_LIMIT.windowMs) {
      windowStart = now;
      count = 0;
    }
    count += 1;
    return count <= RATE_LIMIT.messages;
  };
}
