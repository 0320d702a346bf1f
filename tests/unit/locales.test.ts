import * as fs from 'fs';
import * as path from 'path';
import { normalizeForMatching } from '../../src/nlu/normalize';

/**
 * Locale completeness and shape. Every user-facing string exists in Arabic, English and Urdu
 * with the same placeholders; option labels stay short enough for WhatsApp buttons and list rows.
 */

const LOCALES_DIR = path.resolve(__dirname, '..', '..', 'locales');
const LANGS = ['ar', 'en', 'ur'] as const;
type Lang = (typeof LANGS)[number];
const NAMESPACES = ['common', 'content', 'keywords', 'nlu', 'telegram', 'whatsapp', 'web', 'console'] as const;
type Namespace = (typeof NAMESPACES)[number];

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function load(lang: Lang, ns: Namespace): JsonObject {
  const raw: unknown = JSON.parse(fs.readFileSync(path.join(LOCALES_DIR, lang, `${ns}.json`), 'utf8'));
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error(`${lang}/${ns}.json is not a JSON object`);
  return raw as JsonObject;
}

const files: Record<Lang, Record<Namespace, JsonObject>> = {
  ar: {
    common: load('ar', 'common'),
    content: load('ar', 'content'),
    keywords: load('ar', 'keywords'),
    nlu: load('ar', 'nlu'),
    telegram: load('ar', 'telegram'),
    whatsapp: load('ar', 'whatsapp'),
    web: load('ar', 'web'),
    console: load('ar', 'console'),
  },
  en: {
    common: load('en', 'common'),
    content: load('en', 'content'),
    keywords: load('en', 'keywords'),
    nlu: load('en', 'nlu'),
    telegram: load('en', 'telegram'),
    whatsapp: load('en', 'whatsapp'),
    web: load('en', 'web'),
    console: load('en', 'console'),
  },
  ur: {
    common: load('ur', 'common'),
    content: load('ur', 'content'),
    keywords: load('ur', 'keywords'),
    nlu: load('ur', 'nlu'),
    telegram: load('ur', 'telegram'),
    whatsapp: load('ur', 'whatsapp'),
    web: load('ur', 'web'),
    console: load('ur', 'console'),
  },
};

/** Leaf paths of an object; arrays count as one leaf, keys starting with "_" are comments and skipped. */
function leafPaths(obj: JsonObject, prefix = ''): string[] {
  const out: string[] = [];
  for (const [key, value] of Object.entries(obj)) {
    if (key.startsWith('_')) continue;
    const p = prefix === '' ? key : `${prefix}.${key}`;
    if (isObject(value)) out.push(...leafPaths(value, p));
    else out.push(p);
  }
  return out;
}

/** String leaves (array items included, as `path[i]`), comments skipped. */
function stringLeaves(obj: JsonObject, prefix = ''): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const visit = (value: Json, p: string): void => {
    if (typeof value === 'string') out.push([p, value]);
    else if (Array.isArray(value)) value.forEach((v, i) => visit(v, `${p}[${i}]`));
    else if (isObject(value)) {
      for (const [key, child] of Object.entries(value)) {
        if (!key.startsWith('_')) visit(child, p === '' ? key : `${p}.${key}`);
      }
    }
  };
  for (const [key, value] of Object.entries(obj)) {
    if (!key.startsWith('_')) visit(value, prefix === '' ? key : `${prefix}.${key}`);
  }
  return out;
}

function get(obj: JsonObject, dotted: string): Json | undefined {
  let current: Json | undefined = obj;
  for (const part of dotted.split('.')) {
    if (!isObject(current)) return undefined;
    current = current[part];
  }
  return current;
}

function getString(lang: Lang, ns: Namespace, dotted: string): string {
  const value = get(files[lang][ns], dotted);
  if (typeof value !== 'string') throw new Error(`${lang}/${ns}.json: ${dotted} is not a string`);
  return value;
}

function interpolations(text: string): string[] {
  return [...new Set([...text.matchAll(/\{\{\s*([^}\s]+)\s*\}\}/g)].map((m) => m[1] ?? ''))].sort();
}

