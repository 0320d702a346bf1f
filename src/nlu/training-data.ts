import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isIntent } from '../domain/intents';
import { LANGUAGES } from '../domain/language';
import type { TrainingPhrase } from './classifier';

/** The project's locales folder, from src/ (tsx) or dist/ (built) alike. */
export const LOCALES_DIR = join(__dirname, '..', '..', 'locales');

export class TrainingDataError extends Error {
  readonly code = 'NLU_DATA_INVALID';
}

/** Reads the training phrasings of every language from locales/<lng>/nlu.json. */
export function loadTrainingPhrases(localesDir: string = LOCALES_DIR): TrainingPhrase[] {
  const phrases: TrainingPhrase[] = [];
  for (const language of LANGUAGES) {
    const file = join(localesDir, language, 'nlu.json');
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as { intents?: Record<string, unknown> };
    for (const [intent, list] of Object.entries(parsed.intents ?? {})) {
      if (!isIntent(intent)) throw new TrainingDataError(`${file}: unknown intent "${intent}"`);
      if (!Array.isArray(list)) throw new TrainingDataError(`${file}: "${intent}" must be a list of phrases`);
      for (const text of list) {
        if (typeof text !== 'string') throw new TrainingDataError(`${file}: "${intent}" has a non-text phrase`);
        phrases.push({ text, intent, language });
      }
    }
  }
  return phrases;
}
