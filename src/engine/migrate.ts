import { isLanguage } from '../domain/language';
import { STATE_VERSION, initialState, type ConversationState } from './state';

type StoredShape = Record<string, unknown> & { v?: unknown };

/**
 * Numbered migrations: `MIGRATIONS[n]` turns a version-n state into version n+1. Add one step
 * per shape change, never edit an old one, so a conversation open during any deploy survives
 * (an open draft is never dropped).
 */
const MIGRATIONS: Readonly<Record<number, (s: StoredShape) => StoredShape>> = {
  // 1 → 2: step misses, answers awaiting confirmation and the unreadable-record notice.
  1: (s) => ({ lastMessageKey: null, lastResult: null, misses: null, pendingAnswer: null, notice: null, ...s, v: 2 }),
};

/**
 * Brings a stored state up to the current shape. Stored states carry `v`; when the shape changes,
 * add a numbered step above instead of breaking conversations that were open during a deploy.
 */
export function migrateState(stored: unknown): ConversationState {
  if (typeof stored !== 'object' || stored === null) return initialState('ar', 'default');
  let s = stored as StoredShape;
  while (typeof s.v === 'number' && s.v < STATE_VERSION) {
    const step = MIGRATIONS[s.v];
    if (!step) break;
    s = step(s);
  }
  if (s.v === STATE_VERSION && isLanguage(s.language) && typeof s.mode === 'object' && Array.isArray(s.choices)) {
    // Fields added within a version default to empty.
    return { lastMessageKey: null, lastResult: null, misses: null, pendingAnswer: null, notice: null, survey: null, ...s } as unknown as ConversationState;
  }
  // Unknown or future shape: keep the language, start the conversation afresh rather than crash.
  return initialState(isLanguage(s.language) ? s.language : 'ar', 'default');
}
