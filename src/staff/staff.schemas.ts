import { PASSWORD_MAX_LENGTH } from './password';
import { STAFF_ROLES } from './roles';
import { AUDIT_ACTIONS } from './staff.models';
import { errorBodySchema } from './staff.errors';

/**
 * JSON schemas of the staff API: fastify validates requests with them, serializes responses with
 * them (so a field not listed, such as a password hash, can never leave), and @fastify/swagger
 * publishes them in the OpenAPI document (see openapi.ts).
 */
const email = { type: 'string', minLength: 3, maxLength: 254 } as const;
const password = { type: 'string', minLength: 1, maxLength: PASSWORD_MAX_LENGTH * 4 } as const;
const roles = { type: 'array', items: { type: 'string', enum: [...STAFF_ROLES] }, uniqueItems: true } as const;
const objectId = { type: 'string', pattern: '^[0-9a-f]{24}$' } as const;
const dateTime = { type: 'string', format: 'date-time' } as const;

export const staffSummary = {
  type: 'object',
  required: ['id', 'name', 'roles'],
  properties: { id: { type: 'string' }, name: { type: 'string' }, roles },
} as const;

export const accountSchema = {
  type: 'object',
  required: ['id', 'email', 'name', 'roles', 'disabled', 'createdAt', 'lastLoginAt', 'failedLogins'],
  properties: {
    id: { type: 'string' },
    email: { type: 'string' },
    name: { type: 'string' },
    roles,
    disabled: { type: 'boolean' },
    createdAt: dateTime,
    lastLoginAt: { ...dateTime, nullable: true },
    failedLogins: { type: 'integer' },
  },
} as const;

/** Errors every guarded route can answer: 401 without a session, 403 for origin, CSRF or role. */
export const guardedErrors = { 401: errorBodySchema, 403: errorBodySchema } as const;

export const loginSchema = {
  summary: 'Log in; sets the session cookie and returns the CSRF token for later requests',
  body: {
    type: 'object',
    required: ['email', 'password'],
    additionalProperties: false,
    properties: { email, password, totp: { type: 'string', maxLength: 20, description: "The authenticator app's 6-digit code; required for accounts with a second factor" } },
  },
  response: {
    200: { type: 'object', required: ['csrfToken', 'staff'], properties: { csrfToken: { type: 'string' }, staff: staffSummary } },
    400: errorBodySchema,
    401: errorBodySchema,
    403: errorBodySchema,
    429: errorBodySchema,
    503: errorBodySchema,
  },
} as const;

export const logoutSchema = {
  summary: 'Log out: ends this session',
  response: { 204: { type: 'null' }, ...guardedErrors },
} as const;

export const meSchema = {
  summary: 'The signed-in staff member and the CSRF token of this session',
  response: { 200: { type: 'object', required: ['csrfToken', 'staff'], properties: { csrfToken: { type: 'string' }, staff: staffSummary } }, ...guardedErrors },
} as const;

export const listStaffSchema = {
  summary: 'All staff accounts',
  response: { 200: { type: 'object', required: ['staff'], properties: { staff: { type: 'array', items: accountSchema } } }, ...guardedErrors },
} as const;

export const createStaffSchema = {
  summary: 'Create a staff account',
  body: {
    type: 'object',
    required: ['email', 'name', 'roles', 'password'],
    additionalProperties: false,
    properties: { email, name: { type: 'string', minLength: 1, maxLength: 100, pattern: '\\S', description: 'shown to colleagues; not blank' }, roles: { ...roles, minItems: 1 }, password },
  },
  response: { 201: { type: 'object', required: ['staff'], properties: { staff: accountSchema } }, 400: errorBodySchema, 409: errorBodySchema, ...guardedErrors },
} as const;

const idParams = { type: 'object', required: ['id'], properties: { id: objectId } } as const;

export const disableStaffSchema = {
  summary: 'Disable an account and end its sessions',
  params: idParams,
  response: { 204: { type: 'null' }, 404: errorBodySchema, 409: errorBodySchema, ...guardedErrors },
} as const;

export const endSessionsSchema = {
  summary: "End all of an account's sessions",
  params: idParams,
  response: { 200: { type: 'object', required: ['ended'], properties: { ended: { type: 'integer' } } }, 404: errorBodySchema, ...guardedErrors },
} as const;

const auditEntry = {
  type: 'object',
  required: ['id', 'at', 'action', 'actorId', 'targetId', 'via', 'ip', 'detail'],
  properties: {
    id: { type: 'string' },
    at: dateTime,
    action: { type: 'string', enum: [...AUDIT_ACTIONS] },
    actorId: { type: 'string', nullable: true },
    targetId: { type: 'string', nullable: true },
    via: { type: 'string', enum: ['api', 'cli'] },
    ip: { type: 'string', nullable: true },
    emailDigest: { type: 'string', nullable: true },
    detail: { type: 'string', nullable: true },
    reason: { type: 'string', nullable: true },
  },
} as const;

export const auditSchema = {
  summary: 'The audit log, newest first, filtered by action, actor and time (UTC), a page at a time',
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: {
      action: { type: 'string', enum: [...AUDIT_ACTIONS] },
      actor: objectId,
      from: dateTime,
      to: dateTime,
      page: { type: 'integer', minimum: 1, maximum: 10000, default: 1 },
      pageSize: { type: 'integer', minimum: 1, maximum: 100, default: 50 },
    },
  },
  response: {
    200: {
      type: 'object',
      required: ['entries', 'page', 'pageSize', 'hasMore'],
      properties: { entries: { type: 'array', items: auditEntry }, page: { type: 'integer' }, pageSize: { type: 'integer' }, hasMore: { type: 'boolean' } },
    },
    400: errorBodySchema,
    ...guardedErrors,
  },
} as const;

/** The document's own route: no properties listed, so the serializer passes the whole document through as it is. */
export const openApiSchema = {
  summary: 'This OpenAPI document',
  response: { 200: { type: 'object', additionalProperties: true }, ...guardedErrors },
} as const;

const ratingStats = {
  type: 'object',
  required: ['invited', 'rated', 'responseRate', 'average', 'distribution'],
  properties: {
    invited: { type: 'integer' },
    rated: { type: 'integer' },
    responseRate: { type: 'number', nullable: true },
    average: { type: 'number', nullable: true },
    distribution: { type: 'object', required: ['1', '2', '3', '4', '5'], properties: Object.fromEntries(['1', '2', '3', '4', '5'].map((k) => [k, { type: 'integer' }])) },
  },
} as const;
const statsByKey = { type: 'object', additionalProperties: ratingStats } as const;
const riyadhDay = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'a day in Riyadh time, YYYY-MM-DD' } as const;

export const satisfactionSchema = {
  summary: 'Satisfaction survey results: average, distribution and response rate, overall and per channel, support type and month (Riyadh)',
  querystring: { type: 'object', additionalProperties: false, properties: { from: riyadhDay, to: { ...riyadhDay, description: 'inclusive' } } },
  response: {
    200: {
      type: 'object',
      required: ['from', 'to', 'overall', 'byChannel', 'bySupportType', 'byMonth'],
      properties: { from: { type: 'string', nullable: true }, to: { type: 'string', nullable: true }, overall: ratingStats, byChannel: statsByKey, bySupportType: statsByKey, byMonth: statsByKey },
    },
    400: errorBodySchema,
    ...guardedErrors,
  },
} as const;
