import { isLanguage } from '../domain/language';
import { STATE_VERSION, initialState, type ConversationState } from './state';

/**
 * Brings a stored state up to the current shape. Stored states carry `v`; when the shape changes,
 * add a step here instead of breaking conversations that were open during a deploy.
 */
export function migrateState(stored: unknown): ConversationState {
  if (typeof stored !== 'object' || stored === null) return initialState('ar', 'default');
  const s = stored as Partial<ConversationState> & { v?: number };
  if (s.v === STATE_VERSION && isLanguage(s.language) && s.mode && Array.isArray(s.choices)) {
    // Fields added within version 1 default to empty.
    return { lastMessageKey: null, lastResult: null, ...s } as ConversationState;
  }
  // Unknown or future shape: keep the language, start the conversation afresh rather than crash.
  return initialState(isLanguage(s.language) ? s.language : 'ar', 'default');
}
