import type { ConversationRef } from '../../src/engine/ports';
import type { ProactiveEvent } from '../../src/engine/proactive';
import { formatRiyadhTime } from '../../src/domain/working-hours';
import { ChatHarness } from '../support/chat-harness';
import { startTestEngine, t, type TestEngine } from '../support/engine-setup';
import { makeNationalId } from '../support/fixtures';

/**
 * What the engine says when staff act on a handoff (the desk turns their actions into proactive
 * events): a staff reply under the staff label, the "wait is longer" notice, and the hand-back
 * that resumes the person's unfinished request at the step they were on. Through the engine and
 * the real database, with people writing as they do.
 */
let env: TestEngine;

beforeAll(async () => {
  env = await startTestEngine('handoff-proactive');
});
afterAll(async () => env.teardown());

const refOf = (person: ChatHarness): ConversationRef => ({ channel: 'console', account: 'test', sender: person.sender });

/** Runs one event on the stored conversation; saves and returns what was decided. */
async function act(person: ChatHarness, event: ProactiveEvent) {
  const ref = refOf(person);
  const stored = await env.core.ports.conversations.load(ref);
  const decision = await env.core.engine.proactive(ref, stored, event, env.clock.now());
  if (decision.type === 'send') await env.core.ports.conversations.save(ref, decision.state, stored?.rev ?? null);
  return decision;
}

async function handoffIdOf(person: ChatHarness): Promise<string> {
  const stored = await env.core.ports.conversations.load(refOf(person));
  const mode = stored?.state.mode;
  if (mode?.type !== 'handoff') throw new Error(`${person.sender} is not with staff: ${JSON.stringify(mode)}`);
  return mode.handoffId;
}

/** A mother halfway through a request (name given, the national ID asked) who asks for a person. */
async function midRequestHandoff(sender: string): Promise<{ person: ChatHarness; handoffId: string }> {
  const person = new ChatHarness(env.core.engine, sender);
  await person.send('السلام عليكم ابي اقدم طلب مساعدة');
  await person.send('فاطمة أحمد الزهراني');
  expect(person.text).toContain(t('ar', 'request.ask.nationalId'));
  await person.send('أريد التحدث مع شخص');
  expect(person.text).toContain(t('ar', 'handoff.opened'));
  return { person, handoffId: await handoffIdOf(person) };
}

it('a staff reply goes out as typed, under the staff label, only to the chat of that handoff', async () => {
  const { person, handoffId } = await midRequestHandoff('hp-reply');
  const typed = 'أهلاً أم محمد، أنا نورة من الجمعية. سأساعدك في إكمال الطلب.';
  const sent = await act(person, { type: 'staff_reply', handoffId, text: typed });
  expect(sent.type).toBe('send');
  if (sent.type !== 'send') return;
  expect(sent.replies.map((r) => r.text)).toEqual([`${t('ar', 'handoff.staff_label')}\n${typed}`]);
  expect(sent.state.mode).toMatchObject({ type: 'handoff', handoffId });
  // Another handoff's reply (stale, or the chat has moved on) is not delivered here.
  expect(await act(person, { type: 'staff_reply', handoffId: 'some-other-handoff', text: typed })).toEqual({ type: 'skip', reason: 'not_in_handoff' });
});

it('tells a person waiting too long when to expect an answer, in Riyadh time and their language', async () => {
  const person = new ChatHarness(env.core.engine, 'hp-wait-ur');
  await person.send('assalam o alaikum, mujhe kisi insaan se baat karni hai');
  const handoffId = await handoffIdOf(person);
  const expectBy = new Date(env.clock.now().getTime() + 3_600_000);
  const wait = await act(person, { type: 'handoff_wait', handoffId, expectBy: expectBy.toISOString() });
  expect(wait.type).toBe('send');
  if (wait.type !== 'send') return;
  const lang = wait.state.language;
  expect(lang).toBe('ur');
  expect(wait.replies.map((r) => r.text)).toEqual([t('ur', 'handoff.wait_longer', { time: formatRiyadhTime(expectBy, 'ur', env.clock.now()) })]);
});

it('hands the chat back to the bot at the same step of the unfinished request, and the next answer continues it', async () => {
  const { person, handoffId } = await midRequestHandoff('hp-return');
  const back = await act(person, { type: 'handoff_returned', handoffId, closed: false });
  expect(back.type).toBe('send');
  if (back.type !== 'send') return;
  expect(back.replies.map((r) => r.text).join('\n')).toBe([t('ar', 'handoff.returned'), t('ar', 'request.ask.nationalId')].join('\n'));
  // She answers the question she was at, in Arabic-Indic digits, and the form goes on to the next step.
  await person.send(makeNationalId(4242).replace(/\d/g, (d) => '٠١٢٣٤٥٦٧٨٩'[Number(d)] as string));
  expect(person.text).toContain(t('ar', 'request.ask.phone'));
  // A second hand-back (a retried job) finds the chat with the bot already and says nothing.
  expect(await act(person, { type: 'handoff_returned', handoffId, closed: false })).toEqual({ type: 'skip', reason: 'not_in_handoff' });
});

it('closing by staff says so, and a person who was not in a form gets the menu', async () => {
  const person = new ChatHarness(env.core.engine, 'hp-close');
  await person.send('السلام عليكم');
  await person.send('ابي اكلم موظف');
  const handoffId = await handoffIdOf(person);
  const closed = await act(person, { type: 'handoff_returned', handoffId, closed: true });
  expect(closed.type).toBe('send');
  if (closed.type !== 'send') return;
  const texts = closed.replies.map((r) => r.text);
  expect(texts[0]).toBe(t('ar', 'handoff.closed_by_staff'));
  expect(closed.state.mode).toEqual({ type: 'idle' });
  expect(closed.replies.flatMap((r) => (r.options ?? []).map((o) => o.value))).toContain('intent:request_new');
});

describe('why a chat goes to staff', () => {
  const reasonOf = async (person: ChatHarness): Promise<string | null> => {
    const handoffId = await handoffIdOf(person);
    const handoff = await env.services.mongo.collection<{ _id: string; reason: string }>('handoffs').findOne({ _id: handoffId });
    return handoff?.reason ?? null;
  };

  it.each([
    ['ar', 'ما فهمت الإجراءات، ابي احد يشرح لي', 'unclear_procedures'],
    ['ar', 'الاجراءات مو واضحة ابي اكلم موظف', 'unclear_procedures'],
    ['en', "I don't understand the procedures, can I talk to someone?", 'unclear_procedures'],
    ['ur', 'mujhe tareeqa samajh nahi aaya, kisi insaan se baat karni hai', 'unclear_procedures'],
    ['ar', 'أريد التحدث مع شخص', 'requested'],
    ['ar', 'موظف', 'requested'],
  ])('%s: «%s» → %s', async (_lang, text, reason) => {
    const person = new ChatHarness(env.core.engine, `hp-reason-${text.length}-${reason}`);
    await person.send(text);
    expect(person.last?.intent).toBe('human');
    expect(await reasonOf(person)).toBe(reason);
  });

  it('in the middle of a request too: «ما فهمت الاجراءات ابي موظف» at the ID step', async () => {
    const person = new ChatHarness(env.core.engine, 'hp-reason-mid-form');
    await person.send('ابي اقدم طلب');
    await person.send('فاطمة أحمد الزهراني');
    await person.send('ما فهمت الاجراءات ابي موظف');
    expect(person.text).toContain(t('ar', 'handoff.opened'));
    expect(await reasonOf(person)).toBe('unclear_procedures');
  });
});
