import { isDuplicateKeyError } from '../persistence/mongo-errors';
import type { SealedValue } from '../security/field-cipher';
import type { StaffRole } from './roles';
import type { StaffDoc, StaffModels } from './staff.models';

/** A staff account as the rest of the console sees it: never its password hash. */
export interface StaffAccount {
  id: string;
  email: string;
  name: string;
  roles: StaffRole[];
  disabled: boolean;
  createdAt: Date;
  passwordChangedAt: Date;
  lastLoginAt: Date | null;
  failedLogins: number;
  /** Log-in also asks for an authenticator app's code. */
  totpEnabled: boolean;
}

/** An account with its hash and sealed second-factor secret, for the log-in check only. */
export interface StaffCredentials extends StaffAccount {
  passwordHash: string;
  totpSealed: SealedValue | null;
}

export interface NewStaff {
  email: string;
  name: string;
  roles: StaffRole[];
  passwordHash: string;
}

export type CreateResult = { ok: true; account: StaffAccount } | { ok: false; reason: 'email-taken' };

const OBJECT_ID = /^[0-9a-f]{24}$/;

/** Normalizes an e-mail address the way accounts are stored and looked up. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** Staff accounts in MongoDB. Returns plain objects; the hash leaves only through {@link findCredentials}. */
export class StaffRepository {
  constructor(private readonly models: StaffModels) {}

  async create(staff: NewStaff, now: Date): Promise<CreateResult> {
    try {
      const doc = await this.models.Staff.create({
        ...staff,
        email: normalizeEmail(staff.email),
        disabled: false,
        createdAt: now,
        passwordChangedAt: now,
        lastLoginAt: null,
        failedLogins: 0,
      });
      return { ok: true, account: toAccount(doc.toObject()) };
    } catch (error) {
      if (isDuplicateKeyError(error)) return { ok: false, reason: 'email-taken' };
      throw error;
    }
  }

  async findCredentials(email: string): Promise<StaffCredentials | null> {
    const doc = await this.models.Staff.findOne({ email: normalizeEmail(email) }).lean<StaffDoc>();
    return doc ? { ...toAccount(doc), passwordHash: doc.passwordHash, totpSealed: doc.totpSealed ?? null } : null;
  }

  async findByEmail(email: string): Promise<StaffAccount | null> {
    const doc = await this.models.Staff.findOne({ email: normalizeEmail(email) }).lean<StaffDoc>();
    return doc ? toAccount(doc) : null;
  }

  /** The account, or null when the id is malformed or unknown. */
  async findById(id: string): Promise<StaffAccount | null> {
    if (!OBJECT_ID.test(id)) return null;
    const doc = await this.models.Staff.findById(id).lean<StaffDoc>();
    return doc ? toAccount(doc) : null;
  }

  async list(): Promise<StaffAccount[]> {
    const docs = await this.models.Staff.find({}).sort({ email: 1 }).lean<StaffDoc[]>();
    return docs.map(toAccount);
  }

  async countActiveAdmins(): Promise<number> {
    return this.models.Staff.countDocuments({ roles: 'admin', disabled: false });
  }

  /** False when there is no such account. */
  async setDisabled(id: string, disabled: boolean): Promise<boolean> {
    if (!OBJECT_ID.test(id)) return false;
    const result = await this.models.Staff.updateOne({ _id: id }, { $set: { disabled } });
    return result.matchedCount > 0;
  }

  async setPassword(id: string, passwordHash: string, now: Date): Promise<boolean> {
    if (!OBJECT_ID.test(id)) return false;
    const result = await this.models.Staff.updateOne({ _id: id }, { $set: { passwordHash, passwordChangedAt: now, failedLogins: 0 } });
    return result.matchedCount > 0;
  }

  /** A successful log-in; `rehashed` replaces a hash made with older, weaker parameters. */
  async recordLogin(id: string, now: Date, rehashed: string | null): Promise<void> {
    const set: Partial<StaffDoc> = { lastLoginAt: now, failedLogins: 0, ...(rehashed ? { passwordHash: rehashed } : {}) };
    await this.models.Staff.updateOne({ _id: id }, { $set: set });
  }

  /** Sets (or with null removes) the second factor; `usedStep` is the step of the code that confirmed it. */
  async setTotp(id: string, totpSealed: SealedValue | null, usedStep: number | null): Promise<boolean> {
    if (!OBJECT_ID.test(id)) return false;
    const result = await this.models.Staff.updateOne({ _id: id }, { $set: { totpSealed, totpLastStep: usedStep } });
    return result.matchedCount > 0;
  }

  /**
   * Marks a code's time step as used, if it is later than the last one used (one conditional
   * write, so two log-ins racing with the same code cannot both pass). False: already used.
   */
  async useTotpStep(id: string, step: number): Promise<boolean> {
    const result = await this.models.Staff.updateOne({ _id: id, $or: [{ totpLastStep: null }, { totpLastStep: { $lt: step } }] }, { $set: { totpLastStep: step } });
    return result.modifiedCount === 1;
  }

  /**
   * A failed log-in for a name, by name: the same write whether or not an account has that name,
   * so the time a failure takes does not tell them apart.
   */
  async recordFailure(email: string, now: Date): Promise<void> {
    await this.models.Staff.updateOne({ email: normalizeEmail(email) }, { $inc: { failedLogins: 1 }, $set: { lastFailedLoginAt: now } });
  }
}

function toAccount(doc: StaffDoc): StaffAccount {
  return {
    id: String(doc._id),
    email: doc.email,
    name: doc.name,
    roles: [...doc.roles],
    disabled: doc.disabled,
    createdAt: doc.createdAt,
    passwordChangedAt: doc.passwordChangedAt,
    lastLoginAt: doc.lastLoginAt ?? null,
    failedLogins: doc.failedLogins ?? 0,
    totpEnabled: Boolean(doc.totpSealed),
  };
}
