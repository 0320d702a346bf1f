import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { CHANNELS } from '../domain/messages';
import { LANGUAGES } from '../domain/language';
import { withCheckDigit } from '../domain/national-id';

/**
 * The dialogue suite (tests/dialogues/<lng>.json, format in tests/dialogues/FORMAT.md), parsed at
 * the edge: a misspelt key in a dialogue fails loudly instead of silently checking nothing.
 */
const Lang = z.enum(LANGUAGES);
const Fields = z.record(z.string().nullable());

const Expect = z
  .object({
    step: z.union([z.string(), z.array(z.string())]).optional(),
    intent: z.string().nullable().optional(),
    language: Lang.optional(),
    draft: Fields.optional(),
    replyHas: z.array(z.string()).optional(),
    replyLacks: z.array(z.string()).optional(),
    options: z.array(z.string()).optional(),
  })
  .strict();

const DialogueTurn = z.object({ say: z.string(), digression: z.boolean().optional(), expect: Expect.optional() }).strict();

export const GOALS = [
  'submitted',
  'not_submitted',
  'status_shown',
  'handoff',
  'answered',
  'volunteer_stored',
  'complaint_stored',
  'language_switched',
] as const;

const Dialogue = z
  .object({
    id: z.string().regex(/^[a-z0-9-]+$/),
    language: Lang,
    persona: z.string(),
    goal: z.enum(GOALS),
    channel: z.enum(CHANNELS).optional(),
    setup: z
      .object({
        existingRequest: z.boolean().optional(),
        draftAt: z.string().regex(/^request\.\w+$/).optional(),
        draftAgeMinutes: z.number().nonnegative().optional(),
      })
      .strict()
      .optional(),
    turns: z.array(DialogueTurn).min(1),
    final: z.object({ request: Fields.optional(), language: Lang.optional(), handoffOpen: z.boolean().optional() }).strict().optional(),
  })
  .strict();

export type Dialogue = z.infer<typeof Dialogue>;
export type DialogueTurn = z.infer<typeof DialogueTurn>;
export type Expectations = z.infer<typeof Expect>;

export const DIALOGUES_DIR = join(__dirname, '..', '..', 'tests', 'dialogues');

/** Every dialogue of one language file; throws with the dialogue's position on a format error. */
export function loadDialogues(language: string, dir: string = DIALOGUES_DIR): Dialogue[] {
  const raw: unknown = JSON.parse(readFileSync(join(dir, `${language}.json`), 'utf8'));
  const parsed = z.array(Dialogue).safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`tests/dialogues/${language}.json: ${issue?.path.join('.')}: ${issue?.message}`);
  }
  const ids = new Set<string>();
  for (const d of parsed.data) {
    if (ids.has(d.id)) throw new Error(`tests/dialogues/${language}.json: duplicate id ${d.id}`);
    ids.add(d.id);
  }
  return parsed.data;
}

/** Values the placeholders of one dialogue stand for. */
export interface Placeholders {
  id: string;
  iqama: string;
  ref?: string;
  refLast4?: string;
}

const ARABIC_INDIC = '٠١٢٣٤٥٦٧٨٩';

/** A fresh valid national ID ("1…") or iqama ("2…") with its Luhn digit, from a seed below 10^8. */
export function freshId(kind: 1 | 2, seed: number): string {
  return withCheckDigit(`${kind}${String(seed % 100_000_000).padStart(8, '0')}`);
}

/** Four digits that are not `last4`. */
export function wrongLastFour(last4: string): string {
  return String((Number(last4) + 1111) % 10_000).padStart(4, '0');
}

/** Replaces {{id}}, {{id_ar}}, {{id_last4}}, {{iqama}}, {{ref}}, {{ref_last4}}, {{wrong_last4}}. */
export function resolve(text: string, p: Placeholders): string {
  return text.replace(/\{\{(\w+)\}\}/g, (whole, name: string) => {
    switch (name) {
      case 'id':
        return p.id;
      case 'id_ar':
        return p.id.replace(/\d/g, (d) => ARABIC_INDIC[Number(d)] ?? d);
      case 'id_last4':
        return p.id.slice(-4);
      case 'iqama':
        return p.iqama;
      case 'ref':
        return p.ref ?? whole;
      case 'ref_last4':
        return p.refLast4 ?? whole;
      case 'wrong_last4':
        return wrongLastFour(p.refLast4 ?? p.id.slice(-4));
      default:
        throw new Error(`unknown placeholder ${whole}`);
    }
  });
}
