import { LANGUAGES } from '../domain/language';
import { HANDOFF_EVENT_TYPES } from '../handoffs/handoff-events';
import { errorBodySchema } from './staff.errors';
import { guardedErrors } from './staff.schemas';

/** JSON schemas of the handoff inbox and canned replies (validated, serialized, published in the OpenAPI document). */
const dateTime = { type: 'string', format: 'date-time' } as const;
const nullableDateTime = { ...dateTime, nullable: true } as const;
const handoffId = { type: 'string', pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' } as const;
const objectId = { type: 'string', pattern: '^[0-9a-f]{24}$' } as const;
const staffRef = { type: 'object', nullable: true, required: ['id', 'name'], properties: { id: { type: 'string' }, name: { type: 'string' } } } as const;
const handoffParams = { type: 'object', required: ['id'], properties: { id: handoffId } } as const;
const conflicts = { 404: errorBodySchema, 409: errorBodySchema, ...guardedErrors } as const;

const listItemProperties = {
  id: { type: 'string' },
  openedAt: dateTime,
  waitingSeconds: { type: 'integer', description: 'since the handoff opened' },
  language: { type: 'string' },
  channel: { type: 'string' },
  reason: { type: 'string', description: 'requested (asked for a person), unclear_procedures, misunderstood, low_satisfaction (asked for a person after rating the service 1 or 2)' },
  claimedBy: staffRef,
  claimedAt: nullableDateTime,
  lastMessageAt: dateTime,
  messageCount: { type: 'integer' },
  request: { type: 'object', nullable: true, required: ['reference', 'status'], properties: { reference: { type: 'string' }, status: { type: 'string' } } },
  resumeStep: { type: 'string', description: 'where return-to-bot resumes, e.g. request.nationalId or idle' },
} as const;
const listItem = { type: 'object', required: Object.keys(listItemProperties), properties: listItemProperties } as const;

const note = { type: 'object', required: ['id', 'at', 'by', 'text'], properties: { id: { type: 'string' }, at: dateTime, by: staffRef, text: { type: 'string' } } } as const;
const transcriptLine = {
  type: 'object',
  required: ['id', 'from', 'at', 'text'],
  properties: {
    id: { type: 'string' },
    from: { type: 'string', enum: ['beneficiary', 'bot', 'staff'] },
    at: dateTime,
    text: { type: 'string', description: 'runs of 7+ digits masked (******1234)' },
    staff: staffRef,
    status: { type: 'string', nullable: true, description: 'outbound: pending (in the outbox, not claimed by a sender yet), sending, sent, failed, unknown' },
    attachment: { type: 'string', nullable: true },
  },
} as const;
const transfer = {
  type: 'object',
  required: ['at', 'action'],
  properties: { at: dateTime, action: { type: 'string', enum: ['claim', 'release', 'transfer', 'timeout'] }, from: staffRef, to: staffRef, by: staffRef },
} as const;

export const listHandoffsSchema = {
  summary: 'Open handoffs, oldest first',
  response: { 200: { type: 'object', required: ['handoffs'], properties: { handoffs: { type: 'array', items: listItem } } }, ...guardedErrors },
} as const;

export const handoffDetailSchema = {
  summary: 'One handoff: its state, internal notes, ownership history and the conversation transcript',
  params: handoffParams,
  response: {
    200: {
      type: 'object',
      required: ['handoff'],
      properties: {
        handoff: {
          type: 'object',
          required: [...Object.keys(listItemProperties), 'status', 'closedAt', 'closeReason', 'notes', 'transfers', 'transcript'],
          properties: {
            ...listItemProperties,
            status: { type: 'string', enum: ['open', 'closed'] },
            closedAt: nullableDateTime,
            closeReason: { type: 'string', nullable: true },
            notes: { type: 'array', items: note },
            transfers: { type: 'array', items: transfer },
            transcript: { type: 'array', items: transcriptLine },
          },
        },
      },
    },
    404: errorBodySchema,
    ...guardedErrors,
  },
} as const;

const noBodyAction = (summary: string) => ({ summary, params: handoffParams, response: { 204: { type: 'null' }, ...conflicts } }) as const;

export const claimSchema = noBodyAction('Take the chat (one staff member at a time); 409 handoff-claimed names who has it');
export const releaseSchema = noBodyAction('Put the chat back in the queue (its holder, or a supervisor/admin)');

export const finishSchema = (summary: string) =>
  ({ summary, params: handoffParams, response: { 200: { type: 'object', required: ['told'], properties: { told: { type: 'boolean', description: 'false when the channel could not be reached now' } } }, ...conflicts } }) as const;

export const replySchema = {
  summary: "Reply as staff, through the beneficiary's own channel; sent as typed, once per clientId",
  params: handoffParams,
  body: {
    type: 'object',
    required: ['text'],
    additionalProperties: false,
    properties: {
      text: { type: 'string', minLength: 1, maxLength: 3500, pattern: '\\S' },
      clientId: { type: 'string', pattern: '^[A-Za-z0-9_-]{8,64}$', description: 'the same id for a retried request: sent once' },
    },
  },
  response: { 202: { type: 'object', required: ['id', 'duplicate'], properties: { id: { type: 'string' }, duplicate: { type: 'boolean' } } }, 400: errorBodySchema, ...conflicts },
} as const;

export const noteSchema = {
  summary: 'Add an internal note (never shown to the beneficiary; sealed at rest)',
  params: handoffParams,
  body: { type: 'object', required: ['text'], additionalProperties: false, properties: { text: { type: 'string', minLength: 1, maxLength: 4000, pattern: '\\S' } } },
  response: { 201: { type: 'object', required: ['id', 'at'], properties: { id: { type: 'string' }, at: dateTime } }, 400: errorBodySchema, 404: errorBodySchema, ...guardedErrors },
} as const;

export const transferSchema = {
  summary: "Hand the chat to a colleague (its holder; a supervisor/admin for anyone's)",
  params: handoffParams,
  body: { type: 'object', required: ['staffId'], additionalProperties: false, properties: { staffId: objectId } },
  response: { 204: { type: 'null' }, 400: errorBodySchema, ...conflicts },
} as const;

export const eventsSchema = {
  summary: `Live inbox events (text/event-stream; each event's data is JSON {type, handoffId, at}; types: ${HANDOFF_EVENT_TYPES.join(', ')}). The stream ends after a while and the browser reconnects, re-checking the session.`,
  response: { 200: { type: 'string', description: 'text/event-stream' }, ...guardedErrors },
} as const;

const cannedBody = {
  type: 'object',
  required: ['language', 'title', 'text'],
  additionalProperties: false,
  properties: { language: { type: 'string', enum: [...LANGUAGES] }, title: { type: 'string', minLength: 1, maxLength: 100 }, text: { type: 'string', minLength: 1, maxLength: 3500 } },
} as const;
const cannedReply = {
  type: 'object',
  required: ['id', 'language', 'title', 'text', 'updatedAt'],
  properties: { id: { type: 'string' }, language: { type: 'string' }, title: { type: 'string' }, text: { type: 'string' }, updatedAt: dateTime },
} as const;
const cannedParams = { type: 'object', required: ['id'], properties: { id: objectId } } as const;

export const listCannedSchema = {
  summary: 'Canned replies, optionally of one language',
  querystring: { type: 'object', additionalProperties: false, properties: { language: { type: 'string', enum: [...LANGUAGES] } } },
  response: { 200: { type: 'object', required: ['cannedReplies'], properties: { cannedReplies: { type: 'array', items: cannedReply } } }, 400: errorBodySchema, ...guardedErrors },
} as const;
export const createCannedSchema = { summary: 'Add a canned reply', body: cannedBody, response: { 201: { type: 'object', required: ['cannedReply'], properties: { cannedReply } }, 400: errorBodySchema, ...guardedErrors } } as const;
export const updateCannedSchema = {
  summary: 'Change a canned reply',
  params: cannedParams,
  body: cannedBody,
  response: { 200: { type: 'object', required: ['cannedReply'], properties: { cannedReply } }, 400: errorBodySchema, 404: errorBodySchema, ...guardedErrors },
} as const;
export const deleteCannedSchema = { summary: 'Delete a canned reply', params: cannedParams, response: { 204: { type: 'null' }, 404: errorBodySchema, ...guardedErrors } } as const;
