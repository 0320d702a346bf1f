import { MESSAGE_LIMITS } from '../../domain/messages';
import { validateNationalId } from '../../domain/national-id';
import { maskPhone, parseSaudiMobile } from '../../domain/phone';
import {
  ATTESTATION_WORDING_VERSION,
  FACILITIES,
  RELATIONS,
  SUPPORT_TYPES,
  type Facility,
  type Relation,
  type SupportType,
} from '../../domain/support-request';
import type { RequestStep } from '../state';
import type { Turn } from '../turn';
import { showMainMenu } from './menu';
import { nameErrorKey, namesWayOut, readName, readPlace } from '../plausible';
import { numberAnswer, parseFreeText } from './text-answers';
import {
  attestedData,
  displayValue,
  firstMissingStep,
  hashAttestedData,
  newDraft,
  previousStep,
  summaryFields,
  type FieldStep,
} from './request-fields';

/**
 * The support request (طلب دعم مستفيد), one question at a time, as the policy lays it out:
 * data checked when given, a summary to correct, an attestation, then the research committee.
 */
export async function startRequest(turn: Turn): Promise<void> {
  turn.state.draft = newDraft(turn.now);
  turn.say('request.intro');
  goTo(turn, 'applicantName');
}

/** Continues an existing draft where it stopped. */
export function continueRequest(turn: Turn): void {
  const draft = turn.state.draft;
  if (!draft) return void startRequest(turn);
  goTo(turn, firstMissingStep(draft) ?? 'summary');
}

function goTo(turn: Turn, step: RequestStep): void {
  turn.setMode({ type: 'request', step, returnToSummary: false });
  promptRequest(turn);
}

/** Asks the question of the current step (also used after a language switch). */
export function promptRequest(turn: Turn): void {
  const mode = turn.state.mode;
  const draft = turn.state.draft;
  if (mode.type !== 'request' || !draft) return;
  const step = mode.step;
  switch (step) {
    case 'applicantName':
    case 'inmateName':
    case 'facilityOther':
    case 'description':
      return turn.say(`request.ask.${step}`);
    case 'nationalId':
      return turn.say('request.ask.nationalId');
    case 'phone':
      if (turn.msg.verifiedPhone) {
        return turn.ask('request.ask.phone_offer', [
          turn.choice('phone:use_verified', 'request.phone_use', { phone: maskPhone(turn.msg.verifiedPhone) }),
          turn.choice('phone:other', 'request.phone_other'),
        ]);
      }
      return turn.say('request.ask.phone');
    case 'relation':
      return turn.ask('request.ask.relation', RELATIONS.map((r) => turn.choice(`relation:${r}`, `request.relation.${r}`)));
    case 'facility':
      return turn.ask('request.ask.facility', FACILITIES.map((f) => turn.choice(`facility:${f}`, `request.facility.${f}`)));
    case 'supportType':
      return turn.ask('request.ask.supportType', SUPPORT_TYPES.map((s) => turn.choice(`support:${s}`, `request.support_type.${s}`)));
    case 'summary':
      return showSummary(turn);
    case 'attest':
      return turn.ask('request.attest_text', [
        turn.choice('attest:confirm', 'request.attest_confirm'),
        turn.choice('attest:edit', 'request.attest_edit'),
      ]);
    default: {
      const unreachable: never = step;
      return unreachable;
    }
  }
}

function showSummary(turn: Turn): void {
  const draft = turn.state.draft;
  if (!draft) return;
  const fields = summaryFields(draft);
  const lines = fields.map((f, i) => `${i + 1}. ${turn.t(`request.field.${f}`)}: ${displayValue(turn, draft, f)}`);
  const choices = fields.map((f) => turn.choice(`edit:${f}`, 'request.edit_field', { field: turn.t(`request.field.${f}`) }));
  choices.push(turn.choice('summary:confirm', 'request.summary_confirm'));
  turn.ask('request.summary', choices, { fields: lines.join('\n') });
}

