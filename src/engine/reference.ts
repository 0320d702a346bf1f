import type { LanguageEvidence } from '../nlu/language-detect';
import { detectLanguageEvidence } from '../nlu/language-detect';
import { parseReference } from '../domain/support-request';
import { normalizeForMatching } from '../nlu/normalize';

/** "BSR 2026 17", "bsr-2026-00017", Arabic-Indic digits: anywhere in a message («رقم الطلب BSR-2026-00017»). */
const REFERENCE_IN_TEXT = /\bbsr[\s_-]*\d{4}[\s_-]*\d{1,7}\b/i;

/** The canonical request reference a message holds, words around it allowed; null when none. */
export function findReference(text: string): string | null {
  const match = REFERENCE_IN_TEXT.exec(normalizeForMatching(text));
  return match ? parseReference(match[0]) : null;
}

/** True when the message is a reference and nothing else worth reading (a bare reference starts the status check). */
export function isBareReference(text: string): boolean {
  const norm = normalizeForMatching(text);
  const match = REFERENCE_IN_TEXT.exec(norm);
  return match !== null && norm.replace(match[0], '').trim().split(' ').filter((w) => w !== '').length <= 4;
}

/** The message's words without its reference (to read the last four digits given with it). */
export function withoutReference(text: string): string {
  return normalizeForMatching(text).replace(REFERENCE_IN_TEXT, ' ');
}

/** The language a message shows, leaving references out: «BSR-2026-00017» is Latin whatever its writer speaks. */
export function languageEvidence(text: string): LanguageEvidence | null {
  return detectLanguageEvidence(text.replace(/\bbsr[\s_-]*[\d\u0660-\u0669]{4}[\s_-]*[\d\u0660-\u0669]{1,7}\b/gi, ' '));
}
