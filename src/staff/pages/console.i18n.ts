import type { FastifyRequest } from 'fastify';
import { readCookie } from '../../channels/web/web.session';
import { DEFAULT_LANGUAGE, isLanguage, RTL_LANGUAGES, type Language } from '../../domain/language';
import type { Translator } from '../../engine/ports';
import { durationParts } from '../../domain/first-response';

/** The console's language preference: a cookie set by the language switch, Arabic without it. */
export const CONSOLE_LANGUAGE_COOKIE = 'basirah_console_lng';

/** The words of one page in one language (the `console` locale namespace) and how to write dates and numbers. */
export interface PageText {
  lng: Language;
  dir: 'rtl' | 'ltr';
  t(key: string, params?: Record<string, string | number>): string;
  /** A date and time in Riyadh, Gregorian calendar (ar-SA alone would pick the Hijri calendar). */
  dateTime(at: Date): string;
  number(value: number, fractionDigits?: number): string;
  /** A wait in hours and minutes, with the language's own unit words and plurals (CLDR, through Intl). */
  duration(seconds: number): string;
  /** A short list joined the language's way («أ وب», "a, b", …), through Intl. */
  list(items: readonly string[]): string;
}

const LOCALES: Record<Language, string> = { ar: 'ar-SA-u-ca-gregory-nu-latn', en: 'en-GB', ur: 'ur-PK-u-nu-latn' };

export function pageText(translator: Translator, lng: Language): PageText {
  const list = (items: readonly string[]): string => new Intl.ListFormat(lng, { type: 'unit', style: 'long' }).format(items);
  const dates = new Intl.DateTimeFormat(LOCALES[lng], { timeZone: 'Asia/Riyadh', dateStyle: 'medium', timeStyle: 'short' });
  return {
    lng,
    dir: RTL_LANGUAGES.has(lng) ? 'rtl' : 'ltr',
    t: (key, params) => translator.t(lng, `console:${key}`, params),
    dateTime: (at) => dates.format(at),
    number: (value, fractionDigits = 0) => new Intl.NumberFormat(LOCALES[lng], { maximumFractionDigits: fractionDigits, minimumFractionDigits: fractionDigits }).format(value),
    duration: (seconds) => {
      const { hours, minutes } = durationParts(seconds);
      const unit = (value: number, name: 'hour' | 'minute'): string => new Intl.NumberFormat(LOCALES[lng], { style: 'unit', unit: name, unitDisplay: 'long' }).format(value);
      return hours === 0 ? unit(minutes, 'minute') : list(minutes === 0 ? [unit(hours, 'hour')] : [unit(hours, 'hour'), unit(minutes, 'minute')]);
    },
    list,
  };
}

/** `?lng=` (the switch's link) wins over the cookie, which wins over Arabic. */
export function languageOf(request: FastifyRequest): { lng: Language; fromQuery: boolean } {
  const query = (request.query as { lng?: unknown } | undefined)?.lng;
  if (isLanguage(query)) return { lng: query, fromQuery: true };
  const cookie = readCookie(request.headers.cookie, CONSOLE_LANGUAGE_COOKIE);
  return { lng: isLanguage(cookie) ? cookie : DEFAULT_LANGUAGE, fromQuery: false };
}

/** A preference, not a secret: readable by the console's paths only, kept for a year. */
export function languageCookie(lng: Language): string {
  return `${CONSOLE_LANGUAGE_COOKIE}=${lng}; Path=/staff; Max-Age=31536000; SameSite=Lax`;
}
