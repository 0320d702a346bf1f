import { randomInt } from 'node:crypto';
import type { EngineResult, InboundMessage } from '../domain/messages';
import type { Language } from '../domain/language';
import { REQUEST_STATUSES, type RequestDraft } from '../domain/support-request';
import type { ConversationRef } from '../engine/ports';
import { initialState, stepKey, type ConversationState, type RequestStep } from '../engine/state';
import { conversationId } from '../persistence/conversation.store';
import type { Core } from '../runtime/engine-factory';
import type { FieldCipher } from '../security/field-cipher';
import { checkTurn, storedRequestFields, type TurnView } from './dialogue-checks';
import { freshId, resolve, type Dialogue, type Placeholders } from './dialogue-suite';

/** What the runner needs: the real engine on real services, their cipher, and a clock it may set. */
export interface DialogueWorld {
  core: Core;
  cipher: FieldCipher;
  clock: { now(): Date; advance(ms: number): void };
}

export interface DialogueResult {
  id: string;
  language: Language;
  /** The goal was reached and nothing wrong was stored (the number eval:dialogues reports). */
  goalReached: boolean;
  /** Every failed expectation, goal or stored-data check, in words. */
  failures: string[];
  /** The conversation as played, for reading (`eval:dialogues -- <id> --transcript`). */
  transcript: string[];
}

let runCounter = 0;

/** Plays one dialogue through the engine from a fresh conversation and checks every expectation. */
export async function runDialogue(world: DialogueWorld, dialogue: Dialogue): Promise<DialogueResult> {
  runCounter += 1;
  const seed = randomInt(1, 90_000_000);
  const p: Placeholders = { id: freshId(1, seed), iqama: freshId(2, seed) };
  const ref: ConversationRef = { channel: dialogue.channel ?? 'whatsapp', account: 'dialogues', sender: `${dialogue.id}-${seed}-${runCounter}` };
  if (dialogue.setup?.existingRequest) Object.assign(p, await submitOtherRequest(world, seed));
  if (dialogue.setup?.draftAt) await leaveDraft(world, ref, dialogue, seed);
  const failures: string[] = [];
  const seen: TurnView[] = [];
  for (const [i, turn] of dialogue.turns.entries()) {
    const before = await loadState(world, ref);
    world.clock.advance(20_000);
    let result: EngineResult;
    try {
      result = await world.core.engine.handle(message(ref, resolve(turn.say, p), `${ref.sender}-${i}`, world.clock.now()));
    } catch (error) {
      failures.push(`turn ${i + 1} «${turn.say}»: the engine threw ${error instanceof Error ? error.message : String(error)}`);
      break;
    }
    const view: TurnView = { index: i, say: turn.say, result, before, after: await loadState(world, ref) };
    seen.push(view);
    failures.push(...checkTurn(world.core.ports.translator, view, turn, p));
  }
  const goalFailures = await checkGoal(world, dialogue, ref, p, seen);
  const transcript = seen.flatMap((v) => [
    `> ${resolve(v.say, p)}`,
    ...v.result.replies.map((r) => [r.text, ...(r.options ?? []).map((o, n) => `   ${n + 1}. ${o.label}`)].join('\n')),
    `  [step ${stepOf(v.after)} · intent ${v.result.intent}]`,
  ]);
  return { id: dialogue.id, language: dialogue.language, goalReached: goalFailures.length === 0, failures: [...failures, ...goalFailures], transcript };
}

function message(ref: ConversationRef, text: string, messageId: string, now: Date): InboundMessage {
  return { ...ref, messageId, text, receivedAt: now };
}

async function loadState(world: DialogueWorld, ref: ConversationRef): Promise<ConversationState | null> {
  return (await world.core.ports.conversations.load(ref))?.state ?? null;
}

/** setup.existingRequest: another sender's submitted request, for {{ref}} and {{ref_last4}}. */
async function submitOtherRequest(world: DialogueWorld, seed: number): Promise<Pick<Placeholders, 'ref' | 'refLast4'>> {
  const nationalId = freshId(1, seed + 1);
  const now = world.clock.now();
  const outcome = await world.core.ports.requests.create(
    {
      applicant: { channel: 'whatsapp', account: 'dialogues', sender: `applicant-${seed}` },
      draftId: `draft-${seed}`,
      language: 'ar',
      data: {
        applicantName: 'هند سالم المطيري',
        nationalId,
        phone: '+966551234567',
        relation: 'parent',
        inmateName: 'عبدالله سالم المطيري',
        facility: 'dammam_reform',
        facilityOther: null,
        supportType: 'family_social',
        description: 'الأسرة تحتاج دعما اجتماعيا للأبناء',
      },
      attestation: { wordingVersion: 'dialogue-setup', attestedAt: now, channel: 'whatsapp', messageId: `setup-${seed}`, dataHash: 'setup' },
    },
    now,
  );
  return { ref: outcome.reference, refLast4: nationalId.slice(-4) };
}

