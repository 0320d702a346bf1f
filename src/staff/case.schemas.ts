import { FACILITIES, REQUEST_STATUSES, SUPPORT_TYPES } from '../domain/support-request';
import { errorBodySchema } from './staff.errors';
import { guardedErrors } from './staff.schemas';

/**
 * JSON schemas of case review and the task list (issue 10, section 3). As in staff.schemas.ts,
 * responses are serialized through them, so nothing unlisted (a sealed value, the applicant's
 * channel address) can leave.
 */
const dateTime = { type: 'string', format: 'date-time' } as const;
const status = { type: 'string', enum: [...REQUEST_STATUSES] } as const;
const riyadhDay = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'a day in Riyadh time, YYYY-MM-DD' } as const;
/** Canonical references only in paths (BSR-2026-00017); the list's search accepts what people type. */
const referenceParams = { type: 'object', required: ['reference'], properties: { reference: { type: 'string', pattern: '^BSR-\\d{4}-\\d{5,7}$' } } } as const;
const nullableString = { type: 'string', nullable: true } as const;
const errors = { 400: errorBodySchema, 404: errorBodySchema, ...guardedErrors } as const;

const caseSummary = {
  type: 'object',
  required: ['reference', 'status', 'supportType', 'facility', 'relation', 'channel', 'language', 'nationalIdMasked', 'submittedAt', 'updatedAt'],
  properties: {
    reference: { type: 'string' },
    status,
    supportType: { type: 'string' },
    facility: { type: 'string' },
    relation: { type: 'string' },
    channel: { type: 'string' },
    language: { type: 'string' },
    nationalIdMasked: { type: 'string' },
    submittedAt: dateTime,
    updatedAt: { ...dateTime, description: 'last change of status' },
  },
} as const;

export const listCasesSchema = {
  summary: 'Support requests, newest first, filtered by status, support type, facility, submission day (Riyadh) and reference; national IDs masked',
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: {
      status,
      supportType: { type: 'string', enum: [...SUPPORT_TYPES] },
      facility: { type: 'string', enum: [...FACILITIES] },
      from: riyadhDay,
      to: { ...riyadhDay, description: 'inclusive' },
      reference: { type: 'string', minLength: 1, maxLength: 40, description: 'as people type it: BSR-2026-00017, bsr 2026 17' },
      page: { type: 'integer', minimum: 1, maximum: 1000, default: 1 },
      pageSize: { type: 'integer', minimum: 1, maximum: 50, default: 25 },
    },
  },
  response: {
    200: {
      type: 'object',
      required: ['cases', 'page', 'pageSize', 'hasMore'],
      properties: { cases: { type: 'array', items: caseSummary }, page: { type: 'integer' }, pageSize: { type: 'integer' }, hasMore: { type: 'boolean' } },
    },
    400: errorBodySchema,
    ...guardedErrors,
  },
} as const;

const byStaff = { type: 'object', required: ['by', 'byName'], properties: { by: { type: 'string', description: 'staff id, `beneficiary` or `staff-cli`' }, byName: nullableString } } as const;

const caseNote = {
  type: 'object',
  required: ['id', 'text', 'at', ...byStaff.required],
  properties: { id: { type: 'string' }, text: { type: 'string' }, at: dateTime, ...byStaff.properties },
} as const;

const transition = {
  type: 'object',
  required: ['to', 'note'],
  properties: {
    to: status,
    note: {
      type: 'string',
      nullable: true,
      enum: ['reason', 'missing', 'internal', null],
      description: 'required note: reason (told to the beneficiary), missing (what registration needs; told), internal (kept for staff); null: optional and internal',
    },
  },
} as const;

