import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuditRepository } from './audit.repository';
import type { StaffRole } from './roles';
import type { Actor, StaffAccounts } from './staff.accounts';
import type { AuditAction } from './staff.models';
import type { StaffRepository } from './staff.repository';
import { sendError } from './staff.errors';
import { staffOf } from './staff.guard';
import { auditSchema, createStaffSchema, disableStaffSchema, endSessionsSchema, listStaffSchema } from './staff.schemas';

export interface AdminRouteDeps {
  accounts: StaffAccounts;
  staff: StaffRepository;
  audit: AuditRepository;
}

const ADMIN = { access: { roles: ['admin'] as const } };

interface AuditQueryString {
  action?: AuditAction;
  actor?: string;
  from?: string;
  to?: string;
  page: number;
  pageSize: number;
}

/** Staff management and the audit log, for admins (relative to the /staff prefix). */
export async function adminRoutes(app: FastifyInstance, deps: AdminRouteDeps): Promise<void> {
  app.get('/api/staff', { schema: listStaffSchema, config: ADMIN }, async () => ({ staff: await deps.staff.list() }));

  app.post<{ Body: { email: string; name: string; roles: StaffRole[]; password: string } }>(
    '/api/staff',
    { schema: createStaffSchema, config: ADMIN },
    async (request, reply) => {
      const result = await deps.accounts.create(request.body, actorOf(request));
      if (result.ok) return reply.code(201).send({ staff: result.account });
      return result.reason === 'weak-password' ? sendError(reply, 'weak-password', { problems: result.problems }) : sendError(reply, result.reason);
    },
  );

  app.post<{ Params: { id: string } }>('/api/staff/:id/disable', { schema: disableStaffSchema, config: ADMIN }, async (request, reply) => {
    const outcome = await deps.accounts.disable(request.params.id, actorOf(request));
    if (outcome === 'disabled') return reply.code(204).send();
    return sendError(reply, outcome === 'self' ? 'cannot-disable-self' : outcome);
  });

  app.post<{ Params: { id: string } }>('/api/staff/:id/sessions/end', { schema: endSessionsSchema, config: ADMIN }, async (request, reply) => {
    const ended = await deps.accounts.endSessions(request.params.id, actorOf(request));
    return ended === null ? sendError(reply, 'not-found') : { ended };
  });

  app.get<{ Querystring: AuditQueryString }>('/api/audit', { schema: auditSchema, config: ADMIN }, async (request) => {
    const { action, actor, from, to, page, pageSize } = request.query;
    return deps.audit.query({
      page,
      pageSize,
      ...(action ? { action } : {}),
      ...(actor ? { actorId: actor } : {}),
      ...(from ? { from: new Date(from) } : {}),
      ...(to ? { to: new Date(to) } : {}),
    });
  });
}

function actorOf(request: FastifyRequest): Actor {
  return { staffId: staffOf(request).account.id, via: 'api', ip: request.ip };
}
