import type { ConversationRef } from '../../src/engine/ports';
import { ChatHarness } from '../support/chat-harness';
import { startTestEngine, t, type TestEngine } from '../support/engine-setup';

/**
 * The survey's answer as people write it, through the engine and the real database: a survey
 * invitation is put into an idle conversation, then the person answers in their own words.
 */

let env: TestEngine;
let seq = 0;

beforeAll(async () => {
  env = await startTestEngine('survey');
});
afterAll(async () => env.teardown());

/** A person who has talked to the bot, then gets the survey invitation; returns them and the survey id. */
async function invited(greeting: string): Promise<{ person: ChatHarness; surveyId: string }> {
  seq += 1;
  const person = new ChatHarness(env.core.engine, `survey-${seq}`);
  await person.send(greeting);
  const ref: ConversationRef = { channel: 'console', account: 'test', sender: person.sender };
  const surveyId = `handoff-test-${seq}`;
  await env.core.surveys.create({ id: surveyId, subject: { type: 'handoff', id: `test-${seq}` }, conversationId: `c-${seq}`, channel: 'console', language: 'ar', supportType: null }, env.clock.now());
  const stored = await env.core.ports.conversations.load(ref);
  const decision = await env.core.engine.proactive(ref, stored, { type: 'survey', surveyId, about: 'handoff', reference: null, reminder: false }, env.clock.now());
  if (decision.type !== 'send') throw new Error(`survey not sent: ${JSON.stringify(decision)}`);
  await env.core.ports.conversations.save(ref, decision.state, stored?.rev ?? null);
  return { person, surveyId };
}

const ratingOf = async (surveyId: string): Promise<number | null | undefined> => (await env.core.surveys.get(surveyId))?.rating;

describe('survey answers as people write them', () => {
  it.each([
    ['the number', 'السلام عليكم', '5', 5],
    ['an Arabic-Indic digit', 'السلام عليكم', '٣', 3],
    ['a word', 'السلام عليكم', 'ممتاز', 5],
    ['a dialect phrase', 'السلام عليكم', 'مو زين', 2],
    ['stars', 'hello', '⭐⭐⭐⭐', 4],
    ['a face', 'hello', '😡', 1],
    ['English words', 'hello', 'very good', 4],
    ['Roman Urdu', 'assalam o alaikum bhai', 'bahut acha', 5],
    ['Urdu script', 'السلام علیکم، مجھے مدد چاہیے', 'ٹھیک ہے', 3],
    ['the option label', 'السلام عليكم', t('ar', 'followups.survey.option_4'), 4],
  ])('%s: %s', async (_form, greeting, answer, expected) => {
    const { person, surveyId } = await invited(greeting);
    await person.send(answer);
    expect(person.last?.intent).toBe('survey_rating');
    expect(await ratingOf(surveyId)).toBe(expected);
  });

  it('a question instead of a rating is answered, and the rating is still taken afterwards', async () => {
    const { person, surveyId } = await invited('السلام عليكم');
    await person.send('وش المستندات المطلوبة؟');
    expect(person.last?.intent).toBe('documents');
    expect(await ratingOf(surveyId)).toBeNull();
    await person.send('ممتاز');
    expect(await ratingOf(surveyId)).toBe(5);
    // A bare number later in the chat is a menu choice, not a rating (only words, stars and faces count then).
    const other = await invited('السلام عليكم');
    await other.person.send('مرحبا');
    await other.person.send('4');
    expect(await ratingOf(other.surveyId)).toBeNull();
  });

  it('a low rating opens a task and asks what happened; the comment is stored sealed; "skip" is accepted too', async () => {
    const { person, surveyId } = await invited('السلام عليكم');
    await person.send('سيء جدا');
    expect(person.text).toBe(t('ar', 'followups.survey.thanks_low'));
    expect((await env.core.tasks.listOpen()).map((task) => task._id)).toContain(`low_satisfaction-${surveyId}`);
    await person.send('انتظرت أسبوعين ولم يتصل بي أحد');
    expect(person.text).toBe(t('ar', 'followups.survey.comment_thanks'));
    const doc = await env.core.surveys.get(surveyId);
    expect(doc && env.core.surveys.commentOf(doc)).toBe('انتظرت أسبوعين ولم يتصل بي أحد');

    const second = await invited('hello');
    await second.person.send('5');
    await second.person.send('skip');
    expect(second.person.text).toBe(t('en', 'followups.survey.done'));
    expect((await env.core.surveys.get(second.surveyId))?.commentSealed).toBeNull();
  });

  it('asking for a person at the comment step opens the handoff, and nothing is stored as a comment', async () => {
    const { person, surveyId } = await invited('السلام عليكم');
    await person.send('4');
    await person.send('موظف');
    expect(person.last?.intent).toBe('human');
    expect((await env.core.surveys.get(surveyId))?.commentSealed).toBeNull();
  });
});