function nestings(text: string): string[] {
  return [...new Set([...text.matchAll(/\$t\(([^)]*)\)/g)].map((m) => (m[1] ?? '').trim()))].sort();
}

function length(text: string): number {
  return Array.from(text).length;
}

/** The key path sets of two languages, as a readable difference ('' when equal). */
function keyDifference(reference: string[], other: string[], lang: Lang): string {
  const ref = new Set(reference);
  const oth = new Set(other);
  const missing = reference.filter((k) => !oth.has(k));
  const extra = other.filter((k) => !ref.has(k));
  const parts: string[] = [];
  if (missing.length > 0) parts.push(`missing in ${lang}: ${missing.join(', ')}`);
  if (extra.length > 0) parts.push(`only in ${lang}: ${extra.join(', ')}`);
  return parts.join('; ');
}

const TEXT_NAMESPACES = ['common', 'content', 'telegram', 'whatsapp', 'web', 'console'] as const;

describe('locale files', () => {
  describe('(1) the same keys in every language', () => {
    it.each(['common', 'content', 'keywords', 'telegram', 'whatsapp', 'web', 'console'] as const)('%s.json', (ns) => {
      const reference = leafPaths(files.ar[ns]);
      expect(reference.length).toBeGreaterThan(0);
      const problems = LANGS.filter((l) => l !== 'ar')
        .map((l) => keyDifference(reference, leafPaths(files[l][ns]), l))
        .filter((d) => d !== '');
      expect(problems).toEqual([]);
    });

    it('nlu.json has the same intents', () => {
      const intentsOf = (lang: Lang): string[] => {
        const intents = files[lang].nlu.intents;
        if (!isObject(intents)) throw new Error(`${lang}/nlu.json has no "intents" object`);
        return Object.keys(intents).filter((k) => !k.startsWith('_'));
      };
      const reference = intentsOf('ar');
      const problems = LANGS.filter((l) => l !== 'ar')
        .map((l) => keyDifference(reference, intentsOf(l), l))
        .filter((d) => d !== '');
      expect(problems).toEqual([]);
    });
  });

  describe('(2) the same placeholders and nestings in every language', () => {
    it.each(TEXT_NAMESPACES)('%s.json', (ns) => {
      const problems: string[] = [];
      for (const [key, arText] of stringLeaves(files.ar[ns])) {
        for (const lang of ['en', 'ur'] as const) {
          const value = get(files[lang][ns], key);
          if (typeof value !== 'string') {
            problems.push(`${lang}: ${key} is missing or not a string`);
            continue;
          }
          const [a, b] = [interpolations(arText).join(",") || "none", interpolations(value).join(",") || "none"];
          if (a !== b) problems.push(`${lang}: ${key} has {{${b}}} but ar has {{${a}}}`);
          const [c, d] = [nestings(arText).join(','), nestings(value).join(',')];
          if (c !== d) problems.push(`${lang}: ${key} nests $t(${d}) but ar nests $t(${c})`);
        }
      }
      expect(problems).toEqual([]);
    });

    it('every $t(ns:key) nesting points at an existing string', () => {
      const problems: string[] = [];
      for (const lang of LANGS) {
        for (const ns of TEXT_NAMESPACES) {
          for (const [key, text] of stringLeaves(files[lang][ns])) {
            for (const target of nestings(text)) {
              const [targetNs, targetKey] = target.includes(':') ? target.split(':', 2) : [ns, target];
              const known = (TEXT_NAMESPACES as readonly string[]).includes(targetNs ?? '');
              const value = known && targetKey ? get(files[lang][targetNs as Namespace], targetKey) : undefined;
              if (typeof value !== 'string') problems.push(`${lang}/${ns}: ${key} nests unknown $t(${target})`);
            }
          }
        }
      }
      expect(problems).toEqual([]);
    });
  });

  it('(3) no string is empty', () => {
    const problems: string[] = [];
    for (const lang of LANGS) {
      for (const ns of NAMESPACES) {
        for (const [key, text] of stringLeaves(files[lang][ns])) {
          if (text.trim() === '') problems.push(`${lang}/${ns}: ${key}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('user-facing text has no WhatsApp markdown characters (* _ ~ `)', () => {
    const problems: string[] = [];
    for (const lang of LANGS) {
      for (const ns of TEXT_NAMESPACES) {
        for (const [key, text] of stringLeaves(files[lang][ns])) {
          if (/[*_~`]/.test(text.replace(/\{\{[^}]*\}\}|\$t\([^)]*\)/g, ''))) problems.push(`${lang}/${ns}: ${key}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  describe('(4) option labels fit a WhatsApp button or list row (24 characters)', () => {
    const MAX_LABEL = 24;
    /** A masked phone as shown in "request.phone_use", one character longer than real ones. */
    const SAMPLE_PHONE = '+9665*******78';
    const LABEL_GROUPS = [
      'menu.items',
      'request.relation',
      'request.facility',
      'request.support_type',
      'volunteer.interest',
      'complaint.kind',
    ];
    const SINGLE_LABELS = [
      'language.native_name',
      'request.phone_other',
      'request.summary_confirm',
      'request.attest_confirm',
      'request.attest_edit',
      'request.resume_continue',
      'request.resume_restart',
      'status.ask_other',
      'understanding.something_else',
    ];

    /** Every label of one language, as [key, text as shown]. */
    function labels(lang: Lang): Array<[string, string]> {
      const common = files[lang].common;
      const out: Array<[string, string]> = [];
      for (const group of LABEL_GROUPS) {
        const node = get(common, group);
        if (!isObject(node)) throw new Error(`${lang}: ${group} is not an object`);
        out.push(...stringLeaves(node, group));
      }
      for (const key of SINGLE_LABELS) out.push([key, getString(lang, 'common', key)]);
      out.push(['request.phone_use', getString(lang, 'common', 'request.phone_use').replace('{{phone}}', SAMPLE_PHONE)]);
      const fields = get(common, 'request.field');
      if (!isObject(fields)) throw new Error(`${lang}: request.field is not an object`);
      const longestField = stringLeaves(fields).reduce((a, [, v]) => (length(v) > length(a) ? v : a), '');
      out.push(['request.edit_field', getString(lang, 'common', 'request.edit_field').replace('{{field}}', longestField)]);
      return out;
    }

    it.each(LANGS)('%s', (lang) => {
      const all = labels(lang);
      expect(all.length).toBeGreaterThan(40);
      const tooLong = all.filter(([, text]) => length(text) > MAX_LABEL).map(([key, text]) => `${key} (${length(text)}): ${text}`);
      expect(tooLong).toEqual([]);
    });

    it.each(LANGS)('%s: labels shown together are distinct', (lang) => {
      const problems: string[] = [];
      for (const group of LABEL_GROUPS) {
        const node = get(files[lang].common, group);
        if (!isObject(node)) continue;
        const texts = stringLeaves(node).map(([, v]) => normalizeForMatching(v));
        if (new Set(texts).size !== texts.length) problems.push(group);
      }
      expect(problems).toEqual([]);
    });
  });

  it('(5) request.duplicate_other never reveals a reference number', () => {
    for (const lang of LANGS) {
      const text = getString(lang, 'common', 'request.duplicate_other');
      expect(text).not.toMatch(/\{\{\s*reference\s*\}\}/);
      expect(interpolations(text)).toEqual([]);
    }
  });

  it('(6) nlu.json has enough phrasings for every intent', () => {
    const INTENT_COUNT = 18;
    const MIN: Record<Lang, number> = { ar: 20, en: 10, ur: 10 };
    const problems: string[] = [];
    for (const lang of LANGS) {
      const intents = files[lang].nlu.intents;
      if (!isObject(intents)) throw new Error(`${lang}/nlu.json has no "intents" object`);
      const names = Object.keys(intents).filter((k) => !k.startsWith('_'));
      if (names.length !== INTENT_COUNT) problems.push(`${lang}: ${names.length} intents, expected ${INTENT_COUNT}`);
      for (const name of names) {
        const phrases = intents[name];
        const count = Array.isArray(phrases) ? phrases.length : 0;
        if (count < MIN[lang]) problems.push(`${lang}: ${name} has ${count} phrasings, needs ${MIN[lang]}`);
      }
    }
    expect(problems).toEqual([]);
  });

  describe('(7) command keywords', () => {
    const COMMANDS = ['cancel', 'back', 'menu', 'human', 'yes', 'no'] as const;

    function words(lang: Lang, command: string): string[] {
      const list = files[lang].keywords[command];
      if (!Array.isArray(list)) throw new Error(`${lang}/keywords.json: ${command} is not a list`);
      return list.map((w) => {
        if (typeof w !== 'string') throw new Error(`${lang}/keywords.json: ${command} holds a non-string`);
        return w;
      });
    }

    it.each(LANGS)('%s: every command has words and no word belongs to two commands', (lang) => {
      const owner = new Map<string, string>();
      const problems: string[] = [];
      for (const command of COMMANDS) {
        const list = words(lang, command);
        if (list.length === 0) problems.push(`${command} is empty`);
        for (const word of list) {
          const key = word.trim().toLowerCase();
          const previous = owner.get(key);
          if (previous !== undefined && previous !== command) problems.push(`"${word}" is under ${previous} and ${command}`);
          owner.set(key, command);
        }
      }
      expect(problems).toEqual([]);
    });

    it('no word means two commands across languages once normalised (commands match in any language)', () => {
      const owner = new Map<string, string>();
      const problems: string[] = [];
      for (const lang of LANGS) {
        for (const command of COMMANDS) {
          for (const word of words(lang, command)) {
            const key = normalizeForMatching(word);
            const previous = owner.get(key);
            if (previous !== undefined && previous !== command) problems.push(`${lang}: "${word}" is ${command} but also ${previous}`);
            owner.set(key, command);
          }
        }
      }
      expect(problems).toEqual([]);
    });

    it('keywords hold no digits and at most four words (longer messages are never commands)', () => {
      const problems: string[] = [];
      for (const lang of LANGS) {
        for (const command of COMMANDS) {
          for (const word of words(lang, command)) {
            const norm = normalizeForMatching(word);
            if (/\d/.test(norm)) problems.push(`${lang}: "${word}" has a digit`);
            if (norm === '' || norm.split(' ').length > 4) problems.push(`${lang}: "${word}" is empty or longer than four words`);
          }
        }
      }
      expect(problems).toEqual([]);
    });

    it('every «quoted» word in the texts is a keyword or an option label of that language', () => {
      const problems: string[] = [];
      for (const lang of LANGS) {
        const known = new Set<string>();
        for (const command of COMMANDS) for (const word of words(lang, command)) known.add(normalizeForMatching(word));
        for (const [, label] of stringLeaves(files[lang].common)) known.add(normalizeForMatching(label));
        for (const ns of TEXT_NAMESPACES) {
          for (const [key, text] of stringLeaves(files[lang][ns])) {
            for (const m of text.matchAll(/«([^»]+)»/g)) {
              const quoted = m[1] ?? '';
              if (!known.has(normalizeForMatching(quoted))) problems.push(`${lang}/${ns}: ${key} quotes «${quoted}»`);
            }
          }
        }
      }
      expect(problems).toEqual([]);
    });

    it('the words the texts tell people to send are keywords', () => {
      const expectations: Array<[string, readonly (typeof COMMANDS)[number][]]> = [
        ['request.intro', ['back', 'cancel', 'menu']],
        ['handoff.cancel_hint', ['cancel']],
      ];
      const problems: string[] = [];
      for (const lang of LANGS) {
        for (const [key, commands] of expectations) {
          const quoted = [...getString(lang, 'common', key).matchAll(/«([^»]+)»/g)].map((m) => normalizeForMatching(m[1] ?? ''));
          for (const command of commands) {
            const list = words(lang, command).map((w) => normalizeForMatching(w));
            if (!quoted.some((q) => list.includes(q))) problems.push(`${lang}: ${key} does not quote a «${command}» keyword`);
          }
        }
      }
      expect(problems).toEqual([]);
    });
  });
});