export const caseDetailSchema = {
  summary: 'One request: its fields (national ID and phone masked), attestation evidence, status history, notes, conversation and scheduled follow-ups; audited as case-viewed',
  params: referenceParams,
  response: {
    200: {
      type: 'object',
      required: ['case', 'attestation', 'history', 'notes', 'conversation', 'followUps', 'transitions'],
      properties: {
        case: {
          type: 'object',
          required: [...caseSummary.required, 'statusNote', 'applicantName', 'phoneMasked', 'inmateName', 'facilityOther', 'description'],
          properties: {
            ...caseSummary.properties,
            statusNote: nullableString,
            applicantName: { type: 'string' },
            phoneMasked: { type: 'string' },
            inmateName: nullableString,
            facilityOther: nullableString,
            description: { type: 'string' },
          },
        },
        attestation: {
          type: 'object',
          required: ['wordingVersion', 'attestedAt', 'channel', 'messageDigest', 'dataHash'],
          properties: {
            wordingVersion: { type: 'string' },
            attestedAt: dateTime,
            channel: { type: 'string' },
            messageDigest: { type: 'string', description: 'HMAC of the confirming message id on its channel' },
            dataHash: { type: 'string', description: 'hash of the data as attested' },
          },
        },
        history: {
          type: 'array',
          items: { type: 'object', required: ['status', 'note', 'at', ...byStaff.required], properties: { status: { type: 'string' }, note: nullableString, at: dateTime, ...byStaff.properties } },
        },
        notes: { type: 'array', items: caseNote },
        conversation: {
          type: 'array',
          description: 'oldest first; long numbers (IDs, phones) masked',
          items: { type: 'object', required: ['direction', 'at', 'text'], properties: { direction: { type: 'string', enum: ['in', 'out'] }, at: dateTime, text: { type: 'string' } } },
        },
        followUps: {
          type: 'array',
          items: {
            type: 'object',
            required: ['id', 'kind', 'state', 'dueAt', 'sentAt', 'reason'],
            properties: { id: { type: 'string' }, kind: { type: 'string' }, state: { type: 'string' }, dueAt: dateTime, sentAt: { ...dateTime, nullable: true }, reason: nullableString },
          },
        },
        transitions: { type: 'array', items: transition, description: 'the status changes the caller may make now' },
      },
    },
    ...errors,
  },
} as const;


export const revealSchema = {
  summary: 'A national ID or phone number in the clear, for a reason; audited as personal-data-revealed',
  params: referenceParams,
  body: {
    type: 'object',
    required: ['field', 'reason'],
    additionalProperties: false,
    properties: { field: { type: 'string', enum: ['nationalId', 'phone'] }, reason: { type: 'string', minLength: 10, maxLength: 500 } },
  },
  response: { 200: { type: 'object', required: ['field', 'value'], properties: { field: { type: 'string' }, value: { type: 'string' } } }, ...errors },
} as const;

export const transitionsSchema = {
  summary: 'The status changes the caller may make to this case now',
  params: referenceParams,
  response: { 200: { type: 'object', required: ['status', 'transitions'], properties: { status, transitions: { type: 'array', items: transition } } }, ...errors },
} as const;

export const changeStatusSchema = {
  summary: 'Move the case to another status (allowed changes only); the beneficiary is told; audited as status-changed',
  params: referenceParams,
  body: {
    type: 'object',
    required: ['status'],
    additionalProperties: false,
    properties: {
      status,
      note: { type: 'string', maxLength: 1000, description: 'for rejected and registration_incomplete it is sent to the beneficiary' },
    },
  },
  response: {
    200: { type: 'object', required: ['status', 'changed'], properties: { status, changed: { type: 'boolean', description: 'false: it already had that status and note; nobody was told' } } },
    409: errorBodySchema,
    ...errors,
  },
} as const;

export const addNoteSchema = {
  summary: 'Add an internal note to the case (sealed at rest; never sent to the beneficiary); audited as note-added',
  params: referenceParams,
  body: { type: 'object', required: ['text'], additionalProperties: false, properties: { text: { type: 'string', minLength: 1, maxLength: 4000 } } },
  response: { 201: { type: 'object', required: ['note'], properties: { note: caseNote } }, ...errors },
} as const;

const task = {
  type: 'object',
  required: ['id', 'kind', 'at', 'reference', 'handoffId', 'channel', 'rating', 'reason', 'staffId'],
  properties: {
    id: { type: 'string' },
    kind: { type: 'string', enum: ['promise_overdue', 'low_satisfaction', 'handoff_silent', 'unanswered_message'] },
    at: { ...dateTime, description: 'when the task arose' },
    reference: { ...nullableString, description: 'the request it is about, to open with GET /cases/{reference}' },
    handoffId: { ...nullableString, description: 'the handoff a low rating was about' },
    channel: nullableString,
    rating: { type: 'integer', nullable: true },
    reason: { ...nullableString, description: 'unanswered_message: superseded (a later message overtook it) or failed (given up after an outage)' },
    staffId: { ...nullableString, description: 'handoff_silent: the member of staff who held the chat and did not answer' },
  },
} as const;

export const listTasksSchema = {
  summary: 'Open tasks, oldest first: two-week promises overdue, low satisfaction ratings, messages the bot did not answer',
  response: { 200: { type: 'object', required: ['tasks'], properties: { tasks: { type: 'array', items: task } } }, ...guardedErrors },
} as const;

export const taskDoneSchema = {
  summary: 'Mark an open task done; audited as task-done',
  params: { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 200 } } },
  response: { 204: { type: 'null' }, 404: errorBodySchema, ...guardedErrors },
} as const;
