import type { StaffRole } from './roles';

/**
 * The per-record rule of case review. Researchers, the committee, supervisors and admins work on
 * every request, so they may read every one. An agent handles chats, not cases: they may read a
 * request only while it is linked to a handoff (a chat with staff) that they have claimed or
 * currently hold, and only through that link: the open request of the beneficiary of an open
 * handoff they hold (`handoffCaseLinks` in staff.plugin.ts). Any other case answers 403
 * `case-not-yours` (whether or not the reference exists, so the answer tells nothing about other
 * people's requests).
 */
export const CASE_READERS: readonly StaffRole[] = ['researcher', 'committee', 'supervisor', 'admin'];

/** Every role that may open the case routes at all; agents then pass the per-record rule or not. */
export const CASE_ROUTE_ROLES: readonly StaffRole[] = ['agent', ...CASE_READERS];

/** Revealing a national ID or phone number in the clear (the issue: researcher, committee or admin). */
export const REVEALERS: readonly StaffRole[] = ['researcher', 'committee', 'admin'];

/** The requests linked to handoffs an agent has claimed or holds (a port the handoff inbox fills in). */
export interface CaseLinks {
  referencesOf(staffId: string): Promise<ReadonlySet<string>>;
}

/** Until handoffs link requests to agents. */
export const NO_CASE_LINKS: CaseLinks = { referencesOf: async () => new Set<string>() };

/** Which requests a staff member may read: all, or only some. */
export type CaseScope = { all: true } | { all: false; references: ReadonlySet<string> };

export async function caseScope(staff: { id: string; roles: readonly StaffRole[] }, links: CaseLinks): Promise<CaseScope> {
  if (staff.roles.some((r) => CASE_READERS.includes(r))) return { all: true };
  return { all: false, references: await links.referencesOf(staff.id) };
}

export function inScope(scope: CaseScope, reference: string): boolean {
  return scope.all || scope.references.has(reference);
}
