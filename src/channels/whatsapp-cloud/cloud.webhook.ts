import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { errorMessage, type Logger } from '../../logging/logger';
import type { InboundSink, Refusal } from '../channel';
import { isRefusal, retryAfterHeader } from '../refusal';
import { decodeCloudWebhook, type CloudDeliveryStatus } from './cloud.codec';
import { isValidSignature, secretsEqual } from './cloud.signature';

export const WEBHOOK_PATH = '/webhooks/whatsapp';

const VerifyQuery = z.object({
  'hub.mode': z.literal('subscribe'),
  'hub.verify_token': z.string().max(1024),
  // Meta's challenge is a number; anything else is not echoed back (no reflected content).
  'hub.challenge': z.string().regex(/^[A-Za-z0-9._-]{1,256}$/),
});

export interface CloudWebhookDeps {
  appSecret: string;
  verifyToken: string;
  sink: InboundSink;
  recordStatus: (externalId: string, status: string, at: Date, error: string | null) => Promise<void>;
  logger: Logger;
}

/**
 * The Cloud API webhook. GET answers Meta's subscription check; POST takes messages and delivery
 * statuses. A POST is answered 200 only once everything in it is stored, so when storage is down
 * WhatsApp keeps redelivering (it retries non-2xx answers), and redeliveries are deduplicated by
 * message id downstream. A POST holding a refused message is answered 429 for the same reason.
 */
export function cloudWebhookPlugin(deps: CloudWebhookDeps): FastifyPluginAsync {
  return async (app) => {
    // The signature covers the exact bytes sent, so this plugin keeps JSON bodies raw. Content-type
    // parsers are encapsulated: other plugins' routes still get fastify's JSON parser.
    app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    // The query carries the verify token: keep fastify's per-request info logs (which include the URL) off.
    app.get(WEBHOOK_PATH, { logLevel: 'warn' }, async (request, reply) => verify(deps, request, reply));
    app.post(WEBHOOK_PATH, async (request, reply) => receive(deps, request, reply));
  };
}

async function verify(deps: CloudWebhookDeps, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const query = VerifyQuery.safeParse(request.query);
  if (!query.success || !secretsEqual(query.data['hub.verify_token'], deps.verifyToken)) {
    deps.logger.warn({ channel: 'whatsapp' }, 'webhook verification refused');
    return reply.code(403).type('text/plain').send('forbidden');
  }
  return reply.code(200).type('text/plain').send(query.data['hub.challenge']);
}

async function receive(deps: CloudWebhookDeps, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const raw = request.body;
  if (!Buffer.isBuffer(raw) || !isValidSignature(raw, request.headers['x-hub-signature-256'], deps.appSecret)) {
    deps.logger.warn({ channel: 'whatsapp' }, 'webhook with a missing or wrong signature refused');
    return reply.code(401).send({ error: 'invalid_signature' });
  }
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch {
    return reply.code(400).send({ error: 'invalid_json' });
  }
  const decoded = decodeCloudWebhook(json);
  if (!decoded.ok) {
    // Zod issues name paths and expected types, never the values sent.
    deps.logger.warn({ channel: 'whatsapp', problem: decoded.error }, 'webhook payload refused');
    return reply.code(400).send({ error: 'invalid_payload' });
  }
  try {
    // In order, one after the other: the arrival order of a conversation's messages is kept.
    for (const message of decoded.messages) {
      const outcome = await deps.sink.accept(message);
      // The whole POST comes again: the messages before this one are then dropped as duplicates,
      // and the ones after it were not offered yet, so their order holds.
      if (isRefusal(outcome)) return refuse(deps, reply, outcome);
    }
    for (const status of decoded.statuses) await record(deps, status);
  } catch (error) {
    deps.logger.error({ channel: 'whatsapp', err: { message: errorMessage(error) } }, 'webhook not stored; WhatsApp will redeliver');
    return reply.code(500).send({ error: 'not_stored' });
  }
  return reply.code(200).send({ status: 'ok' });
}

function refuse(deps: CloudWebhookDeps, reply: FastifyReply, refusal: Refusal): FastifyReply {
  deps.logger.warn({ channel: 'whatsapp', reason: refusal.reason }, 'webhook message refused; WhatsApp will redeliver');
  return reply.code(429).header('retry-after', retryAfterHeader(refusal)).send({ error: 'refused', reason: refusal.reason });
}

function record(deps: CloudWebhookDeps, status: CloudDeliveryStatus): Promise<void> {
  return deps.recordStatus(status.externalId, status.status, status.at, status.error);
}
