import { LANGUAGES, isLanguage, type Language } from '../../domain/language';
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

export function onLanguageChoice(turn: Turn, choice: string | null): void {
  const picked = choice?.startsWith('lang:') ? choice.slice(5) : null;
  if (!picked || !isLanguage(picked)) {
    turn.say('request.errors.pick_option');
    return askLanguage(turn);
  }
  switchLanguage(turn, picked);
  showMainMenu(turn);
}
