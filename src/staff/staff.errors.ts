import type { FastifyReply } from 'fastify';
import { CASE_ERRORS } from './case.audit';

/**
 * The staff API's error codes. A code is never reused for another meaning; the console shows its
 * own translated text for each code (locales/), the English message is for people reading the
 * API directly.
 */
export const STAFF_ERRORS = {
  'invalid-request': { status: 400, message: 'The request is malformed.' },
  'weak-password': { status: 400, message: 'The password does not meet the password policy.' },
  'invalid-email': { status: 400, message: 'That is not an e-mail address.' },
  'invalid-credentials': { status: 401, message: 'The e-mail address or password is wrong.' },
  'not-authenticated': { status: 401, message: 'Log in first; the session is missing or has ended.' },
  'csrf-failed': { status: 403, message: 'The CSRF token is missing or wrong.' },
  'cross-origin': { status: 403, message: 'Requests from another origin are refused.' },
  'forbidden-role': { status: 403, message: 'Your roles do not allow this.' },
  'not-found': { status: 404, message: 'Not found.' },
  'read-only': { status: 405, message: 'This view is read-only.' },
  'email-taken': { status: 409, message: 'An account with that e-mail address exists already.' },
  'cannot-disable-self': { status: 409, message: 'You cannot disable your own account.' },
  'last-admin': { status: 409, message: 'The last active admin cannot be disabled.' },
  'handoff-claimed': { status: 409, message: 'Another staff member holds this chat (see claimedBy).' },
  'handoff-not-yours': { status: 409, message: 'Only the staff member holding this chat, or a supervisor, may do this.' },
  'handoff-closed': { status: 409, message: 'This chat is no longer with staff.' },
  'handoff-conflict': { status: 409, message: 'The chat changed meanwhile. Reload and try again.' },
  'outside-messaging-window': { status: 409, message: "The beneficiary's channel accepts no free text now (WhatsApp's 24-hour window has closed)." },
  'invalid-transfer-target': { status: 400, message: 'That staff member does not exist, is disabled, or does not work the inbox.' },
  'login-locked': { status: 429, message: 'Too many failed log-ins. Try again later.' },
  internal: { status: 500, message: 'Something went wrong on the server.' },
  'server-busy': { status: 503, message: 'The server is busy. Try again in a moment.' },
  ...CASE_ERRORS,
} as const;

export type StaffErrorCode = keyof typeof STAFF_ERRORS;

export interface StaffErrorBody {
  error: StaffErrorCode;
  message: string;
  /** Password policy problems (weak-password only). */
  problems?: string[];
  /** handoff-claimed, handoff-not-yours: who holds the chat (null: nobody). */
  claimedBy?: { id: string; name: string } | null;
  /** outside-messaging-window: the channel's reason. */
  reason?: string;
}

/** Sends the error with its status, stable code and English message. */
export function sendError(reply: FastifyReply, code: StaffErrorCode, extra: { problems?: string[]; status?: number; claimedBy?: StaffErrorBody['claimedBy']; reason?: string } = {}): FastifyReply {
  const { status, message } = STAFF_ERRORS[code];
  const body: StaffErrorBody = {
    error: code,
    message,
    ...(extra.problems ? { problems: extra.problems } : {}),
    ...(extra.claimedBy !== undefined ? { claimedBy: extra.claimedBy } : {}),
    ...(extra.reason ? { reason: extra.reason } : {}),
  };
  return reply.code(extra.status ?? status).send(body);
}

/** JSON schema of every error body, for the OpenAPI document. */
export const errorBodySchema = {
  type: 'object',
  required: ['error', 'message'],
  properties: {
    error: { type: 'string', enum: Object.keys(STAFF_ERRORS) },
    message: { type: 'string' },
    problems: { type: 'array', items: { type: 'string' } },
    claimedBy: { type: 'object', nullable: true, required: ['id', 'name'], properties: { id: { type: 'string' }, name: { type: 'string' } } },
    reason: { type: 'string' },
  },
} as const;