describe('talking to a person after a low rating', () => {
  const reasonOf = async (person: ChatHarness): Promise<string | undefined> => {
    const stored = await env.core.ports.conversations.load({ channel: 'console', account: 'test', sender: person.sender });
    const mode = stored?.state.mode;
    if (mode?.type !== 'handoff') return undefined;
    const handoff = await env.services.mongo.collection<{ _id: string; reason: string }>('handoffs').findOne({ _id: mode.handoffId });
    return handoff?.reason;
  };

  it('is offered with the comment question, and taking it (tapped, typed as words or as its number) opens a handoff staff see as low satisfaction', async () => {
    for (const [rating, take] of [['1', 'survey:talk'], ['سيء', t('ar', 'followups.survey.talk')], ['مو زين', '1'], ['2', 'موظف']] as const) {
      const { person, surveyId } = await invited('السلام عليكم');
      await person.send(rating);
      expect(person.text).toBe(t('ar', 'followups.survey.thanks_low'));
      expect(person.values).toEqual(['survey:talk', 'survey:skip']);
      await person.send(take);
      expect([take, person.last?.intent]).toEqual([take, 'human']);
      expect(person.text).toContain(t('ar', 'handoff.opened'));
      expect([take, await reasonOf(person)]).toEqual([take, 'low_satisfaction']);
      // Not a comment: nothing of it is kept as one.
      expect((await env.core.surveys.get(surveyId))?.commentSealed).toBeNull();
    }
  });

  it('a comment that asks for a person after a low rating is kept, and the handoff says low satisfaction', async () => {
    const { person, surveyId } = await invited('السلام عليكم');
    await person.send('2');
    await person.send('الرد كان بطيء، أبغى أكلم موظف');
    expect(person.text).toContain(t('ar', 'followups.survey.comment_thanks'));
    expect(person.text).toContain(t('ar', 'handoff.opened'));
    expect(await reasonOf(person)).toBe('low_satisfaction');
    const doc = await env.core.surveys.get(surveyId);
    expect(doc && env.core.surveys.commentOf(doc)).toBe('الرد كان بطيء، أبغى أكلم موظف');
  });

  it('is not offered after a good rating; asking for a person then is an ordinary request', async () => {
    const { person } = await invited('hello');
    await person.send('4');
    expect(person.values).toEqual(['survey:skip']);
    await person.send('I want to talk to a person');
    expect(await reasonOf(person)).toBe('requested');
  });
});

describe('a comment that also asks for something', () => {
  it('is kept as the comment, then handled as the ask («أبغى أكلم موظف» opens a handoff)', async () => {
    const { person, surveyId } = await invited('السلام عليكم');
    await person.send('2');
    await person.send('الرد كان بطيء، أبغى أكلم موظف');
    expect(person.text).toContain(t('ar', 'followups.survey.comment_thanks'));
    expect(person.last?.intent).toBe('human');
    const doc = await env.core.surveys.get(surveyId);
    expect(doc && env.core.surveys.commentOf(doc)).toBe('الرد كان بطيء، أبغى أكلم موظف');
  });
});

describe('the survey next to other conversations', () => {
  it('never takes a form step’s answer as a rating («راضي» is a name, «سيء جدا» a description)', async () => {
    const { person, surveyId } = await invited('السلام عليكم');
    await person.send('ابي اقدم طلب');
    await person.send('راضي محمد العتيبي');
    expect(person.text).toContain(t('ar', 'request.ask.nationalId'));
    expect(await ratingOf(surveyId)).toBeNull();
    // A tapped star still counts, and the form's question comes again.
    await person.send('rate:4');
    expect(await ratingOf(surveyId)).toBe(4);
    expect(person.text).toContain(t('ar', 'request.ask.nationalId'));
  });

  it('at the comment step: another star changes the rating, a question is answered (not kept), thanks ends it', async () => {
    const { person, surveyId } = await invited('السلام عليكم');
    await person.send('2');
    await person.send('rate:5');
    expect(await ratingOf(surveyId)).toBe(5);
    expect(person.text).toBe(t('ar', 'followups.survey.thanks'));
    await person.send('متى يطلع القرار؟');
    expect(person.last?.intent).toBe('timeline');
    expect((await env.core.surveys.get(surveyId))?.commentSealed).toBeNull();

    const other = await invited('السلام عليكم');
    await other.person.send('ممتاز');
    await other.person.send('شكرا');
    expect(other.person.text).toBe(t('ar', 'followups.survey.done'));
    expect((await env.core.surveys.get(other.surveyId))?.commentSealed).toBeNull();
  });

  it('a bare «تمام» or "ok" answers the invitation without rating', async () => {
    const { person, surveyId } = await invited('السلام عليكم');
    await person.send('تمام');
    expect(await ratingOf(surveyId)).toBeNull();
    await person.send('4');
    expect(await ratingOf(surveyId)).toBeNull(); // the question is no longer the last one asked
    await person.send('٤ نجوم');
    expect(await ratingOf(surveyId)).toBe(4);
  });
});

describe('when the invitation may go out', () => {
  it('waits while a form is being filled in, but a form left for a day does not hold it back (the draft stays)', async () => {
    const person = new ChatHarness(env.core.engine, 'survey-busy');
    await person.send('ابي اقدم طلب');
    const ref: ConversationRef = { channel: 'console', account: 'test', sender: person.sender };
    const event = { type: 'survey' as const, surveyId: 'handoff-busy', about: 'handoff' as const, reference: null, reminder: false };
    await env.core.surveys.create({ id: event.surveyId, subject: { type: 'handoff', id: 'busy' }, conversationId: 'c-busy', channel: 'console', language: 'ar', supportType: null }, env.clock.now());
    const now = await env.core.engine.proactive(ref, await env.core.ports.conversations.load(ref), event, env.clock.now());
    expect(now).toMatchObject({ type: 'later', reason: 'busy' });
    env.clock.advance(24 * 3_600_000);
    const later = await env.core.engine.proactive(ref, await env.core.ports.conversations.load(ref), event, env.clock.now());
    expect(later.type).toBe('send');
    if (later.type !== 'send') return;
    expect(later.state.mode).toEqual({ type: 'idle' });
    expect(later.state.draft).not.toBeNull();
    expect(later.replies.map((r) => r.text)).toEqual([t('ar', 'followups.survey.invite_handoff', { reference: '' })]);
  });
});
