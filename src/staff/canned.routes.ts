import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Clock } from '../engine/ports';
import type { AuditRepository } from './audit.repository';
import type { CannedReplyRepository } from './canned-replies.repository';
import { INBOX_ROLES } from './handoff.routes';
import type { AuditAction } from './staff.models';
import { sendError } from './staff.errors';
import { staffOf } from './staff.guard';
import { createCannedSchema, deleteCannedSchema, listCannedSchema, updateCannedSchema } from './handoff.schemas';

const READERS = { access: { roles: INBOX_ROLES } };
/** Content is the admins' (issue 10: "editable by admins"). */
const EDITORS = { access: { roles: ['admin'] as const } };

type CannedBody = { language: string; title: string; text: string };

/** Canned replies per language (relative to the /staff prefix). */
export async function cannedRoutes(app: FastifyInstance, canned: CannedReplyRepository, context: { audit: AuditRepository; clock: Clock }): Promise<void> {
  const audit = (request: FastifyRequest, action: AuditAction, id: string): Promise<void> =>
    context.audit.append({ at: context.clock.now(), action, actorId: staffOf(request).account.id, targetId: id, via: 'api', ip: request.ip });

  app.get<{ Querystring: { language?: string } }>('/api/canned-replies', { schema: listCannedSchema, config: READERS }, async (request) => ({
    cannedReplies: await canned.list(request.query.language),
  }));

  app.post<{ Body: CannedBody }>('/api/canned-replies', { schema: createCannedSchema, config: EDITORS }, async (request, reply) => {
    const created = await canned.add(request.body, staffOf(request).account.id, context.clock.now());
    await audit(request, 'canned-reply-created', created.id);
    return reply.code(201).send({ cannedReply: created });
  });

  app.put<{ Params: { id: string }; Body: CannedBody }>('/api/canned-replies/:id', { schema: updateCannedSchema, config: EDITORS }, async (request, reply) => {
    const updated = await canned.update(request.params.id, request.body, staffOf(request).account.id, context.clock.now());
    if (!updated) return sendError(reply, 'not-found');
    await audit(request, 'canned-reply-updated', updated.id);
    return { cannedReply: updated };
  });

  app.delete<{ Params: { id: string } }>('/api/canned-replies/:id', { schema: deleteCannedSchema, config: EDITORS }, async (request, reply) => {
    if (!(await canned.remove(request.params.id))) return sendError(reply, 'not-found');
    await audit(request, 'canned-reply-deleted', request.params.id);
    return reply.code(204).send();
  });
}
