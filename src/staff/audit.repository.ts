import type { FilterQuery } from 'mongoose';
import type { AuditAction, AuditDoc, StaffModels } from './staff.models';

/** One audit entry as written; `at` comes from the caller's clock (UTC). */
export type AuditEvent = Omit<AuditDoc, '_id' | 'emailDigest' | 'detail' | 'reason'> & { emailDigest?: string | null; detail?: string | null; reason?: string | null };

export type AuditEntry = Omit<AuditDoc, '_id' | 'reason'> & { id: string; reason: string | null };

export interface AuditQuery {
  action?: AuditAction;
  actorId?: string;
  from?: Date;
  to?: Date;
  /** 1-based. */
  page: number;
  pageSize: number;
}

export interface AuditPage {
  entries: AuditEntry[];
  page: number;
  pageSize: number;
  hasMore: boolean;
}

/**
 * The staff audit log: append-only. This class deliberately has no update or delete: an entry,
 * once written, is only ever read (a database user without update/delete rights on
 * `staff_audit` would make that hold against the application too).
 */
export class AuditRepository {
  constructor(private readonly models: StaffModels) {}

  async append(event: AuditEvent): Promise<void> {
    await this.models.Audit.create({ emailDigest: null, detail: null, reason: null, ...event });
  }

  /** Newest first. */
  async query(q: AuditQuery): Promise<AuditPage> {
    const filter: FilterQuery<AuditDoc> = {};
    if (q.action) filter.action = q.action;
    if (q.actorId) filter.actorId = q.actorId;
    if (q.from || q.to) filter.at = { ...(q.from ? { $gte: q.from } : {}), ...(q.to ? { $lt: q.to } : {}) };
    const docs = await this.models.Audit.find(filter)
      .sort({ at: -1, _id: -1 })
      .skip((q.page - 1) * q.pageSize)
      .limit(q.pageSize + 1)
      .lean<AuditDoc[]>();
    return { entries: docs.slice(0, q.pageSize).map(toEntry), page: q.page, pageSize: q.pageSize, hasMore: docs.length > q.pageSize };
  }
}

function toEntry(doc: AuditDoc): AuditEntry {
  return {
    id: String(doc._id),
    at: doc.at,
    action: doc.action,
    actorId: doc.actorId ?? null,
    targetId: doc.targetId ?? null,
    via: doc.via,
    ip: doc.ip ?? null,
    emailDigest: doc.emailDigest ?? null,
    detail: doc.detail ?? null,
    reason: doc.reason ?? null,
  };
}
