import { toAsciiDigits } from './digits';
/** Domain of the beneficiary support request (طلب دعم مستفيد). */

export const RELATIONS = ['self', 'spouse', 'parent', 'child', 'sibling', 'other'] as const;
export type Relation = (typeof RELATIONS)[number];

/** Facilities the association serves; "other" asks for free text. To be confirmed by the association. */
export const FACILITIES = ['dammam_general', 'dammam_reform', 'deportation_center', 'other'] as const;
export type Facility = (typeof FACILITIES)[number];

export const SUPPORT_TYPES = ['financial', 'family_social', 'educational', 'legal_guidance', 'post_release', 'other'] as const;
export type SupportType = (typeof SUPPORT_TYPES)[number];

/** Lifecycle of a request as staff move it; each has a plain-words explanation in locales. */
export const REQUEST_STATUSES = [
  'submitted',
  'social_research',
  'committee',
  'accepted',
  'rejected',
  'registration_incomplete',
  'service_delivered',
  'closed',
] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

/**
 * Statuses after which a new request with the same national ID is allowed; reaching one schedules
 * the satisfaction survey (once per request: a request closed after its service was delivered is
 * not surveyed again). Which status may follow which: domain/case-workflow.ts.
 */
export const CLOSED_STATUSES: ReadonlySet<RequestStatus> = new Set<RequestStatus>(['rejected', 'service_delivered', 'closed']);

/** An unfinished request as it is being collected. */
export interface RequestDraft {
  id: string;
  startedAt: string;
  applicantName?: string;
  nationalId?: string;
  phone?: string;
  relation?: Relation;
  inmateName?: string;
  facility?: Facility;
  facilityOther?: string;
  supportType?: SupportType;
  description?: string;
}

/** The data the applicant attests to, exactly as hashed for the attestation evidence. */
export interface AttestedData {
  applicantName: string;
  nationalId: string;
  phone: string;
  relation: Relation;
  inmateName: string | null;
  facility: Facility;
  facilityOther: string | null;
  supportType: SupportType;
  description: string;
}

/** Evidence that the applicant confirmed the data and their responsibility for it (policy step 4). */
export interface Attestation {
  wordingVersion: string;
  attestedAt: Date;
  channel: string;
  messageId: string;
  dataHash: string;
}

/** Version of the attestation wording in locales (`request.attest_text`); bump it when the wording changes. */
export const ATTESTATION_WORDING_VERSION = 'attest-2026-11-v1';

const REFERENCE = /^BSR-(\d{4})-(\d{5,})$/;

/** `BSR-<year>-<sequence>`, sequence zero-padded to five digits. */
export function formatReference(year: number, sequence: number): string {
  return `BSR-${year}-${String(sequence).padStart(5, '0')}`;
}

/** Accepts what people type ("bsr 2026 17", "BSR-2026-00017", Arabic digits already normalised) and returns the canonical reference. */
export function parseReference(text: string): string | null {
  const compact = text.toUpperCase().replace(/[\s_–—-]+/g, '-').replace(/^-+|-+$/g, '');
  const m = /^BSR-?(\d{4})-?(\d{1,7})$/.exec(compact);
  if (!m || !m[1] || !m[2]) return null;
  const ref = formatReference(Number(m[1]), Number(m[2]));
  return REFERENCE.test(ref) ? ref : null;
}

/**
 * A reference as staff type it into a search box: anything {@link parseReference} reads, in
 * Arabic-Indic or Urdu digits too, or just the year and sequence ("2026-17"), or only the sequence
 * ("17", «١٧»), which means this year's (`year`: the year new references are numbered in).
 */
export function parseTypedReference(text: string, year: number): string | null {
  const ascii = toAsciiDigits(text).trim();
  const full = parseReference(ascii);
  if (full) return full;
  const yearAndSequence = /^(\d{4})\s*[-/\s]\s*(\d{1,7})$/.exec(ascii);
  if (yearAndSequence?.[1] && yearAndSequence[2]) return parseReference(`BSR-${yearAndSequence[1]}-${yearAndSequence[2]}`);
  const sequence = /^\d{1,7}$/.exec(ascii);
  return sequence && Number(ascii) > 0 ? formatReference(year, Number(ascii)) : null;
}

/** A request as the beneficiary side sees it (no personal data). */
export interface RequestSummary {
  reference: string;
  status: RequestStatus;
  statusNote: string | null;
  submittedAt: Date;
}

export function isRequestStatus(value: unknown): value is RequestStatus {
  return typeof value === 'string' && (REQUEST_STATUSES as readonly string[]).includes(value);
}
