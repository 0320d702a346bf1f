import type { Intent } from '../../domain/intents';
import type { Turn } from '../turn';
import type { PendingChoice } from '../state';

/** The main menu, in the order shown. Values are `intent:<name>` so choosing one runs that intent. */
const MAIN_MENU: ReadonlyArray<Intent> = [
  'request_new',
  'request_status',
  'services',
  'documents',
  'contact',
  'human',
  'volunteer',
  'complaint',
  'language',
];

export function mainMenuChoices(turn: Turn): PendingChoice[] {
  return MAIN_MENU.map((intent) => turn.choice(`intent:${intent}`, `menu.items.${intent}`));
}

/** Shows the main menu; `introKey` lets callers lead with their own sentence. */
export function showMainMenu(turn: Turn, introKey = 'menu.title'): void {
  turn.setMode({ type: 'idle' });
  turn.ask(introKey, mainMenuChoices(turn));
}

/** Short follow-up choices after an informational answer. */
export function followUpChoices(turn: Turn): PendingChoice[] {
  return [
    turn.choice('intent:request_new', 'menu.items.request_new'),
    turn.choice('intent:request_status', 'menu.items.request_status'),
    turn.choice('intent:menu', 'menu.items.menu'),
  ];
}

/** Intents answered from editable content in locales/<lng>/content.json. */
export const CONTENT_INTENTS = ['about', 'services', 'eligibility', 'documents', 'contact', 'hours', 'timeline'] as const;
export type ContentIntent = (typeof CONTENT_INTENTS)[number];

export function isContentIntent(intent: Intent): intent is ContentIntent {
  return (CONTENT_INTENTS as readonly string[]).includes(intent);
}

export function answerContent(turn: Turn, intent: ContentIntent): void {
  turn.ask(`content:${intent}`, followUpChoices(turn));
}
