import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { INBOUND_QUEUE, processTurns } from '../../src/jobs/inbound.queue';
import { makeApologiser, MAX_RECOVERIES, recoverStalled, type RecoveryDeps } from '../../src/jobs/recovery';
import { SEND_QUEUE } from '../../src/jobs/send.queue';
import { initialState } from '../../src/engine/state';
import { createLogger } from '../../src/logging/logger';
import type { InboundMessage } from '../../src/domain/messages';
import { makeInbound, makeNationalId } from '../support/fixtures';
import { eventually, startTestPipeline } from '../support/pipeline';
import { acceptInChild, startPipelineChild, stopChild } from '../support/pipeline-child';
import { readSent, RecordingSender } from '../support/recording-sender';
import { t } from '../support/engine-setup';

const redis = new Redis(process.env.REDIS_URL as string);
afterAll(async () => redis.quit());

/** The whole request as one burst: only strictly in-order processing ends with a reference. */
function requestBurst(sender: string, seed: number, start: number): InboundMessage[] {
  const texts = [
    'ابي اقدم طلب دعم',
    'نورة محمد القحطاني',
    makeNationalId(seed),
    '0501234567',
    '2', // relation: spouse
    'سعد علي القحطاني',
    '1', // facility
    '1', // support type
    'نحتاج مساعدة في الإيجار والمصاريف',
    '9', // summary: data correct
    '1', // attest
  ];
  return texts.map((text, i) => makeInbound({ sender, text, messageId: `${sender}-${i}`, receivedAt: new Date(start + i) }));
}