/** Fields filled before each step when a dialogue starts from an unfinished request. */
const PREFILL: Partial<Record<RequestStep, Array<keyof RequestDraft>>> = {
  nationalId: ['applicantName'],
  phone: ['applicantName', 'nationalId'],
};

/** setup.draftAt: this person's unfinished request at that step, left draftAgeMinutes ago. */
async function leaveDraft(world: DialogueWorld, ref: ConversationRef, dialogue: Dialogue, seed: number): Promise<void> {
  const step = (dialogue.setup?.draftAt ?? '').slice('request.'.length) as RequestStep;
  const now = world.clock.now();
  const filled = PREFILL[step] ?? ['applicantName', 'nationalId', 'phone'];
  const values: RequestDraft = {
    id: `draft-${ref.sender}`,
    startedAt: now.toISOString(),
    applicantName: 'سارة علي القحطاني',
    nationalId: freshId(1, seed + 2),
    phone: '+966501112233',
  };
  const draft: RequestDraft = { id: values.id, startedAt: values.startedAt };
  for (const field of filled) Object.assign(draft, { [field]: values[field] });
  const state = initialState(dialogue.language, 'detected');
  state.mode = { type: 'request', step, returnToSummary: false };
  state.draft = draft;
  state.lastInboundAt = new Date(now.getTime() - (dialogue.setup?.draftAgeMinutes ?? 0) * 60_000).toISOString();
  await world.core.ports.conversations.save(ref, state, null);
}

/** The goal, `final`, and that no wrong data was stored. */
async function checkGoal(world: DialogueWorld, dialogue: Dialogue, ref: ConversationRef, p: Placeholders, seen: TurnView[]): Promise<string[]> {
  const failures: string[] = [];
  const { core, cipher } = world;
  const state = await loadState(world, ref);
  const own = await core.ports.requests.listByApplicant(ref);
  const handoffOpen = state?.mode.type === 'handoff' && (await core.ports.handoffs.isOpen(state.mode.handoffId));
  const convId = conversationId(cipher, ref);
  const replies = seen.flatMap((v) => v.result.replies.map((r) => r.text)).join('\n');
  if (dialogue.goal === 'submitted' && own.length !== 1) failures.push(`goal submitted: ${own.length} requests were created`);
  // Checking one's own request after submitting it is fine; answering questions or not submitting creates none.
  if ((dialogue.goal === 'not_submitted' || dialogue.goal === 'answered') && own.length > 0) {
    failures.push(`goal ${dialogue.goal}: a request was created (${own.map((r) => r.reference).join(', ')})`);
  }
  const expected = dialogue.final?.request;
  if (expected && own[0]) {
    const stored = await storedRequestFields(core, cipher, own[0].reference);
    for (const [field, value] of Object.entries(expected)) {
      const want = value === null ? null : resolve(value, p).trim();
      const got = stored[field] ?? null;
      if (want !== got) failures.push(`stored request: ${field} is ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`);
    }
  }
  switch (dialogue.goal) {
    case 'status_shown':
      if (!/BSR-\d{4}-\d{5}/.test(replies) || !seen.some((v) => v.result.replies.some((r) => isStatusLine(core, v.result.language, r.text)))) {
        failures.push('goal status_shown: no status was shown');
      }
      break;
    case 'handoff':
      if (!handoffOpen) failures.push('goal handoff: no handoff is open at the end');
      break;
    case 'volunteer_stored':
      if ((await core.models.Volunteer.countDocuments({ conversationId: convId })) !== 1) failures.push('goal volunteer_stored: no volunteer record');
      break;
    case 'complaint_stored':
      if ((await core.models.Feedback.countDocuments({ conversationId: convId })) !== 1) failures.push('goal complaint_stored: no complaint record');
      break;
    case 'language_switched':
    case 'submitted':
    case 'not_submitted':
    case 'answered':
      break;
    default: {
      const unreachable: never = dialogue.goal;
      return unreachable;
    }
  }
  if (dialogue.final?.language && state?.language !== dialogue.final.language) {
    failures.push(`final language is ${state?.language}, expected ${dialogue.final.language}`);
  }
  if (dialogue.goal === 'language_switched' && !dialogue.final?.language) failures.push('goal language_switched needs final.language');
  if (dialogue.final?.handoffOpen !== undefined && dialogue.final.handoffOpen !== handoffOpen) {
    failures.push(`handoff open at the end: ${handoffOpen}, expected ${dialogue.final.handoffOpen}`);
  }
  return failures;
}

function isStatusLine(core: Core, language: Language, text: string): boolean {
  const t = core.ports.translator;
  return REQUEST_STATUSES.some((s) => text.includes(t.t(language, `status.name.${s}`)));
}

/** The step a state is at, as FORMAT.md names it. */
export function stepOf(state: ConversationState | null): string {
  return state ? stepKey(state.mode) : 'idle';
}
