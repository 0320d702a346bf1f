import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { checkTransition, transitionsFor, type Transition } from '../domain/case-workflow';
import type { HistoryItem } from '../channels/web/web.history';
import type { RequestStatus } from '../domain/support-request';
import { parseReference } from '../domain/support-request';
import { reportPeriod } from '../domain/satisfaction';
import type { Clock, ConversationRef } from '../engine/ports';
import type { FollowUpPlanner } from '../jobs/followup.planner';
import { maskLongNumbers } from '../persistence/message-log.repository';
import type { ScheduledRepository } from '../persistence/scheduled.repository';
import type { AuditRepository } from './audit.repository';
import { caseScope, CASE_READERS, CASE_ROUTE_ROLES, inScope, REVEALERS, type CaseLinks, type CaseScope } from './case.access';
import type { AuditAction } from './staff.models';
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

/** How many messages of the conversation the detail shows. */
const CONVERSATION_LIMIT = 100;

const READ = { access: { roles: CASE_ROUTE_ROLES } };
const REVEAL = { access: { roles: REVEALERS } };
/** Agents have no part in the workflow (domain/case-workflow.ts), so the route does not admit them. */
const CHANGE = { access: { roles: CASE_READERS } };

interface ListQuery {
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

/** Case review (relative to the /staff prefix). The per-record rule is in case.access.ts. */
export async function caseRoutes(app: FastifyInstance, deps: CaseRouteDeps): Promise<void> {
  const scopeOf = (request: FastifyRequest): Promise<CaseScope> => caseScope(staffOf(request).account, deps.links);
  /** The per-record check of every route with a reference: false (and 403 sent) when the caller may not see it. */
  const mayRead = async (request: FastifyRequest, reference: string, reply: FastifyReply): Promise<boolean> => {
    if (inScope(await scopeOf(request), reference)) return true;
    await sendError(reply, 'case-not-yours');
    return false;
  };
  const audit = (request: FastifyRequest, action: AuditAction, targetId: string, extra: { detail?: string; reason?: string } = {}): Promise<void> =>
    deps.audit.append({ at: deps.clock.now(), action, actorId: staffOf(request).account.id, targetId, via: 'api', ip: request.ip, ...extra });

  app.get<{ Querystring: ListQuery }>('/api/cases', { schema: listCasesSchema, config: READ }, async (request, reply) => {
    const { page, pageSize, from, to, reference: typed, ...equalities } = request.query;
    const period = reportPeriod(from, to);
    const reference = typed === undefined ? undefined : parseReference(typed);
    if ('error' in period || reference === null) return sendError(reply, 'invalid-request');
    const scope = await scopeOf(request);
    const filter: CaseFilter = { ...equalities, from: period.from, until: period.until, ...(reference ? { reference } : {}), ...(scope.all ? {} : { only: scope.references }) };
    return { ...(await deps.cases.list(filter, page, pageSize)), page, pageSize };
  });

  app.get<ByReference>('/api/cases/:reference', { schema: caseDetailSchema, config: READ }, async (request, reply) => {
    if (!(await mayRead(request, request.params.reference, reply))) return reply;
    const { reference } = request.params;
    const record = await deps.cases.get(reference);
    if (!record) return sendError(reply, 'not-found');
    const { applicant, attestation, history, ...fields } = record;
    const [notes, conversation, followUps] = await Promise.all([
      deps.cases.notes(reference),
      deps.conversation(applicant, CONVERSATION_LIMIT),
      Promise.all([deps.scheduled.ofCase(reference), deps.scheduled.ofCase(`request-${reference}`)]).then((lists) => lists.flat()),
    ]);
    const names = await staffNames(deps.staff, [...history.map((h) => h.by), ...notes.map((n) => n.by)]);
    await audit(request, 'case-viewed', reference);
    return {
      case: fields,
      attestation,
      history: history.map((h) => ({ ...h, byName: names.get(h.by) ?? null })),
      notes: notes.map((n) => ({ ...n, byName: names.get(n.by) ?? null })),
      // Outbound texts are masked too: a reply may quote what the person typed.
      conversation: conversation.filter((m) => m.text.trim() !== '').map((m) => ({ direction: m.direction, at: m.at, text: maskLongNumbers(m.text) })),
      followUps: followUps.map((r) => ({ id: r._id, kind: r.kind, state: r.state, dueAt: r.dueAt, sentAt: r.sentAt, reason: r.reason })),
      transitions: transitionsFor(fields.status, staffOf(request).account.roles).map(transitionView),
    };
  });

  app.post<ByReference & { Body: { field: RevealableField; reason: string } }>('/api/cases/:reference/reveal', { schema: revealSchema, config: REVEAL }, async (request, reply) => {
    const reason = request.body.reason.trim();
    // Ten visible characters: spaces and invisible ones (zero-width, joiners, marks) do not count.
    if (reason.replace(/[\s\p{Cf}\p{M}]/gu, '').length < 10) return sendError(reply, 'invalid-request');
    const value = await deps.cases.reveal(request.params.reference, request.body.field);
    if (value === null) return sendError(reply, 'not-found');
    await audit(request, 'personal-data-revealed', request.params.reference, { detail: request.body.field, reason });
    return { field: request.body.field, value };
  });

  app.get<ByReference>('/api/cases/:reference/transitions', { schema: transitionsSchema, config: READ }, async (request, reply) => {
    if (!(await mayRead(request, request.params.reference, reply))) return reply;
    const status = await deps.cases.statusOf(request.params.reference);
    if (!status) return sendError(reply, 'not-found');
    return { status, transitions: transitionsFor(status, staffOf(request).account.roles).map(transitionView) };
  });

  app.post<ByReference & { Body: { status: RequestStatus; note?: string } }>('/api/cases/:reference/status', { schema: changeStatusSchema, config: CHANGE }, async (request, reply) => {
    const { reference } = request.params;
    const from = await deps.cases.statusOf(reference);
    if (!from) return sendError(reply, 'not-found');
    const note = request.body.note?.trim() || null;
    const check = checkTransition(from, request.body.status, staffOf(request).account.roles, note);
    if (!check.ok) return sendError(reply, check.reason === 'role' ? 'transition-forbidden' : check.reason === 'note-required' ? 'note-required' : 'transition-not-allowed');
    const outcome = await deps.planner.changeRequestStatus(reference, request.body.status, note, staffOf(request).account.id, from);
    if (outcome === 'not_found') return sendError(reply, 'not-found');
    if (outcome === 'conflict') return sendError(reply, 'status-conflict');
    if (outcome === 'changed') await audit(request, 'status-changed', reference, { detail: `${from}->${request.body.status}` });
    return { status: request.body.status, changed: outcome === 'changed' };
  });

  app.post<ByReference & { Body: { text: string } }>('/api/cases/:reference/notes', { schema: addNoteSchema, config: READ }, async (request, reply) => {
    if (!(await mayRead(request, request.params.reference, reply))) return reply;
    const text = request.body.text.trim();
    if (text === '') return sendError(reply, 'invalid-request');
    const { reference } = request.params;
    if (!(await deps.cases.statusOf(reference))) return sendError(reply, 'not-found');
    const by = staffOf(request).account;
    const note = await deps.cases.addNote(reference, text, by.id, deps.clock.now());
    await audit(request, 'note-added', reference);
    return reply.code(201).send({ note: { ...note, byName: by.name } });
  });
}

function transitionView(t: Transition): { to: RequestStatus; note: Transition['note'] } {
  return { to: t.to, note: t.note };
}

/** Names of the staff ids among `ids` (others, such as `beneficiary`, are left out). */
async function staffNames(staff: Pick<StaffRepository, 'findById'>, ids: readonly string[]): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  for (const id of new Set(ids)) {
    if (!/^[0-9a-f]{24}$/.test(id)) continue;
    const account = await staff.findById(id);
    if (account) names.set(id, account.name);
  }
  return names;
}