describe('message pipeline (real FerretDB, Redis, BullMQ)', () => {
  it('drops redeliveries: the same platform message is answered once', async () => {
    const sentKey = `sent:${Date.now()}:dup`;
    const run = await startTestPipeline('dup', ({ env }) => [{ channel: 'console', sender: new RecordingSender('console', env.services.redis, sentKey, 'p') }]);
    try {
      const message = makeInbound({ sender: 'dup-1', text: 'السلام عليكم', messageId: 'same-id' });
      expect(await run.pipeline.gateway.accept(message)).toBe('accepted');
      expect(await run.pipeline.gateway.accept({ ...message })).toBe('duplicate');
      const sent = await eventually(async () => ((await readSent(redis, sentKey)).length >= 2 ? readSent(redis, sentKey) : undefined));
      // Asking for the conversation's replies to be sent again sends nothing twice.
      await run.pipeline.resend(await conversationIdOf(run, 'dup-1'), 'console');
      await eventually(async () => ((await sendJobsLeft(run)) === 0 ? true : undefined), 10_000, 'the flush job');
      expect((await readSent(redis, sentKey)).length).toBe(sent.length);
      expect(await run.env.services.mongo.collection('inbound_messages').countDocuments()).toBe(1);
    } finally {
      await run.close();
    }
  });

  it('stores no phone number or platform id in clear anywhere, even when the platform message id embeds it', async () => {
    const sentKey = `sent:${Date.now()}:privacy`;
    const run = await startTestPipeline('privacy', ({ env }) => [{ channel: 'console', sender: new RecordingSender('console', env.services.redis, sentKey, 'p') }]);
    try {
      const sender = '966501234567@c.us';
      const base = { sender, verifiedPhone: '+966501234567' };
      await run.pipeline.gateway.accept(makeInbound({ ...base, text: 'ابي اقدم طلب دعم', messageId: `false_${sender}_AAA1`, receivedAt: new Date(Date.now()) }));
      await eventually(async () => ((await readSent(redis, sentKey)).length >= 2 ? true : undefined));
      const db = run.env.services.mongo.db;
      const dump: string[] = [];
      for (const c of await db!.listCollections().toArray()) dump.push(JSON.stringify(await db!.collection(c.name).find().toArray()));
      const everything = dump.join('\n');
      expect(everything.length).toBeGreaterThan(1000);
      expect(everything).not.toContain('501234567');
      expect(everything).not.toContain('AAA1');
    } finally {
      await run.close();
    }
  });

  it('keeps a conversation in order when handling a message fails once (the next message waits)', async () => {
    const sentKey = `sent:${Date.now()}:blip`;
    const run = await startTestPipeline('blip', ({ env }) => [{ channel: 'console', sender: new RecordingSender('console', env.services.redis, sentKey, 'p') }], { workers: false });
    try {
      const real = run.env.core.engine;
      let failures = 1;
      const flaky = {
        decide: async (m: InboundMessage, stored: Parameters<typeof real.decide>[1]) => {
          if (m.messageId === 'blip-0' && failures > 0) {
            failures -= 1;
            throw new Error('transient storage fault');
          }
          return real.decide(m, stored);
        },
        apologise: (m: InboundMessage) => real.apologise(m),
      } as unknown as typeof real;
      run.pipeline.startWorkers(flaky);
      const t0 = Date.now();
      await run.pipeline.gateway.accept(makeInbound({ sender: 'blip-1', text: 'ابي اقدم طلب دعم', messageId: 'blip-0', receivedAt: new Date(t0) }));
      await run.pipeline.gateway.accept(makeInbound({ sender: 'blip-1', text: 'نورة محمد القحطاني', messageId: 'blip-1', receivedAt: new Date(t0 + 1) }));
      const sent = await eventually(async () => {
        const all = await readSent(redis, sentKey);
        return all.some((s) => s.text === t('ar', 'request.ask.nationalId')) ? all : undefined;
      }, 20_000, 'the ID question');
      expect(sent.at(-1)?.text).toBe(t('ar', 'request.ask.nationalId'));
      expect(failures).toBe(0);
    } finally {
      await run.close();
    }
  });

  it('keeps platform commands and language hints through the stored inbound record', async () => {
    const sentKey = `sent:${Date.now()}:cmd`;
    const run = await startTestPipeline('cmd', ({ env }) => [{ channel: 'console', sender: new RecordingSender('console', env.services.redis, sentKey, 'p') }]);
    try {
      await run.pipeline.gateway.accept(makeInbound({ sender: 'cmd-1', text: '', command: 'start', languageHint: 'ur', messageId: 'c-1' }));
      const sent = await eventually(async () => ((await readSent(redis, sentKey)).length >= 2 ? readSent(redis, sentKey) : undefined));
      expect(sent[0]?.text).toBe(t('ur', 'answers.welcome'));
    } finally {
      await run.close();
    }
  });

  it('honours a 429 and retries a 5xx, delivering each bubble exactly once and in order', async () => {
    const sentKey = `sent:${Date.now()}:retry`;
    let sender: RecordingSender | null = null;
    const run = await startTestPipeline('retry', ({ env }) => {
      sender = new RecordingSender('console', env.services.redis, sentKey, 'p');
      return [{ channel: 'console', sender }];
    });
    try {
      (sender as unknown as RecordingSender).failNext({ type: 'rate_limited', retryAfterMs: 300 }, { type: 'failed', retryable: true, reason: 'HTTP 502' });
      await run.pipeline.gateway.accept(makeInbound({ sender: 'retry-1', text: 'السلام عليكم', messageId: 'r-1' }));
      const outbound = run.env.services.mongo.collection('outbound_messages');
      await eventually(async () => ((await outbound.countDocuments({ status: 'sent' })) === 2 ? true : undefined), 20_000, 'two bubbles sent');
      const sent = await readSent(redis, sentKey);
      expect(sent).toHaveLength(2);
      const docs = await outbound.find().sort({ seq: 1 }).toArray();
      expect(docs.map((d) => d.status)).toEqual(['sent', 'sent']);
      expect(docs[0]?.attempts).toBe(3); // 429, then 502, then delivered
    } finally {
      await run.close();
    }
  });

  it('writes the log row of a channel that delivers what is recorded (the web chat) as sent before its call, with no settlement after', async () => {
    const sentKey = `sent:${Date.now()}:recorded`;
    const atCall: string[][] = [];
    let rows: (() => Promise<string[]>) | null = null;
    class RecordedSender extends RecordingSender {
      readonly deliveredOnceRecorded = true;
      override async send(to: Parameters<RecordingSender['send']>[0], reply: Parameters<RecordingSender['send']>[1]): ReturnType<RecordingSender['send']> {
        atCall.push(await (rows as () => Promise<string[]>)());
        return super.send(to, reply);
      }
    }
    const run = await startTestPipeline('recorded', ({ env }) => [{ channel: 'console', sender: new RecordedSender('console', env.services.redis, sentKey, 'p') }]);
    const outbound = run.env.services.mongo.collection<{ _id: string; status: string; sentAt: Date | null; claimedAt: Date }>('outbound_messages');
    rows = async () => (await outbound.find().sort({ seq: 1 }).toArray()).map((d) => d.status);
    const settled = jest.spyOn(run.pipeline.log, 'settleOutbound');
    try {
      await run.pipeline.gateway.accept(makeInbound({ sender: 'recorded-1', text: 'السلام عليكم', messageId: 'rec-1' }));
      const sent = await eventually(async () => ((await readSent(redis, sentKey)).length >= 2 ? readSent(redis, sentKey) : undefined));
      // Each call finds its own row already `sent` (a crash now would leave it in the page's history, not `unknown`).
      expect(atCall).toEqual([['sent'], ['sent', 'sent']]);
      await new Promise((resolve) => setTimeout(resolve, 300)); // settlements are batched every 20 ms
      expect(settled).not.toHaveBeenCalled();
      const docs = await outbound.find().sort({ seq: 1 }).toArray();
      expect(docs).toHaveLength(sent.length);
      for (const doc of docs) expect(doc.sentAt).toEqual(doc.claimedAt);
    } finally {
      settled.mockRestore();
      await run.close();
    }
  });

  it('never re-sends a bubble whose send was interrupted (marked unknown instead)', async () => {
    const sentKey = `sent:${Date.now()}:crash`;
    const run = await startTestPipeline('crash', ({ env }) => [{ channel: 'console', sender: new RecordingSender('console', env.services.redis, sentKey, 'p') }], { workers: false });
    try {
      const ref = { channel: 'console' as const, account: 'test', sender: 'crash-1' };
      await addBubbles(run, ref, 'cause-1', ['a', 'b'], new Date());
      await markSending(run, ref, 'cause-1:0'); // a process died mid-call
      const outbound = run.env.services.mongo.collection<{ _id: string; status: string }>('outbound_messages');
      run.pipeline.startWorkers(run.env.core.engine);
      await run.pipeline.resend(await conversationIdOf(run, 'crash-1'), 'console');
      await eventually(async () => ((await outbound.findOne({ _id: 'cause-1:1' }))?.status === 'sent' ? true : undefined));
      expect((await outbound.findOne({ _id: 'cause-1:0' }))?.status).toBe('unknown');
      expect((await readSent(redis, sentKey)).map((s) => s.text)).toEqual(['b']);
    } finally {
      await run.close();
    }
  });

  it('recovers stored work whose queue job was lost or gave up: the message is answered and pending bubbles are sent, once', async () => {
    const sentKey = `sent:${Date.now()}:recover`;
    const run = await startTestPipeline('recover', ({ env }) => [{ channel: 'console', sender: new RecordingSender('console', env.services.redis, sentKey, 'p') }], { workers: false });
    const queues: Queue[] = [];
    try {
      const now = Date.now();
      const longAgo = new Date(now - 10 * 60_000);
      // Stored ten minutes ago, but its job never ran (Redis lost it, or its retries ran out).
      const stale = await run.pipeline.log.recordInbound(makeInbound({ sender: 'rec-1', text: 'السلام عليكم', messageId: 'rec-in-1' }), longAgo);
      // Stored a moment ago: its job may still be on its way, so it is not touched.
      await run.pipeline.log.recordInbound(makeInbound({ sender: 'rec-3', text: 'شكرا', messageId: 'rec-in-3' }), new Date(now));
      const ref = { channel: 'console' as const, account: 'test', sender: 'rec-2' };
      await addBubbles(run, ref, 'rec-cause', ['first', 'second'], longAgo);
      // A crash left this one's first bubble `sending`: recovery flushes it, which marks it unknown.
      const crashed = { channel: 'console' as const, account: 'test', sender: 'rec-4' };
      await addBubbles(run, crashed, 'rec-crash', ['maybe sent', 'after'], longAgo);
      await markSending(run, crashed, 'rec-crash:0');
      const deps = recoveryDeps(run);

      expect(await recoverStalled(deps, new Date(now))).toEqual({ inbound: 1, failed: 0, conversations: 2 });
      // The second sweep finds the message back in its mailbox with a job on its way: waiting, not stalled.
      expect(await recoverStalled(deps, new Date(now))).toEqual({ inbound: 0, failed: 0, conversations: 2 });
      // Sweeping twice queued each piece of work once.
      const connection = { url: process.env.REDIS_URL as string };
      // Jobs waiting for this conversation.
      const waiting = async (name: string, conversation: string): Promise<number> => {
        const queue = new Queue<{ conversationId: string }>(name, { connection, prefix: run.prefix });
        queues.push(queue);
        return (await queue.getWaiting()).filter((job) => job.data.conversationId === conversation).length;
      };
      expect(await waiting(INBOUND_QUEUE, stale.conversationId)).toBe(1);
      expect(await waiting(SEND_QUEUE, await conversationIdOf(run, 'rec-2'))).toBe(1);

      run.pipeline.startWorkers(run.env.core.engine);
      const outbound = run.env.services.mongo.collection('outbound_messages');
      await eventually(async () => ((await outbound.countDocuments({ status: 'sent' })) >= 5 ? true : undefined), 20_000, 'recovered replies sent');
      const sent = await readSent(redis, sentKey);
      expect(sent.filter((m) => m.to === 'rec-2').map((m) => m.text)).toEqual(['first', 'second']);
      expect(sent.filter((m) => m.to === 'rec-4').map((m) => m.text)).toEqual(['after']);
      expect((await outbound.findOne({ _id: 'rec-crash:0' as never }))?.['status']).toBe('unknown');
      expect(sent.filter((m) => m.to === 'rec-1')[0]?.text).toBe(t('ar', 'answers.welcome'));
      expect(sent.some((m) => m.to === 'rec-3')).toBe(false);
      // The "done" marks are written in batches, off the reply's path.
      await eventually(async () => ((await recoverStalled(deps, new Date(now))).inbound === 0 ? true : undefined), 5_000, 'a clean sweep');
      expect(await recoverStalled(deps, new Date(now))).toEqual({ inbound: 0, failed: 0, conversations: 0 });
    } finally {
      await Promise.all(queues.map((q) => q.close()));
      await run.close();
    }
  });

  it('gives up on a message after repeated recoveries, so one that always fails cannot hold its shard for ever, and tells its writer', async () => {
    const sentKey = `sent:${Date.now()}:giveup`;
    const run = await startTestPipeline('giveup', ({ env }) => [{ channel: 'console', sender: new RecordingSender('console', env.services.redis, sentKey, 'p') }], { workers: false });
    try {
      const stale = await run.pipeline.log.recordInbound(makeInbound({ sender: 'poison-1', text: 'mujhe madad chahiye', messageId: 'poison-in' }), new Date(Date.now() - 10 * 60_000));
      const apologise = makeApologiser({ engine: run.env.core.engine, log: run.pipeline.log, records: run.pipeline.records, resend: run.pipeline.resend });
      const deps = { ...recoveryDeps(run), apologise };
      // Each time its job fails for good (the worker then drops the conversation's turn flag), a sweep queues it again.
      const jobFailedForGood = (): Promise<void> => run.pipeline.mailbox.dropTurnFlag(stale.conversationId);
      for (let sweep = 1; sweep <= MAX_RECOVERIES; sweep += 1) {
        expect(await recoverStalled(deps, new Date())).toMatchObject({ inbound: 1, failed: 0 });
        // While its job is still on its way, the message is only waiting: not counted.
        expect(await recoverStalled(deps, new Date())).toMatchObject({ inbound: 0, failed: 0 });
        await jobFailedForGood();
      }
      expect(await recoverStalled(deps, new Date())).toMatchObject({ inbound: 0, failed: 1 });
      expect(await run.pipeline.mailbox.backlog(stale.conversationId)).toBe(0);
      expect(await recoverStalled(deps, new Date())).toMatchObject({ inbound: 0, failed: 0 });
      const doc = await run.env.services.mongo.collection<{ _id: string; status: string }>('inbound_messages').findOne({ _id: stale.id });
      expect(doc?.status).toBe('failed');
      expect(await run.pipeline.log.unanswered(10)).toEqual([{ id: stale.id, channel: 'console', storedAt: expect.any(Date), status: 'failed' }]);
      // Run the workers: the failed message stays in its mailbox but is not handled; only the apology goes out, in Urdu.
      run.pipeline.startWorkers(run.env.core.engine);
      const sent = await eventually(async () => ((await readSent(redis, sentKey)).length >= 1 ? readSent(redis, sentKey) : undefined), 10_000, 'the apology');
      expect(sent.map((m) => [m.to, m.text])).toEqual([['poison-1', t('ur', 'answers.not_processed')]]);
    } finally {
      await run.close();
    }
  });

  it('does not run a message that a later one of the same chat overtook (a stale "1" must not answer the question open now)', async () => {
    const sentKey = `sent:${Date.now()}:overtaken`;
    const run = await startTestPipeline('overtaken', ({ env }) => [{ channel: 'console', sender: new RecordingSender('console', env.services.redis, sentKey, 'p') }], { workers: false });
    try {
      const t0 = Date.now() - 10 * 60_000;
      const early = await run.pipeline.log.recordInbound(makeInbound({ sender: 'late-1', text: '1', messageId: 'late-a' }), new Date(t0));
      const laterMessage = makeInbound({ sender: 'late-1', text: 'مرحبا', messageId: 'late-b' });
      const later = await run.pipeline.log.recordInbound(laterMessage, new Date(t0 + 60_000));
      // The later message was answered: its turn is in the conversation document.
      await run.pipeline.records.commitTurn(
        laterMessage,
        null,
        { state: initialState('ar', 'detected'), replies: [], causeId: later.id, kind: 'reply', lastInboundAt: null, processed: { id: later.id, storedAt: new Date(t0 + 60_000) } },
        new Date(),
      );
      await run.pipeline.mailbox.requeue(early.conversationId, early.id);
      let engineRuns = 0;
      const engine = { decide: async () => void (engineRuns += 1) } as unknown as typeof run.env.core.engine;
      await processTurns(run.pipeline.turnDeps(engine), early.conversationId);
      expect(engineRuns).toBe(0);
      expect(await run.pipeline.mailbox.backlog(early.conversationId)).toBe(0);
      const doc = await run.env.services.mongo.collection<{ _id: string; status: string }>('inbound_messages').findOne({ _id: early.id });
      expect(doc?.status).toBe('superseded');
      expect((await run.pipeline.log.unanswered(10)).map((m) => [m.id, m.status])).toEqual([[early.id, 'superseded']]);
    } finally {
      await run.close();
    }
  });

  it('keeps each conversation in arrival order under concurrent bursts from two processes', async () => {
    const sentKey = `sent:${Date.now()}:burst`;
    const run = await startTestPipeline('burst', ({ env }) => [{ channel: 'console', sender: new RecordingSender('console', env.services.redis, sentKey, 'parent') }]);
    const child = await startPipelineChild(run, sentKey);
    try {
      const chats = Array.from({ length: 4 }, (_, c) => requestBurst(`burst-${c}`, 7000 + c, Date.now() + c * 1000));
      // Interleave the chats; alternate which process's gateway accepts each message.
      const started = Date.now();
      let childAccepted = 0;
      await Promise.all(
        chats.map(async (messages) => {
          for (const [i, message] of messages.entries()) {
            if (i % 2 === 0) await run.pipeline.gateway.accept(message);
            else {
              await acceptInChild(child, message);
              childAccepted += 1;
            }
          }
        }),
      );
      const outbound = run.env.services.mongo.collection('outbound_messages');
      await eventually(
        async () => {
          const refs = (await readSent(redis, sentKey)).filter((s) => /BSR-\d{4}-\d{5}/.test(s.text));
          return refs.length === chats.length ? refs : undefined;
        },
        60_000,
        'every chat to reach its reference',
      );
      // Each bubble delivered exactly once: the outbound log (written in batches) holds as many sent bubbles as were delivered,
      // once nothing is in flight (a bubble claimed as `sending` whose call has not reached the sender yet: the menu
      // after the reference, under load, was caught in CI between its claim and its call).
      const sent = await eventually(
        async () => {
          const all = await readSent(redis, sentKey);
          const settled = all.length === (await outbound.countDocuments({ status: 'sent' })) && (await outbound.countDocuments({ status: 'sending' })) === 0;
          return settled ? all : undefined;
        },
        20_000,
        'the outbound log to catch up',
      );
      expect((await outbound.find({ status: { $ne: 'sent' } }).toArray()).map((d) => d.status)).toEqual([]);
      // …and nothing is left waiting in any conversation's outbox.
      expect(await run.env.services.mongo.collection('conversations').countDocuments({ outboxSince: { $ne: null } })).toBe(0);
      // Both processes took in half of every burst. (Which process's worker runs a job is BullMQ's
      // choice: the child's workers, which start later, sometimes get none, so that is not asserted.)
      expect(childAccepted).toBe(chats.length * Math.floor(11 / 2));
      const inbound = run.env.services.mongo.collection('inbound_messages');
      await eventually(async () => ((await inbound.countDocuments({ status: 'done' })) === chats.length * 11 ? true : undefined), 10_000, 'every message marked done');
      process.stdout.write(`burst: ${chats.length * 11} messages, ${sent.length} replies in ${Date.now() - started} ms across 2 processes\n`);
    } finally {
      await stopChild(child);
      await run.close();
    }
  }, 90_000);
});

