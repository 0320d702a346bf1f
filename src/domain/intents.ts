/**
 * Stable intent names. Other tools (evaluation, analytics, staff console) depend on these
 * strings, so a name is never renamed or reused for another meaning.
 */
export const INTENTS = [
  'greeting',
  'thanks',
  'goodbye',
  'menu',
  'about',
  'services',
  'eligibility',
  'documents',
  'contact',
  'hours',
  'timeline',
  'request_new',
  'request_status',
  'human',
  'volunteer',
  'complaint',
  'language',
  'unknown',
] as const;
export type Intent = (typeof INTENTS)[number];

export function isIntent(value: unknown): value is Intent {
  return typeof value === 'string' && (INTENTS as readonly string[]).includes(value);
}
