import { maskLongNumbers } from '../persistence/message-log.repository';
import type { FilterQuery } from 'mongoose';
import type { ChannelId } from '../domain/messages';
import { maskNationalId } from '../domain/national-id';
import { maskPhone } from '../domain/phone';
import { isRequestStatus, type RequestStatus } from '../domain/support-request';
import type { ConversationRef } from '../engine/ports';
import type { Models, SupportRequestDoc } from '../persistence/models';
import type { FieldCipher } from '../security/field-cipher';
import type { CaseModels, CaseNoteDoc } from './case.models';

/** What the case list can be narrowed by; all equalities but the submission period. */
export interface CaseFilter {
  status?: RequestStatus;
  supportType?: string;
  facility?: string;
  reference?: string;
  /** Submitted at or after. */
  from?: Date | null;
  /** Submitted before. */
  until?: Date | null;
  /** Only these references (an agent's linked cases); absent: any. */
  only?: ReadonlySet<string>;
}

/** A row of the case list: no personal data but the national ID's last four digits. */
export interface CaseSummary {
  reference: string;
  status: RequestStatus;
  supportType: string;
  facility: string;
  relation: string;
  channel: string;
  language: string;
  nationalIdMasked: string;
  submittedAt: Date;
  updatedAt: Date;
}

/** A request as the case detail shows it: decrypted, except the national ID and phone, which are masked. */
export interface CaseRecord extends CaseSummary {
  statusNote: string | null;
  applicantName: string;
  phoneMasked: string;
  inmateName: string | null;
  facilityOther: string | null;
  description: string;
  attestation: { wordingVersion: string; attestedAt: Date; channel: string; messageDigest: string; dataHash: string };
  history: Array<{ status: string; note: string | null; at: Date; by: string }>;
  /** Who submitted it, to read the conversation by; never sent out of the API. */
  applicant: ConversationRef;
}

export interface CaseNote {
  id: string;
  text: string;
  at: Date;
  by: string;
}

export type RevealableField = 'nationalId' | 'phone';

/**
 * Support requests as staff review them (read side of `support_requests`, plus the staff's own
 * notes). The beneficiary side's repository (persistence/request.repository.ts) stays the only
 * writer of requests; status changes go through the follow-up planner, which tells the family.
 */
export class CaseRepository {
  constructor(
    private readonly models: Models,
    private readonly caseModels: CaseModels,
    private readonly cipher: FieldCipher,
  ) {}

  /** Newest first, a page at a time; `hasMore` from one extra row (no count: FerretDB scans for it). */
  async list(filter: CaseFilter, page: number, pageSize: number): Promise<{ cases: CaseSummary[]; hasMore: boolean }> {
    if (filter.only && filter.only.size === 0) return { cases: [], hasMore: false };
    const docs = await this.models.SupportRequest.find(toQuery(filter))
      .sort({ submittedAt: -1, reference: -1 })
      .skip((page - 1) * pageSize)
      .limit(pageSize + 1)
      .lean<SupportRequestDoc[]>();
    return { cases: docs.slice(0, pageSize).map((d) => this.summaryOf(d)), hasMore: docs.length > pageSize };
  }

  async get(reference: string): Promise<CaseRecord | null> {
    const doc = await this.models.SupportRequest.findOne({ reference }).lean<SupportRequestDoc>();
    if (!doc) return null;
    const open = (v: SupportRequestDoc['descriptionSealed']): string => this.cipher.open(v);
    // Free text can hold an ID or a phone typed by the person or by staff: shown masked like the
    // fields themselves; the full values only through reveal, with its reason and audit entry.
    const masked = (v: string | null): string | null => (v === null ? null : maskLongNumbers(v));
    return {
      ...this.summaryOf(doc),
      statusNote: masked(doc.statusNote),
      applicantName: open(doc.applicantNameSealed),
      phoneMasked: maskPhone(open(doc.phoneSealed)),
      inmateName: doc.inmateNameSealed ? open(doc.inmateNameSealed) : null,
      facilityOther: doc.facilityOtherSealed ? masked(open(doc.facilityOtherSealed)) : null,
      description: maskLongNumbers(open(doc.descriptionSealed)),
      attestation: {
        wordingVersion: doc.attestation.wordingVersion,
        attestedAt: doc.attestation.attestedAt,
        channel: doc.attestation.channel,
        messageDigest: doc.attestation.messageId,
        dataHash: doc.attestation.dataHash,
      },
      history: doc.statusHistory.map((h) => ({ status: h.status, note: masked(h.note ?? null), at: h.at, by: h.by })),
      applicant: { channel: doc.applicant.channel as ChannelId, account: doc.applicant.account, sender: open(doc.applicant.senderSealed) },
    };
  }

  /** The current status, or null when there is no such request. */
  async statusOf(reference: string): Promise<RequestStatus | null> {
    const doc = await this.models.SupportRequest.findOne({ reference }, { status: 1 }).lean<Pick<SupportRequestDoc, 'status'>>();
    if (!doc) return null;
    return isRequestStatus(doc.status) ? doc.status : 'submitted';
  }

  /** One field in the clear, or null when there is no such request. */
  async reveal(reference: string, field: RevealableField): Promise<string | null> {
    const doc = await this.models.SupportRequest.findOne({ reference }, { nationalIdSealed: 1, phoneSealed: 1 }).lean<Pick<SupportRequestDoc, 'nationalIdSealed' | 'phoneSealed'>>();
    if (!doc) return null;
    return this.cipher.open(field === 'nationalId' ? doc.nationalIdSealed : doc.phoneSealed);
  }

  async addNote(reference: string, text: string, by: string, at: Date): Promise<CaseNote> {
    const doc = await this.caseModels.CaseNote.create({ reference, textSealed: this.cipher.seal(text), at, by });
    return { id: String(doc._id), text, at, by };
  }

  /** Oldest first; bounded, as every staff read is. */
  async notes(reference: string, limit = 200): Promise<CaseNote[]> {
    const docs = await this.caseModels.CaseNote.find({ reference }).sort({ at: 1, _id: 1 }).limit(limit).lean<CaseNoteDoc[]>();
    return docs.map((d) => ({ id: String(d._id), text: this.cipher.open(d.textSealed), at: d.at, by: d.by }));
  }

  private summaryOf(doc: SupportRequestDoc): CaseSummary {
    return {
      reference: doc.reference,
      status: isRequestStatus(doc.status) ? doc.status : 'submitted',
      supportType: doc.supportType,
      facility: doc.facility,
      relation: doc.relation,
      channel: doc.applicant.channel,
      language: doc.language,
      nationalIdMasked: maskNationalId(this.cipher.open(doc.nationalIdSealed)),
      submittedAt: doc.submittedAt,
      updatedAt: doc.updatedAt,
    };
  }
}

function toQuery(filter: CaseFilter): FilterQuery<SupportRequestDoc> {
  const query: FilterQuery<SupportRequestDoc> = {};
  if (filter.status) query.status = filter.status;
  if (filter.supportType) query.supportType = filter.supportType;
  if (filter.facility) query.facility = filter.facility;
  if (filter.reference) query.reference = filter.reference;
  else if (filter.only) query.reference = { $in: [...filter.only] };
  if (filter.reference && filter.only && !filter.only.has(filter.reference)) query.reference = { $in: [] };
  if (filter.from || filter.until) query.submittedAt = { ...(filter.from ? { $gte: filter.from } : {}), ...(filter.until ? { $lt: filter.until } : {}) };
  return query;
}
