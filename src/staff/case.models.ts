import { Schema, type Model, type Types } from 'mongoose';
import { modelsPerConnection, sealed } from '../persistence/models';
import type { SealedValue } from '../security/field-cipher';

/**
 * Collections of case review (issue 10, section 3), kept apart from staff.models.ts (accounts and
 * audit) and from the request itself: notes are staff's, not the beneficiary's record. Same rules
 * as persistence/models.ts (FerretDB 1.x: equality look-ups, no TTL, no transactions).
 */

/** An internal note on a request; the text is sealed (staff write names and numbers in notes). */
export interface CaseNoteDoc {
  _id: Types.ObjectId;
  reference: string;
  textSealed: SealedValue;
  at: Date;
  /** Staff id. */
  by: string;
}

const CaseNoteSchema = new Schema<CaseNoteDoc>(
  {
    reference: { type: String, required: true, index: true },
    textSealed: { type: sealed, required: true },
    at: { type: Date, required: true },
    by: { type: String, required: true },
  },
  { collection: 'staff_case_notes', versionKey: false },
);

/** An unanswered inbound message a supervisor has dealt with: `_id` is the inbound message's id. */
export interface HandledInboundDoc {
  _id: string;
  at: Date;
  by: string;
}

const HandledInboundSchema = new Schema<HandledInboundDoc>(
  { _id: String, at: { type: Date, required: true }, by: { type: String, required: true } },
  { collection: 'staff_inbound_handled', versionKey: false },
);

export interface CaseModels {
  CaseNote: Model<CaseNoteDoc>;
  HandledInbound: Model<HandledInboundDoc>;
}

/** Registers the models once per connection and makes sure their indexes exist. */
export const createCaseModels = modelsPerConnection(
  (connection): CaseModels => ({
    CaseNote: connection.model('StaffCaseNote', CaseNoteSchema),
    HandledInbound: connection.model('StaffHandledInbound', HandledInboundSchema),
  }),
);
