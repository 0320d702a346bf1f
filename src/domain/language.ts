/** Languages the bot speaks. Arabic is the reference language: every key exists in it first. */
export const LANGUAGES = ['ar', 'en', 'ur'] as const;
export type Language = (typeof LANGUAGES)[number];
export const DEFAULT_LANGUAGE: Language = 'ar';

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);
}

/** Text direction per language, for channels that render (web chat). */
export const RTL_LANGUAGES: ReadonlySet<Language> = new Set<Language>(['ar', 'ur']);