type Run = Awaited<ReturnType<typeof startTestPipeline>>;

/** Reply bubbles waiting in a conversation's outbox, as a turn or a proactive message leaves them. */
async function addBubbles(run: Run, ref: { channel: 'console'; account: string; sender: string }, causeId: string, texts: string[], at: Date): Promise<void> {
  await run.pipeline.records.addReplies(ref, causeId, texts.map((text) => ({ text })), initialState('ar', 'detected'), at);
}

/** As if a process had claimed the bubble (its outbound-log row) and died during the platform call. */
async function markSending(run: Run, ref: { channel: 'console'; account: string; sender: string }, bubbleId: string): Promise<void> {
  const doc = await run.pipeline.records.load(run.pipeline.records.idOf(ref));
  const bubble = doc?.outbox?.find((b) => b.id === bubbleId);
  if (!doc || !bubble) throw new Error('no such bubble');
  const claim = await run.pipeline.log.claimOutbound({
    _id: bubble.id,
    conversationId: doc._id,
    channel: 'console',
    account: ref.account,
    recipientSealed: doc.senderSealed,
    replySealed: bubble.replySealed,
    language: bubble.language,
    kind: bubble.kind,
    lastInboundAt: null,
    seq: bubble.seq,
    status: 'sending',
    attempts: 1,
    externalId: null,
    error: null,
    createdAt: bubble.createdAt,
    claimedAt: new Date(),
    sentAt: null,
  });
  expect(claim).toEqual({ claimed: true });
}

