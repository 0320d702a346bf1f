import { Schema, type Model, type Types } from 'mongoose';
import { modelsPerConnection, sealed } from '../persistence/models';
import type { SealedValue } from '../security/field-cipher';
import { CASE_AUDIT_ACTIONS } from './case.audit';
import type { StaffRole } from './roles';

/**
 * The staff console's two collections. Same rules as persistence/models.ts (FerretDB 1.x: unique
 * indexes only, no TTL, no transactions). Staff e-mail addresses are stored in the clear: they are
 * the staff's work log-in names, listed to admins, not beneficiaries' personal data.
 */
export interface StaffDoc {
  _id: Types.ObjectId;
  /** Lower-case, trimmed; unique. */
  email: string;
  name: string;
  roles: StaffRole[];
  /** `$scrypt$…` (see password.ts); never leaves the repository except for verification. */
  passwordHash: string;
  disabled: boolean;
  createdAt: Date;
  passwordChangedAt: Date;
  lastLoginAt: Date | null;
  /** Failed log-ins since the last successful one, for admins to see; the lock-out itself lives in Redis (login-limiter.ts). */
  failedLogins: number;
  lastFailedLoginAt: Date | null;
  /** The authenticator app's shared secret (base32), sealed; null without a second factor (absent on older documents). */
  totpSealed?: SealedValue | null;
  /** The last time step whose code was used: a code is good once. */
  totpLastStep?: number | null;
}

const StaffSchema = new Schema<StaffDoc>(
  {
    email: { type: String, required: true, unique: true, lowercase: true, trim: true },
    name: { type: String, required: true },
    roles: { type: [String], required: true },
    passwordHash: { type: String, required: true },
    disabled: { type: Boolean, required: true, default: false },
    createdAt: { type: Date, required: true },
    passwordChangedAt: { type: Date, required: true },
    lastLoginAt: { type: Date, default: null },
    failedLogins: { type: Number, required: true, default: 0 },
    lastFailedLoginAt: { type: Date, default: null },
    totpSealed: { type: sealed, default: null },
    totpLastStep: { type: Number, default: null },
  },
  { collection: 'staff', versionKey: false },
);

export const AUDIT_ACTIONS = [
  'login',
  'login-failed',
  'logout',
  'sessions-ended',
  'account-created',
  'account-disabled',
  'account-enabled',
  'password-reset',
  'totp-enabled',
  'totp-disabled',
  'handoff-claimed',
  'handoff-released',
  'handoff-transferred',
  'handoff-replied',
  'handoff-note',
  'handoff-returned',
  'handoff-closed',
  'canned-reply-created',
  'canned-reply-updated',
  'canned-reply-deleted',
  ...CASE_AUDIT_ACTIONS,
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export interface AuditDoc {
  _id: Types.ObjectId;
  /** A BSON date: UTC by definition; the API writes it as ISO 8601 with `Z`. */
  at: Date;
  action: AuditAction;
  /** The staff member who acted; null for the command line or an unknown log-in name. */
  actorId: string | null;
  /** The account acted upon, when there is one; for case review, the request's reference or the task's id. */
  targetId: string | null;
  via: 'api' | 'cli';
  /** Client address of API requests. */
  ip: string | null;
  /** For a failed log-in with an unknown name: an HMAC of the name typed, never the name itself. */
  emailDigest: string | null;
  /** Short machine-readable detail (`wrong-password`, `locked`, `disabled`, `all-sessions` …). */
  detail: string | null;
  /** The reason staff gave, where one is asked (revealing personal data). Absent on older entries. */
  reason?: string | null;
}

const AuditSchema = new Schema<AuditDoc>(
  {
    at: { type: Date, required: true, index: true },
    action: { type: String, required: true, index: true },
    actorId: { type: String, default: null, index: true },
    targetId: { type: String, default: null },
    via: { type: String, required: true },
    ip: { type: String, default: null },
    emailDigest: { type: String, default: null },
    detail: { type: String, default: null },
    reason: { type: String, default: null },
  },
  { collection: 'staff_audit', versionKey: false },
);

export interface StaffModels {
  Staff: Model<StaffDoc>;
  Audit: Model<AuditDoc>;
}

/** Registers the staff models on a connection once and makes sure their indexes exist. */
export const createStaffModels = modelsPerConnection((connection): StaffModels => ({ Staff: connection.model('Staff', StaffSchema), Audit: connection.model('StaffAudit', AuditSchema) }));
