import type { EngineResult } from '../domain/messages';
import type { Language } from '../domain/language';
import type { RequestDraft } from '../domain/support-request';
import type { Translator } from '../engine/ports';
import { stepKey, type ConversationState } from '../engine/state';
import type { Core } from '../runtime/engine-factory';
import type { FieldCipher } from '../security/field-cipher';
import { resolve, type DialogueTurn, type Placeholders } from './dialogue-suite';

/** One played turn: what was said, what came back, the stored state before and after. */
export interface TurnView {
  index: number;
  say: string;
  result: EngineResult;
  before: ConversationState | null;
  after: ConversationState | null;
}

/** Every expectation of one turn that does not hold, in words ([] when all hold). */
export function checkTurn(translator: Translator, view: TurnView, turn: DialogueTurn, p: Placeholders): string[] {
  const e = turn.expect ?? {};
  const problems: string[] = [];
  const where = `turn ${view.index + 1} «${turn.say}»`;
  const step = view.after ? stepKey(view.after.mode) : 'idle';
  const replyText = view.result.replies.map((r) => r.text).join('\n');
  if (e.step !== undefined) {
    const allowed = Array.isArray(e.step) ? e.step : [e.step];
    if (!allowed.includes(step)) problems.push(`${where}: step is ${step}, expected ${allowed.join(' | ')}`);
  }
  if (e.intent !== undefined && e.intent !== view.result.intent) problems.push(`${where}: intent is ${view.result.intent}, expected ${e.intent}`);
  if (e.language !== undefined && e.language !== view.result.language) problems.push(`${where}: replies in ${view.result.language}, expected ${e.language}`);
  for (const [field, value] of Object.entries(e.draft ?? {})) {
    const want = value === null ? null : resolve(value, p).trim();
    const got = draftValue(view.after?.draft ?? null, field);
    if (want !== got) problems.push(`${where}: draft.${field} is ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`);
  }
  for (const entry of e.replyHas ?? []) {
    if (!replyContains(translator, view.result.language, replyText, entry, p)) problems.push(`${where}: reply lacks ${entry}`);
  }
  for (const entry of e.replyLacks ?? []) {
    if (replyContains(translator, view.result.language, replyText, entry, p)) problems.push(`${where}: reply has ${entry}, which it must not`);
  }
  const values = view.result.replies.flatMap((r) => (r.options ?? []).map((o) => o.value));
  for (const prefix of e.options ?? []) {
    if (!values.some((v) => v.startsWith(prefix))) problems.push(`${where}: no option ${prefix}… offered (offered: ${values.join(', ') || 'none'})`);
  }
  if (turn.digression && JSON.stringify(view.before?.draft ?? null) !== JSON.stringify(view.after?.draft ?? null)) {
    problems.push(`${where}: a digression changed the draft`);
  }
  return problems;
}

function draftValue(draft: RequestDraft | null, field: string): string | null {
  const value: unknown = draft ? (draft as unknown as Record<string, unknown>)[field] : undefined;
  return typeof value === 'string' ? value.trim() : null;
}

/**
 * `key` of common.json (its text in the reply language, {{params}} ignored: every fixed piece must
 * appear), `content:<intent>`, or `text:<literal>`.
 */
function replyContains(translator: Translator, language: Language, reply: string, entry: string, p: Placeholders): boolean {
  if (entry.startsWith('text:')) return reply.includes(resolve(entry.slice('text:'.length), p));
  const template = translator.t(language, entry);
  return template
    .split(/\{\{[^}]*\}\}/)
    .map((piece) => piece.trim())
    .filter((piece) => piece !== '')
    .every((piece) => reply.includes(piece));
}

/** A stored request's fields in canonical form (decrypted), for the final check. */
export async function storedRequestFields(core: Core, cipher: FieldCipher, reference: string): Promise<Record<string, string | null>> {
  const doc = await core.models.SupportRequest.findOne({ reference }).lean();
  if (!doc) return {};
  const open = (v: Parameters<FieldCipher['open']>[0] | null): string | null => (v ? cipher.open(v).trim() : null);
  return {
    applicantName: open(doc.applicantNameSealed),
    nationalId: open(doc.nationalIdSealed),
    phone: open(doc.phoneSealed),
    relation: doc.relation,
    inmateName: open(doc.inmateNameSealed),
    facility: doc.facility,
    facilityOther: open(doc.facilityOtherSealed),
    supportType: doc.supportType,
    description: open(doc.descriptionSealed),
  };
}
