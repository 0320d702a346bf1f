import { randomUUID } from 'node:crypto';
import type { ChannelId } from '../domain/messages';
import { lastFour } from '../domain/national-id';
import {
  CLOSED_STATUSES,
  formatReference,
  isRequestStatus,
  type RequestStatus,
  type RequestSummary,
} from '../domain/support-request';
import type { ConversationRef, CreateRequestOutcome, NewSupportRequest, OpenRequestMatch, RequestRepository } from '../engine/ports';
import { FieldCipher } from '../security/field-cipher';
import { nextSequence, type Models, type SupportRequestDoc } from './models';
import { externalIdDigest } from './message-log.repository';
import { isDuplicateKeyError } from './mongo-errors';

/** A lock whose request never got written (crash between the two inserts) is taken over after this. */
const ORPHAN_LOCK_MS = 60_000;

/** Support requests in MongoDB. National ID, phone, names and description are sealed. */
export class MongoRequestRepository implements RequestRepository {
  constructor(
    private readonly models: Models,
    private readonly cipher: FieldCipher,
  ) {}

  private senderDigest(ref: ConversationRef): string {
    return this.cipher.digest('sender', `${ref.channel}\u0000${ref.account}\u0000${ref.sender}`);
  }

  async create(input: NewSupportRequest, now: Date): Promise<CreateRequestOutcome> {
    const again = await this.models.SupportRequest.findOne({ draftId: input.draftId }, { reference: 1 }).lean();
    if (again) return { type: 'created', reference: again.reference };
    const idDigest = this.cipher.digest('national-id', input.data.nationalId);
    // A retry of this same submission (the request insert failed after the lock was taken) finishes it.
    const own = await this.models.OpenRequestLock.findOne({ _id: idDigest, draftId: input.draftId }).lean();
    const year = now.getUTCFullYear();
    const reference = own?.reference ?? formatReference(year, await nextSequence(this.models, `BSR-${year}`));
    if (!own) {
      const clash = await this.claimNationalId(idDigest, reference, input.draftId, now);
      if (clash) return { type: 'duplicate', ...(await this.describeOpen(clash, input.applicant)) };
    }
    await this.models.SupportRequest.create(this.toDoc(input, reference, idDigest, now));
    return { type: 'created', reference };
  }

  /** Inserts the open-request lock; returns the reference already holding it, or null when claimed. */
  private async claimNationalId(idDigest: string, reference: string, draftId: string, now: Date): Promise<string | null> {
    for (let attempt = 0; attempt < 2; attempt += 1) {
      try {
        await this.models.OpenRequestLock.create({ _id: idDigest, reference, draftId, createdAt: now });
        return null;
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error;
      }
      const lock = await this.models.OpenRequestLock.findById(idDigest).lean();
      if (!lock) continue;
      const exists = await this.models.SupportRequest.exists({ reference: lock.reference });
      if (exists || now.getTime() - lock.createdAt.getTime() < ORPHAN_LOCK_MS) return lock.reference;
      await this.models.OpenRequestLock.deleteOne({ _id: idDigest, reference: lock.reference });
    }
    throw new Error('could not claim the national ID lock');
  }

  private async describeOpen(reference: string, asker: ConversationRef): Promise<OpenRequestMatch> {
    const doc = await this.models.SupportRequest.findOne({ reference }, { 'applicant.senderDigest': 1 }).lean();
    return { reference, sameSender: doc?.applicant.senderDigest === this.senderDigest(asker) };
  }

  private toDoc(input: NewSupportRequest, reference: string, idDigest: string, now: Date): SupportRequestDoc {
    const { data, applicant } = input;
    const seal = (v: string): ReturnType<FieldCipher['seal']> => this.cipher.seal(v);
    return {
      reference,
      draftId: input.draftId,
      status: 'submitted',
      statusNote: null,
      statusHistory: [{ status: 'submitted', note: null, at: now, by: 'beneficiary' }],
      applicant: { channel: applicant.channel, account: applicant.account, senderDigest: this.senderDigest(applicant), senderSealed: seal(applicant.sender) },
      applicantDigest: this.senderDigest(applicant),
      nationalIdDigest: idDigest,
      nationalIdSealed: seal(data.nationalId),
      phoneDigest: this.cipher.digest('phone', data.phone),
      phoneSealed: seal(data.phone),
      applicantNameSealed: seal(data.applicantName),
      inmateNameSealed: data.inmateName ? seal(data.inmateName) : null,
      relation: data.relation,
      facility: data.facility,
      facilityOtherSealed: data.facilityOther ? seal(data.facilityOther) : null,
      supportType: data.supportType,
      descriptionSealed: seal(data.description),
      language: input.language,
      // The channel message id is evidence, kept as a digest: platform ids can embed phone numbers.
      attestation: { ...input.attestation, messageId: externalIdDigest(this.cipher, input.attestation.channel, input.attestation.messageId) },
      submittedAt: now,
      updatedAt: now,
    };
  }

