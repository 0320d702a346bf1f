import type { AcceptOutcome, Refusal } from './channel';

/** Narrows a sink outcome to a refusal (the message was not stored). */
export function isRefusal(outcome: AcceptOutcome | string): outcome is Refusal {
  return typeof outcome === 'object' && outcome.type === 'refused';
}

/** A wait (a refusal's, a rate limit's) as an HTTP `Retry-After` value: whole seconds, at least 1. */
export function retryAfterHeader(wait: Pick<Refusal, 'retryAfterMs'>): string {
  return String(Math.max(1, Math.ceil(wait.retryAfterMs / 1000)));
}
