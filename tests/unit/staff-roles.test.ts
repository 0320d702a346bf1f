import { holdsAnyRole, isStaffRole, normalizeRoles, parseRoles, STAFF_ROLES } from '../../src/staff/roles';

describe('staff roles', () => {
  it('are the five of the issue', () => {
    expect(STAFF_ROLES).toEqual(['agent', 'researcher', 'committee', 'supervisor', 'admin']);
    expect(isStaffRole('committee')).toBe(true);
    expect(isStaffRole('root')).toBe(false);
    expect(isStaffRole(3)).toBe(false);
  });

  it('parses a comma list into canonical order without repeats, refusing unknown or empty lists', () => {
    expect(parseRoles('supervisor, Agent,agent')).toEqual(['agent', 'supervisor']);
    expect(parseRoles('agent,boss')).toBeNull();
    expect(parseRoles(' , ')).toBeNull();
    expect(normalizeRoles(['admin', 'agent', 'admin'])).toEqual(['agent', 'admin']);
  });

  it('lets a person holding several roles in when any of them is allowed', () => {
    expect(holdsAnyRole(['agent', 'researcher'], ['researcher', 'committee'])).toBe(true);
    expect(holdsAnyRole(['agent'], ['admin'])).toBe(false);
    expect(holdsAnyRole([], ['admin'])).toBe(false);
  });
});
