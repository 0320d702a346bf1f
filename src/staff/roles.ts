/**
 * Staff roles (issue 10, "Accounts and access"). A person may hold several; every API route names
 * the roles it admits and the server checks them on each request.
 */
export const STAFF_ROLES = ['agent', 'researcher', 'committee', 'supervisor', 'admin'] as const;

/** agent: handles chats; researcher: social research on requests; committee: decides; supervisor: follow-ups, reassigning, lifting lock-outs; admin: staff, content, channels. */
export type StaffRole = (typeof STAFF_ROLES)[number];

export function isStaffRole(value: unknown): value is StaffRole {
  return typeof value === 'string' && (STAFF_ROLES as readonly string[]).includes(value);
}

/** The roles of a comma list (`agent,researcher`), deduplicated in canonical order; null when a name is unknown or none is given. */
export function parseRoles(list: string): StaffRole[] | null {
  const names = list.split(',').map((r) => r.trim().toLowerCase()).filter((r) => r !== '');
  if (names.length === 0 || !names.every(isStaffRole)) return null;
  return normalizeRoles(names as StaffRole[]);
}

/** Deduplicated, in the order of {@link STAFF_ROLES}, so stored role lists compare equal. */
export function normalizeRoles(roles: readonly StaffRole[]): StaffRole[] {
  return STAFF_ROLES.filter((r) => roles.includes(r));
}

/** Whether someone holding `held` may use a route open to `allowed`. */
export function holdsAnyRole(held: readonly StaffRole[], allowed: readonly StaffRole[]): boolean {
  return held.some((r) => allowed.includes(r));
}
