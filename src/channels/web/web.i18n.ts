import { LANGUAGES, RTL_LANGUAGES, type Language } from '../../domain/language';
import type { Translator } from '../../engine/ports';

/**
 * The page's words, from the `web` locale namespace. The page is rendered with them on the server
 * (no flash of untranslated text) and fetches them again from /api/web/i18n when the conversation
 * changes language.
 */
export const WEB_KEYS = [
  'title',
  'bot_name',
  'subtitle',
  'you',
  'input_label',
  'placeholder',
  'send',
  'language.button',
  'language.label',
  'messages_label',
  'options_label',
  'typing',
  'status.connecting',
  'status.reconnecting',
  'status.lost',
  'status.retry',
  'status.too_many',
  'message.sending',
  'message.failed',
  'message.retry',
  'errors.invalid',
  'errors.empty',
  'errors.too_long',
  'errors.rate_limited',
  'errors.too_fast',
  'errors.backlog',
  'errors.overloaded',
  'errors.unavailable',
  'errors.history',
  'widget.open',
  'widget.close',
  'widget.frame_title',
] as const;
export type WebKey = (typeof WEB_KEYS)[number];

export type WebStrings = Record<WebKey, string>;

export function webStrings(translator: Translator, lng: Language): WebStrings {
  const entries = WEB_KEYS.map((key) => [key, translator.t(lng, `web:${key}`)] as const);
  return Object.fromEntries(entries) as WebStrings;
}

/** Each language in its own script, so anybody finds theirs. */
export function nativeNames(translator: Translator): Record<Language, string> {
  return Object.fromEntries(LANGUAGES.map((l) => [l, translator.t(l, 'language.native_name')])) as Record<Language, string>;
}

export const directionOf = (lng: Language): 'rtl' | 'ltr' => (RTL_LANGUAGES.has(lng) ? 'rtl' : 'ltr');

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

/**
 * Fills `{{key}}` (a web string, HTML-escaped) and `{{@name}}` (a page variable) in a template.
 * An unknown placeholder throws, so a typo in index.html fails at startup, not in a visitor's face.
 */
export function renderTemplate(template: string, strings: WebStrings, vars: Record<string, string>): string {
  const known = new Set<string>(WEB_KEYS);
  return template.replace(/\{\{(@?)([a-z_.]+)\}\}/g, (_match, at: string, name: string) => {
    const value = at === '@' ? vars[name] : known.has(name) ? strings[name as WebKey] : undefined;
    if (value === undefined) throw new Error(`web chat template: unknown placeholder {{${at}${name}}}`);
    return escapeHtml(value);
  });
}

/** JSON safe to embed in a script (no `</script>`, no line separators that end JS strings in old engines). */
export function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}
