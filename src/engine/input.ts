import { normalizeForMatching } from '../nlu/normalize';
import { parseMenuNumber } from '../nlu/menu-number';
import { keywordList } from './option-words';
import type { Translator } from './ports';
import type { PendingChoice } from './state';

/** Words that work at every step of every flow. Lists live in locales/<lng>/keywords.json. */
export const COMMANDS = ['cancel', 'back', 'menu', 'human', 'yes', 'no'] as const;
export type Command = (typeof COMMANDS)[number];

/** The shape of an option value ("intent:request_new", "relation:parent") as buttons send it back. */
const OPTION_VALUE = /^[a-z_]+:[\w:-]+$/;

/** True when the text is a button's option value rather than words the person typed. */
export function isOptionValue(text: string): boolean {
  return OPTION_VALUE.test(text);
}

/**
 * Resolves what the beneficiary picked: a menu number ("2", "٢", "اثنين"), the option's value
 * (channels with buttons send it back verbatim) or the option's label typed out.
 */
export function matchChoice(text: string, choices: readonly PendingChoice[]): string | null {
  if (choices.length === 0) return null;
  const byValue = choices.find((c) => c.value === text);
  if (byValue) return byValue.value;
  const n = parseMenuNumber(text);
  if (n !== null) return choices[n - 1]?.value ?? null;
  const norm = normalizeForMatching(text);
  if (norm === '') return null;
  const byLabel = choices.find((c) => normalizeForMatching(c.label) === norm);
  return byLabel?.value ?? null;
}

/**
 * Recognises a command word in any shipped language (a Urdu speaker set to Arabic can still
 * say "cancel"). Matches whole messages only, so "cancel" inside a description is kept as text.
 */
export function matchCommand(text: string, translator: Translator): Command | null {
  const norm = normalizeForMatching(text);
  if (norm === '' || norm.split(' ').length > 4) return null;
  // The command words of every language, normalised once (they were normalised on every message).
  return COMMANDS.find((command) => keywordList(translator, command).includes(norm)) ?? null;
}
