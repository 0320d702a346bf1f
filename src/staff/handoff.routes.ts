import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Clock } from '../engine/ports';
import type { DeskActor, DeskRefusal, HandoffDesk } from '../handoffs/handoff-desk';
import type { HandoffEvents } from '../handoffs/handoff-events';
import type { HandoffViews } from '../handoffs/handoff-views';
import type { AuditRepository } from './audit.repository';
import { holdsAnyRole, type StaffRole } from './roles';
import type { AuditAction } from './staff.models';
import type { StaffRepository } from './staff.repository';
import { sendError } from './staff.errors';
import { staffOf } from './staff.guard';
import { claimSchema, eventsSchema, finishSchema, handoffDetailSchema, listHandoffsSchema, noteSchema, releaseSchema, replySchema, transferSchema } from './handoff.schemas';

/** Who works the inbox; supervisors and admins may also act on chats others hold (release, transfer, return, close). */
export const INBOX_ROLES: readonly StaffRole[] = ['agent', 'researcher', 'supervisor', 'admin'];
export const OVERRIDE_ROLES: readonly StaffRole[] = ['supervisor', 'admin'];
const INBOX = { access: { roles: INBOX_ROLES } };

export interface HandoffRouteDeps {
  desk: HandoffDesk;
  views: HandoffViews;
  events: HandoffEvents;
  /** How long one event stream lasts before the browser reconnects (and the session is checked again). */
  eventStreamMaxMs?: number;
}

interface Context {
  staff: StaffRepository;
  audit: AuditRepository;
  clock: Clock;
}

type IdRequest = FastifyRequest<{ Params: { id: string } }>;

/** The handoff inbox (relative to the /staff prefix). */
export async function handoffRoutes(app: FastifyInstance, deps: HandoffRouteDeps, context: Context): Promise<void> {
  const names = async (): Promise<(id: string | null) => { id: string; name: string } | null> => {
    const byId = new Map((await context.staff.list()).map((s) => [s.id, s.name]));
    return (id) => (id === null ? null : { id, name: byId.get(id) ?? '(unknown)' });
  };
  const audit = (request: FastifyRequest, action: AuditAction, targetId: string, detail: string | null = null): Promise<void> =>
    context.audit.append({ at: context.clock.now(), action, actorId: staffOf(request).account.id, targetId, via: 'api', ip: request.ip, detail });
  const refuse = async (reply: FastifyReply, refusal: DeskRefusal): Promise<FastifyReply> => {
    if (refusal.refused === 'handoff-claimed' || refusal.refused === 'handoff-not-yours') return sendError(reply, refusal.refused, { claimedBy: (await names())(refusal.claimedBy) });
    if (refusal.refused === 'outside-messaging-window') return sendError(reply, refusal.refused, { reason: refusal.reason });
    return sendError(reply, refusal.refused);
  };

  app.get('/api/handoffs', { schema: listHandoffsSchema, config: INBOX }, async () => {
    const [items, name] = await Promise.all([deps.views.list(context.clock.now()), names()]);
    return { handoffs: items.map((h) => ({ ...h, claimedBy: name(h.claimedBy) })) };
  });

  app.get('/api/handoffs/events', { schema: eventsSchema, config: INBOX }, (request, reply) => streamEvents(request, reply, deps));

  app.get('/api/handoffs/:id', { schema: handoffDetailSchema, config: INBOX }, async (request: IdRequest, reply) => {
    const [detail, name] = await Promise.all([deps.views.detail(request.params.id, context.clock.now()), names()]);
    if (!detail) return sendError(reply, 'not-found');
    return {
      handoff: {
        ...detail,
        claimedBy: name(detail.claimedBy),
        notes: detail.notes.map((n) => ({ ...n, by: name(n.by) })),
        transfers: detail.transfers.map((t) => ({ ...t, from: name(t.from), to: name(t.to), by: name(t.by) })),
        transcript: detail.transcript.map(({ staffId, ...line }) => ({ ...line, staff: name(staffId) })),
      },
    };
  });

  app.post('/api/handoffs/:id/claim', { schema: claimSchema, config: INBOX }, async (request: IdRequest, reply) => {
    const outcome = await deps.desk.claim(request.params.id, actorOf(request));
    if ('refused' in outcome) return refuse(reply, outcome);
    await audit(request, 'handoff-claimed', request.params.id);
    return reply.code(204).send();
  });

  app.post('/api/handoffs/:id/release', { schema: releaseSchema, config: INBOX }, async (request: IdRequest, reply) => {
    const outcome = await deps.desk.release(request.params.id, actorOf(request));
    if ('refused' in outcome) return refuse(reply, outcome);
    await audit(request, 'handoff-released', request.params.id);
    return reply.code(204).send();
  });

  app.post<{ Params: { id: string }; Body: { staffId: string } }>('/api/handoffs/:id/transfer', { schema: transferSchema, config: INBOX }, async (request, reply) => {
    const target = await context.staff.findById(request.body.staffId);
    if (!target || target.disabled || !holdsAnyRole(target.roles, INBOX_ROLES)) return sendError(reply, 'invalid-transfer-target');
    const outcome = await deps.desk.transfer(request.params.id, actorOf(request), target.id);
    if ('refused' in outcome) return refuse(reply, outcome);
    await audit(request, 'handoff-transferred', request.params.id, `to:${target.id}`);
    return reply.code(204).send();
  });

  app.post<{ Params: { id: string }; Body: { text: string; clientId?: string } }>('/api/handoffs/:id/reply', { schema: replySchema, config: INBOX }, async (request, reply) => {
    const outcome = await deps.desk.reply(request.params.id, actorOf(request), request.body.text, request.body.clientId);
    if ('refused' in outcome) return refuse(reply, outcome);
    if (!outcome.duplicate) await audit(request, 'handoff-replied', request.params.id, outcome.outboundId);
    return reply.code(202).send({ id: outcome.outboundId, duplicate: outcome.duplicate });
  });

  app.post<{ Params: { id: string }; Body: { text: string } }>('/api/handoffs/:id/notes', { schema: noteSchema, config: INBOX }, async (request, reply) => {
    const outcome = await deps.desk.note(request.params.id, actorOf(request), request.body.text);
    if ('refused' in outcome) return refuse(reply, outcome);
    await audit(request, 'handoff-note', request.params.id, outcome.noteId);
    return reply.code(201).send({ id: outcome.noteId, at: outcome.at });
  });

  for (const [path, closed, action] of [
    ['return-to-bot', false, 'handoff-returned'],
    ['close', true, 'handoff-closed'],
  ] as const) {
    const summary = closed ? 'Close the chat: the person is told and resumes with the bot; the satisfaction survey is scheduled' : 'Return the chat to the bot: the person is told and resumes where they were';
    app.post(`/api/handoffs/:id/${path}`, { schema: finishSchema(summary), config: INBOX }, async (request: IdRequest, reply) => {
      const outcome = await deps.desk.finish(request.params.id, actorOf(request), closed);
      if ('refused' in outcome) return refuse(reply, outcome);
      await audit(request, action, request.params.id, outcome.told ? null : 'not-told');
      return { told: outcome.told };
    });
  }
}

