import { checkTransition, mayMoveInto, transitionsFor, type Transition } from '../domain/case-workflow';
import type { RequestStatus } from '../domain/support-request';
import type { Clock } from '../engine/ports';
import { maskLongNumbers } from '../persistence/message-log.repository';
import type { AuditRepository } from './audit.repository';
import { caseScope, inScope, type CaseScope } from './case.access';
import type { CaseNote, RevealableField } from './case.repository';
import type { CaseServices } from './case.routes';
import type { AuditAction } from './staff.models';
import type { StaffRepository } from './staff.repository';
import type { StaffRole } from './roles';

/** Who acts, and from where (for the audit log). */
export interface CaseActor {
  id: string;
  name: string;
  roles: readonly StaffRole[];
  ip: string;
}

export type CaseFailure = 'not-found' | 'case-not-yours' | 'invalid-request' | 'transition-forbidden' | 'transition-not-allowed' | 'note-required' | 'status-conflict';
export type CaseOutcome<T> = ({ ok: true } & T) | { ok: false; error: CaseFailure };

/** How many messages of the conversation the detail shows. */
const CONVERSATION_LIMIT = 100;

/**
 * What staff do with a case, shared by the JSON API (case.routes.ts) and the console's pages, so
 * both check the same rules and write the same audit entries. Expected refusals are values.
 */
export class CaseActions {
  constructor(private readonly deps: CaseServices & { audit: AuditRepository; staff: Pick<StaffRepository, 'findById'>; clock: Clock }) {}

  scopeOf(actor: CaseActor): Promise<CaseScope> {
    return caseScope(actor, this.deps.links);
  }

  async mayRead(actor: CaseActor, reference: string): Promise<boolean> {
    return inScope(await this.scopeOf(actor), reference);
  }

  /** The whole case as staff review it (ID and phone masked); audited `case-viewed`. */
  async detail(actor: CaseActor, reference: string) {
    if (!(await this.mayRead(actor, reference))) return fail('case-not-yours');
    const record = await this.deps.cases.get(reference);
    if (!record) return fail('not-found');
    const { applicant, attestation, history, ...fields } = record;
    const [notes, conversation, followUps] = await Promise.all([
      this.deps.cases.notes(reference),
      this.deps.conversation(applicant, CONVERSATION_LIMIT),
      Promise.all([this.deps.scheduled.ofCase(reference), this.deps.scheduled.ofCase(`request-${reference}`)]).then((lists) => lists.flat()),
    ]);
    const names = await staffNames(this.deps.staff, [...history.map((h) => h.by), ...notes.map((n) => n.by)]);
    await this.audit(actor, 'case-viewed', reference);
    return {
      ok: true as const,
      case: fields,
      attestation,
      history: history.map((h) => ({ ...h, byName: names.get(h.by) ?? null })),
      notes: notes.map((n) => ({ ...n, byName: names.get(n.by) ?? null })),
      // Outbound texts are masked too: a reply may quote what the person typed.
      conversation: conversation.filter((m) => m.text.trim() !== '').map((m) => ({ direction: m.direction, at: m.at, text: maskLongNumbers(m.text) })),
      followUps: followUps.map((r) => ({ id: r._id, kind: r.kind, state: r.state, dueAt: r.dueAt, sentAt: r.sentAt, reason: r.reason })),
      transitions: transitionsFor(fields.status, actor.roles).map(transitionView),
    };
  }

  /** A national ID or phone number in the clear, for a reason of 10 characters or more; audited. Callers admit revealers only. */
  async reveal(actor: CaseActor, reference: string, field: RevealableField, reasonGiven: string): Promise<CaseOutcome<{ field: RevealableField; value: string }>> {
    const reason = reasonGiven.trim();
    // Ten visible characters: spaces and invisible ones (zero-width, joiners, marks) do not count (attack review).
    if (reason.replace(/[\s\p{Cf}\p{M}]/gu, '').length < 10 || reason.length > 500) return fail('invalid-request');
    const value = await this.deps.cases.reveal(reference, field);
    if (value === null) return fail('not-found');
    await this.audit(actor, 'personal-data-revealed', reference, { detail: field, reason });
    return { ok: true, field, value };
  }

  async transitions(actor: CaseActor, reference: string): Promise<CaseOutcome<{ status: RequestStatus; transitions: TransitionView[] }>> {
    if (!(await this.mayRead(actor, reference))) return fail('case-not-yours');
    const status = await this.deps.cases.statusOf(reference);
    if (!status) return fail('not-found');
    return { ok: true, status, transitions: transitionsFor(status, actor.roles).map(transitionView) };
  }

  /** Checked against the workflow, then made by the planner, which tells the beneficiary; audited. */
  async changeStatus(actor: CaseActor, reference: string, to: RequestStatus, noteGiven: string | undefined): Promise<CaseOutcome<{ status: RequestStatus; changed: boolean }>> {
    const from = await this.deps.cases.statusOf(reference);
    if (!from) return fail('not-found');
    const note = noteGiven?.trim() || null;
    // Already there (a double tap, or two colleagues at once): nothing to do and nobody to tell, as
    // the API promises, for someone who may move a case into that status at all.
    if (from === to) return mayMoveInto(to, actor.roles) ? { ok: true, status: to, changed: false } : fail('transition-forbidden');
    const check = checkTransition(from, to, actor.roles, note);
    if (!check.ok) return fail(check.reason === 'role' ? 'transition-forbidden' : check.reason === 'note-required' ? 'note-required' : 'transition-not-allowed');
    const outcome = await this.deps.planner.changeRequestStatus(reference, to, note, actor.id, from);
    if (outcome === 'not_found') return fail('not-found');
    if (outcome === 'conflict') return fail('status-conflict');
    if (outcome === 'changed') await this.audit(actor, 'status-changed', reference, { detail: `${from}->${to}` });
    return { ok: true, status: to, changed: outcome === 'changed' };
  }

  /** An internal note (sealed at rest, never sent to the beneficiary); audited. */
  async addNote(actor: CaseActor, reference: string, textGiven: string): Promise<CaseOutcome<{ note: CaseNote & { byName: string } }>> {
    if (!(await this.mayRead(actor, reference))) return fail('case-not-yours');
    const text = textGiven.trim();
    if (text === '' || text.length > 4000) return fail('invalid-request');
    if (!(await this.deps.cases.statusOf(reference))) return fail('not-found');
    const note = await this.deps.cases.addNote(reference, text, actor.id, this.deps.clock.now());
    await this.audit(actor, 'note-added', reference);
    return { ok: true, note: { ...note, byName: actor.name } };
  }

  private audit(actor: CaseActor, action: AuditAction, targetId: string, extra: { detail?: string; reason?: string } = {}): Promise<void> {
    return this.deps.audit.append({ at: this.deps.clock.now(), action, actorId: actor.id, targetId, via: 'api', ip: actor.ip, ...extra });
  }
}

export type TransitionView = { to: RequestStatus; note: Transition['note'] };
export type CaseDetail = Extract<Awaited<ReturnType<CaseActions['detail']>>, { ok: true }>;

function fail(error: CaseFailure): { ok: false; error: CaseFailure } {
  return { ok: false, error };
}

function transitionView(t: Transition): TransitionView {
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
