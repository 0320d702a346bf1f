import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import i18next, { type i18n, type Resource, type ResourceLanguage } from 'i18next';
import { DEFAULT_LANGUAGE, LANGUAGES, type Language } from '../domain/language';
import type { Translator } from '../engine/ports';

/** Namespaces loaded from locales/<lng>/<ns>.json. nlu.json is training data, read by the classifier instead. */
export const NAMESPACES = ['common', 'content', 'keywords', 'telegram', 'whatsapp', 'web', 'console'] as const;

/**
 * i18next-backed translator. Arabic is the fallback, so a key missing in another language shows
 * Arabic rather than a raw key (the locale completeness test keeps that from happening).
 * Values are not HTML-escaped here: channels that render HTML must escape (the web chat uses textContent).
 */
export class I18nTranslator implements Translator {
  /**
   * Lists by language and key. The resources never change after load, and the engine reads its
   * keyword lists several times per message (i18next resolving each was ≈ 2 ms of CPU per
   * message in the bench's profile).
   */
  private readonly lists = new Map<string, readonly string[]>();

  private constructor(private readonly i18n: i18n) {}

  static load(localesDir: string): I18nTranslator {
    const resources: Resource = {};
    for (const lng of LANGUAGES) {
      const language: ResourceLanguage = {};
      for (const ns of NAMESPACES) language[ns] = JSON.parse(readFileSync(join(localesDir, lng, `${ns}.json`), 'utf8')) as ResourceLanguage[string];
      resources[lng] = language;
    }
    const instance = i18next.createInstance();
    void instance.init({
      resources,
      lng: DEFAULT_LANGUAGE,
      fallbackLng: DEFAULT_LANGUAGE,
      ns: [...NAMESPACES],
      defaultNS: 'common',
      initAsync: false,
      interpolation: { escapeValue: false },
      returnNull: false,
      // i18next 25 prints a sponsor notice on stdout at init; stdout is the console channel's protocol.
      showSupportNotice: false,
    });
    return new I18nTranslator(instance);
  }

  t(lang: Language, key: string, params?: Record<string, string | number>): string {
    return this.i18n.t(key, { lng: lang, ...params });
  }

  list(lang: Language, key: string): string[] {
    const cacheKey = `${lang}\u0000${key}`;
    let found = this.lists.get(cacheKey);
    if (found === undefined) {
      const value: unknown = this.i18n.t(key, { lng: lang, returnObjects: true });
      found = Object.freeze(Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);
      this.lists.set(cacheKey, found);
    }
    return [...found];
  }
}
