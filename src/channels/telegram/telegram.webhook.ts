import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '../../logging/logger';
import { isRefusal, retryAfterHeader } from '../refusal';
import type { TelegramUpdateHandler } from './telegram.updates';

export const SECRET_HEADER = 'x-telegram-bot-api-secret-token';

export interface WebhookDeps {
  /** Path part of the webhook URL given to setWebhook. */
  path: string;
  secret: string;
  handler: TelegramUpdateHandler;
  logger: Logger;
}

/**
 * The webhook route. Telegram redelivers an update until it gets a 2xx, so the route answers 200
 * only once the message is stored, and 500 when it could not be. A request without the secret
 * set by setWebhook is refused before its body is read.
 */
export function telegramWebhookPlugin(deps: WebhookDeps): FastifyPluginAsync {
  const expected = digest(deps.secret);
  const checkSecret = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    const given = request.headers[SECRET_HEADER];
    // Digests have equal length, so the comparison takes the same time whatever was sent.
    if (typeof given === 'string' && timingSafeEqual(digest(given), expected)) return undefined;
    // Returning the reply ends the request here, before the body is parsed.
    return reply.code(401).send({ error: 'unauthorized' });
  };
  return async (app) => {
    app.post(deps.path, { onRequest: checkSecret }, async (request, reply) => {
      try {
        const outcome = await deps.handler.handle(request.body);
        // The secret proved it came from Telegram: refusing it would make Telegram redeliver it for
        // ever (one connection, in order), blocking every later update. Acknowledge, store nothing.
        if (outcome === 'invalid') {
          deps.logger.warn({ channel: 'telegram' }, 'unreadable Telegram update acknowledged and dropped');
          return reply.code(200).send({ ok: true, ignored: 'invalid update' });
        }
        // Not stored: any non-2xx makes Telegram deliver it again later (never 200 here).
        if (isRefusal(outcome)) {
          deps.logger.warn({ channel: 'telegram', reason: outcome.reason }, 'telegram update refused; Telegram will redeliver it');
          return reply.code(429).header('retry-after', retryAfterHeader(outcome)).send({ error: 'refused', reason: outcome.reason });
        }
        return reply.code(200).send({ ok: true });
      } catch (error) {
        deps.logger.error({ channel: 'telegram', err: { message: error instanceof Error ? error.message : String(error) } }, 'telegram update not stored; Telegram will redeliver it');
        return reply.code(500).send({ error: 'not stored' });
      }
    });
  };
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