/** Handles an answer in the request flow. `choice` is the value of a picked option, if any. */
export async function onRequestInput(turn: Turn, choice: string | null): Promise<void> {
  const mode = turn.state.mode;
  const draft = turn.state.draft;
  if (mode.type !== 'request' || !draft) return showMainMenu(turn);
  if (mode.step === 'summary') return onSummary(turn, choice);
  if (mode.step === 'attest') return onAttest(turn, choice);
  const accepted = await acceptField(turn, mode.step, choice);
  if (!accepted) return;
  const next = firstMissingStep(draft);
  goTo(turn, next ?? 'summary');
}

/** Validates and stores one answer; on a bad answer re-asks with a clear reason and returns false. */
async function acceptField(turn: Turn, step: FieldStep, choice: string | null): Promise<boolean> {
  const draft = turn.state.draft;
  if (!draft) return false;
  switch (step) {
    case 'applicantName':
    case 'inmateName': {
      const reading = readName(turn.text, turn.ports.translator);
      if (!reading.ok) return reject(turn, nameErrorKey(reading.reason));
      draft[step] = reading.name;
      return true;
    }
    case 'nationalId':
      return acceptNationalId(turn);
    case 'phone':
      return acceptPhone(turn, choice);
    case 'relation': {
      const relation = pickFrom(choice, 'relation:', RELATIONS);
      if (!relation) return reject(turn, 'request.errors.pick_option');
      draft.relation = relation as Relation;
      if (relation === 'self') delete draft.inmateName;
      return true;
    }
    case 'facility': {
      const facility = pickFrom(choice, 'facility:', FACILITIES);
      if (!facility) return reject(turn, 'request.errors.pick_option');
      draft.facility = facility as Facility;
      if (facility !== 'other') delete draft.facilityOther;
      return true;
    }
    case 'facilityOther': {
      const text = readPlace(turn.text, turn.ports.translator, 3, 100);
      if (!text) return reject(turn, 'request.errors.facility_other');
      draft.facilityOther = text;
      return true;
    }
    case 'supportType': {
      const type = pickFrom(choice, 'support:', SUPPORT_TYPES);
      if (!type) return reject(turn, 'request.errors.pick_option');
      draft.supportType = type as SupportType;
      return true;
    }
    case 'description': {
      // As long as the channel lets people write: a mother's whole story is a good description.
      const text = parseFreeText(turn.text, 10, MESSAGE_LIMITS[turn.msg.channel]);
      if (!text) return reject(turn, 'request.errors.description');
      draft.description = text;
      return true;
    }
    default: {
      const unreachable: never = step;
      return unreachable;
    }
  }
}

function pickFrom(choice: string | null, prefix: string, allowed: readonly string[]): string | null {
  if (!choice?.startsWith(prefix)) return null;
  const value = choice.slice(prefix.length);
  return allowed.includes(value) ? value : null;
}

function reject(turn: Turn, errorKey: string): false {
  turn.say(errorKey);
  turn.missed(namesWayOut(errorKey));
  promptRequest(turn);
  return false;
}

async function acceptNationalId(turn: Turn): Promise<boolean> {
  const draft = turn.state.draft;
  if (!draft) return false;
  const result = validateNationalId(numberAnswer(turn.text));
  if (!result.ok) return reject(turn, `request.errors.national_id_${result.reason}`);
  // Only the applicant's own chat hears at once that a request is open. Anyone else learns it at
  // submission, after the whole form and the attestation: otherwise typing a neighbour's iqama
  // number here would reveal, at no cost, that their family applies to a prisoners' charity.
  const open = await turn.ports.requests.findOpenByNationalId(result.value, turn.ref);
  if (open?.sameSender) {
    tellAlreadyOpen(turn, open.reference, true);
    return false;
  }
  draft.nationalId = result.value;
  return true;
}

