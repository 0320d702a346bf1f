import { normalizeForMatching, tokenize } from './normalize';
import { phoneticKey } from './phonetic';

/** Arabic clitics stripped for the stem feature: "والخدمات" and "خدمات" should meet. */
const ARABIC_PREFIXES = ['وال', 'بال', 'فال', 'كال', 'لل', 'ال', 'و', 'ب', 'ف'];
const ARABIC_SUFFIXES = ['كم', 'هم', 'نا', 'ها', 'كي', 'ات', 'ين', 'ون', 'ه', 'ي', 'ك'];
const ARABIC_LETTERS = /[\u0621-\u064A]/;

/** A crude light stem: enough to join inflected forms for matching, not linguistics. */
export function lightStem(token: string): string {
  if (!ARABIC_LETTERS.test(token)) return token.length > 4 && token.endsWith('s') ? token.slice(0, -1) : token;
  let stem = token;
  for (const p of ARABIC_PREFIXES) {
    if (stem.startsWith(p) && stem.length - p.length >= 3) {
      stem = stem.slice(p.length);
      break;
    }
  }
  for (const s of ARABIC_SUFFIXES) {
    if (stem.endsWith(s) && stem.length - s.length >= 3) {
      stem = stem.slice(0, -s.length);
      break;
    }
  }
  return stem;
}

/** Sparse features of one text: words, stems, word pairs and character n-grams (robust to misspellings and Arabizi). */
export function extractFeatures(raw: string): Map<string, number> {
  const tokens = tokenize(normalizeForMatching(raw));
  const features = new Map<string, number>();
  const add = (f: string, w: number): void => void features.set(f, (features.get(f) ?? 0) + w);
  tokens.forEach((token, i) => {
    add(`w:${token}`, 1);
    add(`s:${lightStem(token)}`, 1);
    const key = phoneticKey(token);
    if (key.length >= 2) add(`p:${key}`, 1);
    const next = tokens[i + 1];
    if (next) add(`b:${token}_${next}`, 1);
    const padded = ` ${token} `;
    for (const n of [2, 3, 4, 5]) {
      for (let j = 0; j + n <= padded.length; j += 1) add(`c${n}:${padded.slice(j, j + n)}`, 0.5);
    }
  });
  return features;
}

export function wordTokens(raw: string): string[] {
  return tokenize(normalizeForMatching(raw));
}