/** The desk's actor for a signed-in request (the console's pages use it too). */
export function actorOf(request: FastifyRequest): DeskActor {
  const { account } = staffOf(request);
  return { staffId: account.id, overrides: holdsAnyRole(account.roles, OVERRIDE_ROLES) };
}

/**
 * Server-sent events: each inbox event as `event: <type>` with JSON data. The first comment
 * (`: ready`) is written once the subscription is live. The stream ends after
 * `eventStreamMaxMs` (default 10 minutes); EventSource reconnects by itself, and the guard then
 * checks the session again, so a disabled account stops hearing events within that time.
 */
async function streamEvents(request: FastifyRequest, reply: FastifyReply, deps: HandoffRouteDeps): Promise<void> {
  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
  raw.write('retry: 3000\n\n');
  let ended = false;
  const timers: NodeJS.Timeout[] = [];
  let unsubscribe: (() => void) | null = null;
  const end = (): void => {
    if (ended) return;
    ended = true;
    for (const t of timers) clearTimeout(t);
    unsubscribe?.();
    raw.end();
  };
  request.raw.on('close', end);
  try {
    unsubscribe = await deps.events.subscribe((event) => {
      if (!ended) raw.write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
    });
  } catch (error) {
    request.log.warn({ err: { message: error instanceof Error ? error.message : String(error) } }, 'handoff events unavailable');
    return end();
  }
  if (ended) return unsubscribe();
  raw.write(': ready\n\n');
  const heartbeat = setInterval(() => raw.write(': ping\n\n'), 25_000);
  timers.push(heartbeat, setTimeout(end, deps.eventStreamMaxMs ?? 10 * 60_000));
}
