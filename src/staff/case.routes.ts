import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { HistoryItem } from '../channels/web/web.history';
import type { RequestStatus } from '../domain/support-request';
import { parseTypedReference } from '../domain/support-request';
import { reportPeriod } from '../domain/satisfaction';
import type { Clock, ConversationRef } from '../engine/ports';
import type { FollowUpPlanner } from '../jobs/followup.planner';
import type { ScheduledRepository } from '../persistence/scheduled.repository';
import type { AuditRepository } from './audit.repository';
import { CASE_READERS, CASE_ROUTE_ROLES, REVEALERS, type CaseLinks, type CaseScope } from './case.access';
import { CaseActions, type CaseActor, type CaseOutcome } from './case.actions';
import type { CaseRepository, CaseFilter, RevealableField } from './case.repository';
import { addNoteSchema, caseDetailSchema, changeStatusSchema, listCasesSchema, revealSchema, transitionsSchema } from './case.schemas';
import { sendError } from './staff.errors';
import { staffOf } from './staff.guard';
import type { StaffRepository } from './staff.repository';

/** What case review needs beyond the staff context. */
export interface CaseServices {
  cases: CaseRepository;
  planner: Pick<FollowUpPlanner, 'changeRequestStatus'>;
  scheduled: Pick<ScheduledRepository, 'ofCase'>;
  /** The applicant's conversation, oldest first (the message log's history). */
  conversation(ref: ConversationRef, limit: number): Promise<HistoryItem[]>;
  /** Requests linked to an agent's handoffs (see case.access.ts). */
  links: CaseLinks;
}

export interface CaseRouteDeps extends CaseServices {
  audit: AuditRepository;
  staff: Pick<StaffRepository, 'findById'>;
  clock: Clock;
}

const READ = { access: { roles: CASE_ROUTE_ROLES } };
const REVEAL = { access: { roles: REVEALERS } };
/** Agents have no part in the workflow (domain/case-workflow.ts), so the route does not admit them. */
const CHANGE = { access: { roles: CASE_READERS } };

export interface ListQuery {
  status?: RequestStatus;
  supportType?: string;
  facility?: string;
  from?: string;
  to?: string;
  reference?: string;
  page: number;
  pageSize: number;
}
type ByReference = { Params: { reference: string } };

/** The signed-in staff member as case actions see them. */
export function caseActorOf(request: FastifyRequest): CaseActor {
  const { account } = staffOf(request);
  return { id: account.id, name: account.name, roles: account.roles, ip: request.ip };
}

/** Case review (relative to the /staff prefix). The per-record rule is in case.access.ts. */
export async function caseRoutes(app: FastifyInstance, deps: CaseRouteDeps): Promise<void> {
  const actions = new CaseActions(deps);
  const answer = <T extends object>(reply: FastifyReply, outcome: CaseOutcome<T>, status = 200): FastifyReply | Omit<T, 'ok'> => {
    if (!outcome.ok) return sendError(reply, outcome.error);
    const { ok: _ok, ...body } = outcome;
    return status === 200 ? body : reply.code(status).send(body);
  };

  app.get<{ Querystring: ListQuery }>('/api/cases', { schema: listCasesSchema, config: READ }, async (request, reply) => {
    const { page, pageSize, ...filters } = request.query;
    const filter = caseFilterOf(filters, await actions.scopeOf(caseActorOf(request)), deps.clock.now());
    if (filter === null) return sendError(reply, 'invalid-request');
    return { ...(await deps.cases.list(filter, page, pageSize)), page, pageSize };
  });

  app.get<ByReference>('/api/cases/:reference', { schema: caseDetailSchema, config: READ }, async (request, reply) =>
    answer(reply, await actions.detail(caseActorOf(request), request.params.reference)),
  );

  app.post<ByReference & { Body: { field: RevealableField; reason: string } }>('/api/cases/:reference/reveal', { schema: revealSchema, config: REVEAL }, async (request, reply) =>
    answer(reply, await actions.reveal(caseActorOf(request), request.params.reference, request.body.field, request.body.reason)),
  );

  app.get<ByReference>('/api/cases/:reference/transitions', { schema: transitionsSchema, config: READ }, async (request, reply) =>
    answer(reply, await actions.transitions(caseActorOf(request), request.params.reference)),
  );

  app.post<ByReference & { Body: { status: RequestStatus; note?: string } }>('/api/cases/:reference/status', { schema: changeStatusSchema, config: CHANGE }, async (request, reply) =>
    answer(reply, await actions.changeStatus(caseActorOf(request), request.params.reference, request.body.status, request.body.note)),
  );

  app.post<ByReference & { Body: { text: string } }>('/api/cases/:reference/notes', { schema: addNoteSchema, config: READ }, async (request, reply) =>
    answer(reply, await actions.addNote(caseActorOf(request), request.params.reference, request.body.text), 201),
  );
}

/** The list's filter from its query (dates as Riyadh days, the reference as typed), or null when one cannot be read. */
export function caseFilterOf(q: Omit<ListQuery, 'page' | 'pageSize'>, scope: CaseScope, now: Date): CaseFilter | null {
  const { from, to, reference: typed, ...equalities } = q;
  const period = reportPeriod(from, to);
  const reference = typed === undefined ? undefined : parseTypedReference(typed, now.getUTCFullYear()); // the year references are numbered in (request.repository)
  if ('error' in period || reference === null) return null;
  return { ...equalities, from: period.from, until: period.until, ...(reference ? { reference } : {}), ...(scope.all ? {} : { only: scope.references }) };
}

