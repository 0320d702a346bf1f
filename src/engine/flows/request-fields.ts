import { createHash, randomUUID } from 'node:crypto';
import { maskNationalId } from '../../domain/national-id';
import { maskPhone } from '../../domain/phone';
import type { AttestedData, RequestDraft } from '../../domain/support-request';
import { REQUEST_STEPS, type RequestStep } from '../state';
import type { Turn } from '../turn';

export type FieldStep = Exclude<RequestStep, 'summary' | 'attest'>;

/** Steps that collect a field, in the order of REQUEST_STEPS (the one place that order is written). */
const FIELD_STEPS: readonly FieldStep[] = REQUEST_STEPS.filter((s): s is FieldStep => s !== 'summary' && s !== 'attest');

export function newDraft(now: Date): RequestDraft {
  return { id: randomUUID(), startedAt: now.toISOString() };
}

/** Whether a step applies to this draft (the inmate's name is skipped when the applicant is the inmate). */
export function stepApplies(draft: RequestDraft, step: FieldStep): boolean {
  if (step === 'inmateName') return draft.relation !== 'self';
  if (step === 'facilityOther') return draft.facility === 'other';
  return true;
}

/** The first applicable step still missing its answer, or null when the draft is complete. */
export function firstMissingStep(draft: RequestDraft): FieldStep | null {
  return FIELD_STEPS.find((s) => stepApplies(draft, s) && draft[s] === undefined) ?? null;
}

/** The applicable field step before `step` (for "back"); null at the first step. */
export function previousStep(draft: RequestDraft, step: RequestStep): RequestStep | null {
  if (step === 'attest') return 'summary';
  const index = step === 'summary' ? FIELD_STEPS.length : FIELD_STEPS.indexOf(step);
  for (let i = index - 1; i >= 0; i -= 1) {
    const candidate = FIELD_STEPS[i];
    if (candidate && stepApplies(draft, candidate)) return candidate;
  }
  return null;
}

/** Fields shown in the summary, each editable by its number. */
export const SUMMARY_FIELDS = ['applicantName', 'nationalId', 'phone', 'relation', 'inmateName', 'facility', 'supportType', 'description'] as const;
export type SummaryField = (typeof SUMMARY_FIELDS)[number];

export function summaryFields(draft: RequestDraft): SummaryField[] {
  return SUMMARY_FIELDS.filter((f) => f !== 'inmateName' || draft.relation !== 'self');
}

/** How a field reads in the summary. The ID and phone are masked: the chat may be read by others. */
export function displayValue(turn: Turn, draft: RequestDraft, field: SummaryField): string {
  switch (field) {
    case 'applicantName':
      return draft.applicantName ?? '';
    case 'nationalId':
      return draft.nationalId ? maskNationalId(draft.nationalId) : '';
    case 'phone':
      return draft.phone ? maskPhone(draft.phone) : '';
    case 'relation':
      return draft.relation ? turn.t(`request.relation.${draft.relation}`) : '';
    case 'inmateName':
      return draft.inmateName ?? '';
    case 'facility':
      return draft.facility === 'other' ? (draft.facilityOther ?? '') : draft.facility ? turn.t(`request.facility.${draft.facility}`) : '';
    case 'supportType':
      return draft.supportType ? turn.t(`request.support_type.${draft.supportType}`) : '';
    case 'description':
      return shorten(draft.description ?? '');
    default: {
      const unreachable: never = field;
      return unreachable;
    }
  }
}

/** Characters of the description the summary shows: the whole summary must fit one message (4,096 on Telegram and WhatsApp). */
export const SUMMARY_DESCRIPTION_CHARS = 300;

function shorten(text: string): string {
  return text.length <= SUMMARY_DESCRIPTION_CHARS ? text : `${text.slice(0, SUMMARY_DESCRIPTION_CHARS).trimEnd()}…`;
}

/** The data exactly as attested, or null when something required is missing. */
export function attestedData(draft: RequestDraft): AttestedData | null {
  const { applicantName, nationalId, phone, relation, facility, supportType, description } = draft;
  if (!applicantName || !nationalId || !phone || !relation || !facility || !supportType || !description) return null;
  if (relation !== 'self' && !draft.inmateName) return null;
  if (facility === 'other' && !draft.facilityOther) return null;
  return {
    applicantName,
    nationalId,
    phone,
    relation,
    inmateName: relation === 'self' ? null : (draft.inmateName ?? null),
    facility,
    facilityOther: facility === 'other' ? (draft.facilityOther ?? null) : null,
    supportType,
    description,
  };
}

/** SHA-256 of the attested data with keys in a fixed order, kept as evidence of what was confirmed. */
export function hashAttestedData(data: AttestedData): string {
  const ordered = Object.keys(data)
    .sort()
    .map((k) => [k, data[k as keyof AttestedData]]);
  return createHash('sha256').update(JSON.stringify(ordered)).digest('hex');
}
