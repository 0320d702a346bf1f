import { Redis } from 'ioredis';
import type { Recipient, SendOutcome } from '../../src/channels/channel';
import type { Reply } from '../../src/domain/messages';
import { PROCESSED_KEPT } from '../../src/persistence/conversation-records';
import { makeInbound } from '../support/fixtures';
import { eventually, startTestPipeline } from '../support/pipeline';
import { acceptInChild, startPipelineChild, stopChild } from '../support/pipeline-child';
import { readSent, RecordingSender } from '../support/recording-sender';
import { t } from '../support/engine-setup';

const redis = new Redis(process.env.REDIS_URL as string);
afterAll(async () => redis.quit());

const GENEROUS = { perSenderPerMinute: 10_000, backlogCap: 10_000, globalPerSecond: 10_000 };

describe('pipeline fairness and flood control (real FerretDB, Redis, BullMQ)', () => {
  it('answers a quiet conversation while another one has a long backlog, across two processes, keeping the flood in order', async () => {
    const sentKey = `sent:${Date.now()}:fair`;
    // One conversation at a time per process: the worst case for head-of-line blocking.
    const run = await startTestPipeline('fair', ({ env }) => [{ channel: 'console', sender: new RecordingSender('console', env.services.redis, sentKey, 'parent') }], {
      concurrency: 1,
      admission: GENEROUS,
    });
    const child = await startPipelineChild(run, sentKey, { T_CONCURRENCY: '1', T_GENEROUS: '1' });
    try {
      const flood = Array.from({ length: 60 }, (_, i) => makeInbound({ sender: 'flooder', text: i % 2 ? 'شكرا' : 'السلام عليكم', messageId: `flood-${i}` }));
      for (const [i, message] of flood.entries()) {
        if (i % 2 === 0) expect(await run.pipeline.gateway.accept(message)).toBe('accepted');
        else expect(await acceptInChild(child, message)).toBe('accepted');
      }
      const quietAt = Date.now();
      expect(await run.pipeline.gateway.accept(makeInbound({ sender: 'quiet', text: 'ما هي ساعات العمل؟', messageId: 'quiet-1' }))).toBe('accepted');
      await eventually(async () => ((await readSent(redis, sentKey)).some((s) => s.to === 'quiet') ? true : undefined), 20_000, 'the quiet reply');
      const quietWaitMs = Date.now() - quietAt;
      const floodRepliesBefore = (await readSent(redis, sentKey)).filter((s) => s.to === 'flooder').length;
      const convId = run.pipeline.records.idOf({ channel: 'console', account: 'test', sender: 'flooder' });
      const backlogLeft = await run.pipeline.mailbox.backlog(convId);
      process.stdout.write(`fairness: quiet reply after ${quietWaitMs} ms; flood backlog still ${backlogLeft} of 60, ${floodRepliesBefore} flood replies sent before it\n`);
      // Round robin: the quiet conversation waited for a batch or two of the flood, not for the whole of it.
      expect(backlogLeft).toBeGreaterThan(30);

      await eventually(async () => ((await run.pipeline.mailbox.backlog(convId)) === 0 ? true : undefined), 60_000, 'the flood to drain');
      // The flood was handled in arrival order: the conversation's processed ids are its messages, stored order.
      const inbound = run.env.services.mongo.collection<{ _id: string; storedAt: Date; conversationId: string }>('inbound_messages');
      const stored = (await inbound.find({ conversationId: convId }).sort({ storedAt: 1 }).toArray()).map((d) => d._id);
      const doc = await run.pipeline.records.load(convId);
      expect(stored).toHaveLength(60);
      // The last PROCESSED_KEPT of them, in stored order.
      expect(doc?.processed).toEqual(stored.slice(-PROCESSED_KEPT));
    } finally {
      await stopChild(child);
      await run.close();
    }
  }, 120_000);

  it('merges flushes: one sender at a time per conversation, however many replies pile up', async () => {
    const sentKey = `sent:${Date.now()}:merge`;
    let sender: SlowSender | null = null;
    const run = await startTestPipeline('merge', ({ env }) => {
      sender = new SlowSender(env.services.redis, sentKey);
      return [{ channel: 'console', sender }];
    }, { admission: GENEROUS });
    try {
      const handOvers: string[] = [];
      const original = run.pipeline.send.handOver.bind(run.pipeline.send);
      run.pipeline.send.handOver = async (...args) => {
        handOvers.push(args[1].conversationId);
        return original(...args);
      };
      for (let i = 0; i < 15; i += 1) await run.pipeline.gateway.accept(makeInbound({ sender: 'merge-1', text: 'شكرا', messageId: `merge-${i}` }));
      await eventually(async () => ((await readSent(redis, sentKey)).length >= 15 ? true : undefined), 30_000, 'fifteen replies');
      const slow = sender as unknown as SlowSender;
      expect(slow.maxConcurrent).toBe(1);
      // Replies that arrived while a send was running were taken by the running sender, not by new flush jobs.
      expect(handOvers.length).toBeLessThanOrEqual(2);
    } finally {
      await run.close();
    }
  }, 60_000);

  it('caps a conversation backlog and tells a flooding sender once, in their language, to slow down; nothing accepted is lost', async () => {
    const sentKey = `sent:${Date.now()}:cap`;
    const run = await startTestPipeline('cap', ({ env }) => [{ channel: 'console', sender: new RecordingSender('console', env.services.redis, sentKey, 'p') }], {
      workers: false,
      admission: { perSenderPerMinute: 10_000, backlogCap: 5, globalPerSecond: 10_000 },
    });
    try {
      const outcomes: unknown[] = [];
      for (let i = 0; i < 8; i += 1) outcomes.push(await run.pipeline.gateway.accept(makeInbound({ sender: 'cap-1', text: 'thank you so much', messageId: `cap-${i}` })));
      expect(outcomes.slice(0, 5)).toEqual(Array(5).fill('accepted'));
      for (const refused of outcomes.slice(5)) expect(refused).toEqual({ type: 'refused', reason: 'backlog', retryAfterMs: expect.any(Number) });
      expect(await run.env.services.mongo.collection('inbound_messages').countDocuments()).toBe(5);
      run.pipeline.startWorkers(run.env.core.engine);
      const sent = await eventually(async () => {
        const all = await readSent(redis, sentKey);
        return all.filter((s) => s.text === t('en', 'answers.thanks')).length === 5 ? all : undefined;
      }, 20_000, 'five answers');
      expect(sent.filter((s) => s.text === t('en', 'answers.slow_down'))).toHaveLength(1);
    } finally {
      await run.close();
    }
  });

  it('refuses a sender over the per-minute limit without storing the message', async () => {
    const run = await startTestPipeline('rate', () => [], { workers: false, admission: { perSenderPerMinute: 3, backlogCap: 100, globalPerSecond: 10_000 } });
    try {
      const send = (i: number, sender = 'rate-1'): Promise<unknown> => run.pipeline.gateway.accept(makeInbound({ sender, text: 'hello', messageId: `${sender}-${i}` }));
      expect([await send(1), await send(2), await send(3)]).toEqual(['accepted', 'accepted', 'accepted']);
      expect(await send(4)).toMatchObject({ type: 'refused', reason: 'too_fast' });
      expect(await send(5, 'rate-2')).toBe('accepted'); // another person is not affected
      expect(await run.env.services.mongo.collection('inbound_messages').countDocuments()).toBe(4);
    } finally {
      await run.close();
    }
  });
});

/** Sends slowly and records how many sends of one chat overlap (exactly one owner must send at a time). */
class SlowSender extends RecordingSender {
  private active = 0;
  maxConcurrent = 0;

  constructor(redis: Redis, key: string) {
    super('console', redis, key, 'slow');
  }

  override async send(to: Recipient, reply: Reply): Promise<SendOutcome> {
    this.active += 1;
    this.maxConcurrent = Math.max(this.maxConcurrent, this.active);
    try {
      await new Promise((resolve) => setTimeout(resolve, 30));
      return await super.send(to, reply);
    } finally {
      this.active -= 1;
    }
  }
}