/** A request with this national ID is already under review: say so; show its reference only to its own applicant. */
function tellAlreadyOpen(turn: Turn, reference: string, sameSender: boolean): void {
  turn.state.draft = null;
  if (sameSender) turn.say('request.duplicate_own', { reference });
  else turn.say('request.duplicate_other');
  showMainMenu(turn, 'menu.anything_else');
}

function acceptPhone(turn: Turn, choice: string | null): boolean {
  const draft = turn.state.draft;
  if (!draft) return false;
  if (choice === 'phone:use_verified' && turn.msg.verifiedPhone) {
    draft.phone = turn.msg.verifiedPhone;
    return true;
  }
  if (choice === 'phone:other') {
    turn.say('request.ask.phone');
    return false;
  }
  const result = parseSaudiMobile(numberAnswer(turn.text));
  if (!result.ok) return reject(turn, `request.errors.phone_${result.reason}`);
  draft.phone = result.e164;
  return true;
}

function onSummary(turn: Turn, choice: string | null): void {
  const draft = turn.state.draft;
  if (!draft) return;
  if (choice === 'summary:confirm' || turn.command === 'yes') return goTo(turn, 'attest');
  if (turn.command === 'no') {
    turn.say('request.summary_which');
    return showSummary(turn);
  }
  if (choice?.startsWith('edit:')) {
    const field = choice.slice('edit:'.length) as FieldStep;
    turn.setMode({ type: 'request', step: field, returnToSummary: true });
    turn.say('request.editing');
    return promptRequest(turn);
  }
  turn.say('request.errors.pick_option');
  turn.missed();
  showSummary(turn);
}

async function onAttest(turn: Turn, choice: string | null): Promise<void> {
  const draft = turn.state.draft;
  if (!draft) return;
  if (choice === 'attest:edit' || turn.command === 'no') return goTo(turn, 'summary');
  // The attestation is evidence: only its own option or an explicit word («أقر», «أؤكد», "I confirm").
  // A casual «اوكي», "ok" or «ji» gets the attestation asked again in plain words.
  if (choice !== 'attest:confirm') {
    turn.say(turn.command === 'yes' ? 'request.errors.attest_plain' : 'request.errors.attest');
    turn.missed();
    return promptRequest(turn);
  }
  const data = attestedData(draft);
  if (!data) return goTo(turn, firstMissingStep(draft) ?? 'summary');
  const outcome = await turn.ports.requests.create(
    {
      applicant: turn.ref,
      data,
      draftId: draft.id,
      language: turn.lang,
      attestation: {
        wordingVersion: ATTESTATION_WORDING_VERSION,
        attestedAt: turn.now,
        channel: turn.msg.channel,
        messageId: turn.msg.messageId,
        dataHash: hashAttestedData(data),
      },
    },
    turn.now,
  );
  if (outcome.type === 'duplicate') return tellAlreadyOpen(turn, outcome.reference, outcome.sameSender);
  turn.state.draft = null;
  turn.say('request.submitted', { reference: outcome.reference });
  showMainMenu(turn, 'menu.anything_else');
}

/** More of the description, sent after it in another message: appended, and the summary shown again. */
export function appendToDescription(turn: Turn, text: string): void {
  const draft = turn.state.draft;
  if (!draft?.description) return;
  draft.description = `${draft.description}\n${text.trim()}`;
  turn.say('request.appended');
  goTo(turn, 'summary');
}

/** "back": the previous question, or out of the flow from the first one (the draft is kept). */
export function requestBack(turn: Turn): void {
  const mode = turn.state.mode;
  const draft = turn.state.draft;
  if (mode.type !== 'request' || !draft) return showMainMenu(turn);
  const previous = previousStep(draft, mode.step);
  if (!previous) return showMainMenu(turn);
  goTo(turn, previous);
}

/** "cancel": the draft is discarded, nothing was sent. */
export function cancelRequest(turn: Turn): void {
  turn.state.draft = null;
  turn.say('request.cancelled');
  showMainMenu(turn, 'menu.anything_else');
}
