import { ChatHarness } from '../support/chat-harness';
import { makeNationalId } from '../support/fixtures';
import { sharedClassifier, startTestEngine, t, type TestEngine } from '../support/engine-setup';
import { buildCore, type Core } from '../../src/runtime/engine-factory';
import { conversationId } from '../../src/persistence/conversation.store';
import { liftStatusLocks } from '../../src/engine/flows/status-guard';

let env: TestEngine;
let core: Core;
const faults: string[] = [];
beforeAll(async () => {
  env = await startTestEngine('repair');
  core = await buildCore({ handoffNoticeMinutes: 5, draftResumeMinutes: 30 }, env.services, {
    clock: env.clock,
    classifier: sharedClassifier(),
    faults: { unreadableRecord: (detail) => void faults.push(detail) },
  });
});
afterAll(async () => env.teardown());

describe('graceful failure (real MongoDB-compatible server and Redis)', () => {
  it('apologises and tells staff when the stored answers cannot be decrypted, then carries on', async () => {
    const chat = new ChatHarness(core.engine, 'corrupt-1');
    await chat.send('ابي اقدم طلب دعم');
    await chat.send('فاطمة أحمد الزهراني');
    const id = conversationId(env.services.cipher, { channel: 'console', account: 'test', sender: 'corrupt-1' });
    await core.models.Conversation.updateOne({ _id: id }, { $set: { 'formsSealed.ct': 'AAAA' } });
    await chat.send('السلام عليكم');
    expect(chat.text).toContain(t('ar', 'answers.record_unreadable'));
    expect(faults.some((f) => f.includes(id))).toBe(true);
    expect(JSON.stringify(faults)).not.toContain('فاطمة');
    await chat.send('ابي اقدم طلب دعم');
    expect(chat.text).toContain(t('ar', 'request.ask.applicantName'));
  });

  it('asks politely to shorten a message longer than the channel allows, in the person\'s language, storing nothing', async () => {
    const chat = new ChatHarness(core.engine, 'long-1');
    await chat.send('I want to apply for support');
    await chat.send('x'.repeat(5000));
    expect(chat.text).toContain(t('en', 'answers.too_long', { max: 4096 }));
    expect(chat.text).toContain(t('en', 'request.ask.applicantName'));
    const stored = await core.ports.conversations.load({ channel: 'console', account: 'test', sender: 'long-1' });
    expect(stored?.state.draft?.applicantName).toBeUndefined();
  });
});

describe('no dead ends', () => {
  it('«إلغاء» with nothing to cancel shows the main menu', async () => {
    const chat = new ChatHarness(core.engine, 'cancel-first');
    await chat.send('إلغاء');
    expect(chat.text).toContain(t('ar', 'menu.nothing_to_cancel'));
    expect(chat.values).toContain('intent:request_new');
  });

  it('names the way out after the second miss at a step', async () => {
    const chat = new ChatHarness(core.engine, 'misses-1');
    await chat.send('ابي اقدم طلب دعم');
    await chat.send('خالد سعيد العتيبي');
    await chat.send('123');
    expect(chat.text).not.toContain(t('ar', 'understanding.way_out'));
    await chat.send('12345');
    expect(chat.text).toContain(t('ar', 'understanding.way_out'));
    await chat.send(makeNationalId(9401));
    expect(chat.text).toContain(t('ar', 'request.ask.phone'));
  });

  it('during a handoff, «القائمة» offers to go back to the bot and keeps the handoff until chosen', async () => {
    const chat = new ChatHarness(core.engine, 'handoff-menu');
    await chat.send('ابي اكلم موظف');
    const open = (await core.handoffs.listOpen()).at(-1);
    await chat.send('القائمة');
    expect(chat.text).toContain(t('ar', 'handoff.menu_offer'));
    expect(await core.ports.handoffs.isOpen(open?.id as string)).toBe(true);
    await chat.send(chat.numberOf('handoff:stay'));
    expect(chat.text).toContain(t('ar', 'handoff.staying'));
    expect(await core.ports.handoffs.isOpen(open?.id as string)).toBe(true);
    await chat.send('menu');
    await chat.send(chat.numberOf('handoff:leave'));
    expect(chat.text).toContain(t('ar', 'handoff.cancelled'));
    expect(await core.ports.handoffs.isOpen(open?.id as string)).toBe(false);
  });
});

describe('status lock-outs', () => {
  it('grows the cool-down of a failing sender, states the real wait, and staff can lift it', async () => {
    const wrong = '0000';
    const reference = 'BSR-2026-77777';
    const chat = new ChatHarness(core.engine, 'grower');
    await chat.send(reference);
    expect(chat.text).toContain(t('ar', 'status.ask_last_four'));
    for (let i = 0; i < 3; i += 1) await chat.send(wrong);
    expect(chat.text).toContain(t('ar', 'status.locked_wait', { minutes: 15 }));
    await liftStatusLocks(core.ports.attempts, reference);
    await chat.send(reference);
    for (let i = 0; i < 3; i += 1) await chat.send(wrong);
    // Second cool-down of the same sender: four times longer.
    expect(chat.text).toContain(t('ar', 'status.locked_wait', { minutes: 60 }));
    await liftStatusLocks(core.ports.attempts, reference);
    await chat.send(reference);
    await chat.send(wrong);
    expect(chat.text).toBe(t('ar', 'status.mismatch', { left: 2 }));
  });
});