  async findOpenByNationalId(nationalId: string, asker: ConversationRef): Promise<OpenRequestMatch | null> {
    const lock = await this.models.OpenRequestLock.findById(this.cipher.digest('national-id', nationalId)).lean();
    if (!lock) return null;
    if (!(await this.models.SupportRequest.exists({ reference: lock.reference }))) return null;
    return this.describeOpen(lock.reference, asker);
  }

  async listByApplicant(applicant: ConversationRef): Promise<RequestSummary[]> {
    const docs = await this.models.SupportRequest.find({ applicantDigest: this.senderDigest(applicant) })
      .sort({ submittedAt: -1 })
      .limit(20)
      .lean();
    return docs.map(toSummary);
  }

  async verifyAndGet(reference: string, lastFourDigits: string): Promise<RequestSummary | null> {
    const doc = await this.models.SupportRequest.findOne({ reference }).lean();
    // Decrypt and compare even when nothing matched, so timing does not reveal whether the reference exists.
    const actual = doc ? lastFour(this.cipher.open(doc.nationalIdSealed)) : lastFour(this.cipher.open(this.cipher.seal('0000000000')));
    const matches = FieldCipher.safeEqual(actual, lastFourDigits);
    return doc && matches ? toSummary(doc) : null;
  }

  /**
   * Staff action: moves a request to a new status; closing it frees the national ID for a new
   * request. `changeId` names the history entry (the beneficiary's notification refers to it).
   * With `expected`, only a request still in that status changes (two staff deciding at once:
   * the second finds it moved on and gets null).
   */
  async setStatus(
    reference: string,
    status: RequestStatus,
    note: string | null,
    by: string,
    now: Date,
    changeId: string = randomUUID(),
    expected?: RequestStatus,
  ): Promise<{ changeId: string } | null> {
    const doc = await this.models.SupportRequest.findOneAndUpdate(
      { reference, ...(expected ? { status: expected } : {}) },
      { $set: { status, statusNote: note, updatedAt: now }, $push: { statusHistory: { id: changeId, status, note, at: now, by } } },
      { new: true },
    ).lean();
    if (!doc) return null;
    if (CLOSED_STATUSES.has(status)) await this.models.OpenRequestLock.deleteOne({ _id: doc.nationalIdDigest, reference });
    return { changeId };
  }

  /** The request's routing facts for a follow-up (who to tell, in which language); no personal data leaves sealed. */
  async followUpFacts(reference: string): Promise<RequestFollowUpFacts | null> {
    const doc = await this.models.SupportRequest.findOne({ reference }, { applicant: 1, language: 1, supportType: 1, status: 1, statusNote: 1, statusHistory: 1 }).lean();
    if (!doc) return null;
    return {
      reference,
      applicant: { channel: doc.applicant.channel as ChannelId, account: doc.applicant.account, sender: this.cipher.open(doc.applicant.senderSealed) },
      language: doc.language,
      supportType: doc.supportType,
      status: isRequestStatus(doc.status) ? doc.status : 'submitted',
      statusNote: doc.statusNote,
      history: doc.statusHistory.map((h) => ({ id: h.id ?? null, status: h.status, at: h.at })),
    };
  }
}

/** What follow-ups need to know about a request. */
export interface RequestFollowUpFacts {
  reference: string;
  applicant: ConversationRef;
  language: string;
  supportType: string;
  status: RequestStatus;
  statusNote: string | null;
  history: Array<{ id: string | null; status: string; at: Date }>;
}

function toSummary(doc: SupportRequestDoc): RequestSummary {
  return {
    reference: doc.reference,
    status: isRequestStatus(doc.status) ? doc.status : 'submitted',
    statusNote: doc.statusNote,
    submittedAt: doc.submittedAt,
  };
}