function recoveryDeps(run: Run): RecoveryDeps {
  return {
    log: run.pipeline.log,
    records: run.pipeline.records,
    requeue: async (convId, inboundId) => {
      const outcome = await run.pipeline.mailbox.requeue(convId, inboundId);
      if (outcome === 'schedule') await run.pipeline.inbound.schedule(convId);
      return outcome === 'waiting' ? 'waiting' : 'requeued';
    },
    forget: (convId, inboundId) => run.pipeline.mailbox.done(convId, inboundId),
    resend: run.pipeline.resend,
    logger: createLogger('silent'),
  };
}

/** Flush jobs not yet finished. */
async function sendJobsLeft(run: Run): Promise<number> {
  const queue = new Queue(SEND_QUEUE, { connection: { url: process.env.REDIS_URL as string }, prefix: run.prefix });
  try {
    const counts = await queue.getJobCounts('waiting', 'active', 'delayed');
    return (counts['waiting'] ?? 0) + (counts['active'] ?? 0) + (counts['delayed'] ?? 0);
  } finally {
    await queue.close();
  }
}

async function conversationIdOf(run: Awaited<ReturnType<typeof startTestPipeline>>, sender: string): Promise<string> {
  const { conversationId } = await import('../../src/persistence/conversation.store');
  return conversationId(run.env.services.cipher, { channel: 'console', account: 'test', sender });
}
