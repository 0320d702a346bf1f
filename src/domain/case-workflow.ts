/**
 * Which status of a support request may follow which, and who may make each change (issue 10,
 * "Case review"). The policy's steps: data checked at submission; unclear cases go to the social
 * research officer; the research committee accepts or rejects (in not less than two weeks);
 * registration is completed once the requirements are; the service is provided. Pure: the staff
 * API checks a change here before the follow-up planner makes it and tells the beneficiary.
 */
import type { RequestStatus } from './support-request';

/** The staff roles that take part in the workflow (a subset of the staff roles; agents handle chats, not cases). */
export type WorkflowRole = 'researcher' | 'committee' | 'supervisor' | 'admin';

/**
 * What the note of a change must say: `reason` and `missing` are told to the beneficiary (the
 * rejection's reason, what registration still needs); `internal` is a reason kept for staff
 * (closing a case before it was decided or delivered).
 */
export type NoteRequirement = 'reason' | 'missing' | 'internal';

export interface Transition {
  from: RequestStatus;
  to: RequestStatus;
  roles: readonly WorkflowRole[];
  /** Null: a note is optional (and stays internal). */
  note: NoteRequirement | null;
}

const RESEARCH: readonly WorkflowRole[] = ['researcher'];
const COMMITTEE: readonly WorkflowRole[] = ['committee'];
const CLOSERS: readonly WorkflowRole[] = ['supervisor', 'admin'];

/** Statuses from which a case can still be closed early (withdrawn, unreachable, duplicate): with an internal reason. */
const UNFINISHED: readonly RequestStatus[] = ['submitted', 'social_research', 'committee', 'accepted', 'registration_incomplete'];

/** Every allowed change; anything not listed is refused. */
export const TRANSITIONS: readonly Transition[] = [
  { from: 'submitted', to: 'social_research', roles: RESEARCH, note: null },
  { from: 'social_research', to: 'committee', roles: RESEARCH, note: null },
  // The committee may send a case back for more research instead of deciding it.
  { from: 'committee', to: 'social_research', roles: COMMITTEE, note: null },
  { from: 'committee', to: 'accepted', roles: COMMITTEE, note: null },
  { from: 'committee', to: 'rejected', roles: COMMITTEE, note: 'reason' },
  { from: 'accepted', to: 'registration_incomplete', roles: RESEARCH, note: 'missing' },
  { from: 'accepted', to: 'service_delivered', roles: RESEARCH, note: null },
  { from: 'registration_incomplete', to: 'service_delivered', roles: RESEARCH, note: null },
  { from: 'service_delivered', to: 'closed', roles: CLOSERS, note: null },
  { from: 'rejected', to: 'closed', roles: CLOSERS, note: null },
  ...UNFINISHED.map((from): Transition => ({ from, to: 'closed', roles: CLOSERS, note: 'internal' })),
];

export type TransitionCheck =
  | { ok: true; transition: Transition }
  /** `not-allowed`: no such change in the workflow; `role`: the change exists but not for these roles; `note-required`: it needs a note. */
  | { ok: false; reason: 'not-allowed' | 'role' | 'note-required'; requirement?: NoteRequirement };

/** Whether someone holding `roles` may move a case from `from` to `to` with `note`. */
export function checkTransition(from: RequestStatus, to: RequestStatus, roles: readonly string[], note: string | null): TransitionCheck {
  const transition = TRANSITIONS.find((t) => t.from === from && t.to === to);
  if (!transition) return { ok: false, reason: 'not-allowed' };
  if (!transition.roles.some((r) => roles.includes(r))) return { ok: false, reason: 'role' };
  if (transition.note !== null && (note ?? '').trim() === '') return { ok: false, reason: 'note-required', requirement: transition.note };
  return { ok: true, transition };
}

/** Whether someone holding `roles` may move a case into `to` from any status. */
export function mayMoveInto(to: RequestStatus, roles: readonly string[]): boolean {
  return TRANSITIONS.some((t) => t.to === to && t.roles.some((r) => roles.includes(r)));
}

/** The changes someone holding `roles` may make from `from`, in table order. */
export function transitionsFor(from: RequestStatus, roles: readonly string[]): Transition[] {
  return TRANSITIONS.filter((t) => t.from === from && t.roles.some((r) => roles.includes(r)));
}
