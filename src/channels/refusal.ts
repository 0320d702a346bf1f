import type { AcceptOutcome, Refusal } from './channel';

/** Narrows a sink outcome to a refusal (the message was not stored). */
export function isRefusal(outcome: AcceptOutcome | string): outcome is Refusal {
  return typeof outcome === 'object' && outcome.type === 'refused';
}
