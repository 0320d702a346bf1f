/**
 * Audit actions of case review, spread into AUDIT_ACTIONS (staff.models.ts). Their entries name
 * the request's reference (or the task's id) as `targetId`.
 * - `case-viewed`: a case's detail (names, description, conversation) was shown.
 * - `personal-data-revealed`: a national ID or phone number was shown in the clear; `detail` names
 *   the field, `reason` holds the reason given.
 * - `status-changed`: `detail` is `<from>-><to>`.
 * - `note-added`, `task-done`.
 */
export const CASE_AUDIT_ACTIONS = ['case-viewed', 'personal-data-revealed', 'status-changed', 'note-added', 'task-done'] as const;

/**
 * Error codes of case review, spread into STAFF_ERRORS (staff.errors.ts); never reused.
 */
export const CASE_ERRORS = {
  'case-not-yours': { status: 403, message: 'This case is not linked to you.' },
  'transition-forbidden': { status: 403, message: 'Your roles do not allow this status change.' },
  'transition-not-allowed': { status: 409, message: 'The case cannot move from its status to that one.' },
  'note-required': { status: 400, message: 'This status change needs a note (the reason, or what is missing).' },
  'status-conflict': { status: 409, message: 'The case changed meanwhile; reload it and try again.' },
} as const;
