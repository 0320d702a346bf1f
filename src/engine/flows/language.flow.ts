import { LANGUAGES, isLanguage, type Language } from '../../domain/language';
import { parseLanguageRequest } from '../../nlu/language-detect';
import { languageEvidence } from '../reference';
import type { Turn } from '../turn';
import { showMainMenu } from './menu';

/** Offers the languages, each labelled in its own language so anyone can find theirs. */
export function askLanguage(turn: Turn): void {
  turn.setMode({ type: 'choose_language' });
  turn.ask(
    'language.choose',
    LANGUAGES.map((l) => ({ value: `lang:${l}`, label: turn.ports.translator.t(l, 'language.native_name') })),
  );
}

/** Switches language and remembers it as the beneficiary's own choice. */
export function switchLanguage(turn: Turn, language: Language): void {
  turn.state.language = language;
  turn.state.languageSource = 'chosen';
  turn.say('language.switched');
}

/**
 * The picker accepts a number, a language's name, or any message: one written in some language
 * picks that language and is then handled like any other message (`route`).
 */
export async function onLanguageChoice(turn: Turn, choice: string | null, route: (turn: Turn) => Promise<void>): Promise<void> {
  const picked = choice?.startsWith('lang:') ? choice.slice(5) : null;
  if (picked && isLanguage(picked)) {
    switchLanguage(turn, picked);
    return showMainMenu(turn);
  }
  const named = parseLanguageRequest(turn.text);
  if (named) {
    switchLanguage(turn, named);
    return showMainMenu(turn);
  }
  const evidence = languageEvidence(turn.text);
  if (!evidence || choice !== null) {
    turn.say('request.errors.pick_option');
    turn.missed();
    return askLanguage(turn);
  }
  turn.state.language = evidence.language;
  turn.state.languageSource = evidence.clear ? 'detected' : 'guessed';
  turn.setMode({ type: 'idle' });
  return route(turn);
}
