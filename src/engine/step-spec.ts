import { validateNationalId } from '../domain/national-id';
import { parseSaudiMobile } from '../domain/phone';
import { findReference } from './reference';
import type { Mode, RequestStep } from './state';
import { numberAnswer, parseLastFour } from './flows/text-answers';

/**
 * What a step takes as its answer. The engine reads every message against this before the step
 * sees it (see digression.ts), so no flow needs its own special cases for questions, greetings
 * or requests for a person.
 *
 * - `options`: one of the offered choices (by number, label or a synonym in locales).
 * - `name`: a person's name. Never a question, a greeting or an intent phrase.
 * - `text`: free text (a description, a complaint, a city). May be long, up to the channel's limit,
 *   and may itself state a need, so only a clear question or a short social phrase is taken as
 *   something else.
 * - `value`: a validated value (ID, phone, reference, last four digits). When it parses, it is
 *   the answer whatever else the message could mean.
 */
export type StepAccepts =
  | { kind: 'options' }
  | { kind: 'name' }
  | { kind: 'text' }
  | { kind: 'value'; parses: (text: string) => boolean };

const OPTIONS: StepAccepts = { kind: 'options' };
const NAME: StepAccepts = { kind: 'name' };
const TEXT: StepAccepts = { kind: 'text' };
const value = (parses: (text: string) => boolean): StepAccepts => ({ kind: 'value', parses });

const nationalId = value((t) => validateNationalId(numberAnswer(t)).ok);
const phone = value((t) => parseSaudiMobile(numberAnswer(t)).ok);
const reference = value((t) => findReference(t) !== null);
const lastFour = value((t) => parseLastFour(t) !== null);

/** The step's declaration, or null when no step is open (idle, a handoff, a did-you-mean offer). */
export function stepAccepts(mode: Mode): StepAccepts | null {
  switch (mode.type) {
    case 'request':
      return requestAccepts(mode.step);
    case 'status':
      return mode.step === 'reference' ? reference : lastFour;
    case 'volunteer': {
      const step = mode.step;
      if (step === 'name') return NAME;
      if (step === 'city') return TEXT;
      return step === 'phone' ? phone : OPTIONS;
    }
    case 'complaint':
      return mode.step === 'kind' ? OPTIONS : TEXT;
    case 'resume_offer':
    case 'choose_language':
      return OPTIONS;
    case 'idle':
    case 'handoff':
    case 'disambiguate':
      return null;
    default: {
      const unreachable: never = mode;
      return unreachable;
    }
  }
}

function requestAccepts(step: RequestStep): StepAccepts {
  switch (step) {
    case 'applicantName':
    case 'inmateName':
      return NAME;
    case 'facilityOther':
    case 'description':
      return TEXT;
    case 'nationalId':
      return nationalId;
    case 'phone':
      return phone;
    case 'relation':
    case 'facility':
    case 'supportType':
    case 'summary':
    case 'attest':
      return OPTIONS;
    default: {
      const unreachable: never = step;
      return unreachable;
    }
  }
}
