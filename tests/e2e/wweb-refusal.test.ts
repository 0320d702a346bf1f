import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { InboundSink } from '../../src/channels/channel';
import { createWhatsAppWebModule, type WhatsAppWebModule } from '../../src/channels/whatsapp-web/wweb.module';
import type { InboundMessage } from '../../src/domain/messages';
import { I18nTranslator } from '../../src/i18n/translator';
import { createLogger } from '../../src/logging/logger';
import { LOCALES_DIR } from '../../src/nlu/training-data';
import { fakeClientFactory, makeWwebMessage, manualTimers, waChatId, type FakeWwebClient } from '../support/fake-wweb-client';
import { eventually } from '../support/pipeline';
import { RefusingSink } from '../support/refusing-sink';

/**
 * WhatsApp Web never delivers a message twice, so a refused message is held in memory and offered
 * again after its wait, behind nothing and ahead of its chat's later messages; past the bounds it
 * is given up with an error log. The retry timers are fired by hand (no real waiting).
 */

const stored: InboundMessage[] = [];
const store: InboundSink = { accept: async (m) => (stored.push(m), 'accepted') };
const texts = (chat: string): string[] => stored.filter((m) => m.sender === chat).map((m) => m.text);

function start(maxAttempts: number): { wweb: WhatsAppWebModule; sink: RefusingSink; timers: ReturnType<typeof manualTimers>; logs: string[]; clients: ReturnType<typeof fakeClientFactory> } {
  const logs: string[] = [];
  const stream = new Writable({ write: (chunk: Buffer, _enc, done) => (logs.push(chunk.toString()), done()) });
  const sink = new RefusingSink(() => store);
  const timers = manualTimers();
  const clients = fakeClientFactory();
  const wweb = createWhatsAppWebModule({
    config: { chromiumPath: '/nonexistent/chromium', maxPerMinute: 20 },
    dataDir: mkdtempSync(join(tmpdir(), 'basirah-wweb-ref-')),
    sink,
    translator: I18nTranslator.load(LOCALES_DIR),
    logger: createLogger('info', stream),
    staffApiToken: undefined,
    clientFactory: clients.create,
    schedule: manualTimers().schedule,
    retrySchedule: timers.schedule,
    retryLimits: { maxHeld: 10, maxAttempts, maxWaitMs: 5_000 },
    printQr: () => undefined,
  });
  return { wweb, sink, timers, logs, clients };
}

/** Starts the channel and links the fake phone. */
async function startLinked(maxAttempts: number): Promise<ReturnType<typeof start> & { client: FakeWwebClient }> {
  const run = start(maxAttempts);
  await run.wweb.runtime?.start();
  const client = run.clients.latest();
  client.link();
  return { ...run, client };
}

/** Fires the oldest pending retry and waits until the sink has seen one more offer. */
async function fireRetry(run: ReturnType<typeof start>): Promise<void> {
  const offers = run.sink.offers.length;
  const timer = await eventually(() => run.timers.pending.shift(), 5_000, 'a retry timer');
  timer.fire();
  await eventually(() => (run.sink.offers.length > offers ? true : undefined), 5_000, 'the retry offer');
}

it('holds a refused message, keeps its chat in order behind it, lets other chats through, and stores it after the wait', async () => {
  const run = await startLinked(5);
  const { client } = run;
  const held = waChatId(7101);
  const other = waChatId(7102);
  run.sink.refuse((m) => m.sender === held, 2, { reason: 'backlog', retryAfterMs: 700 });

  client.receive(makeWwebMessage.text(held, 'first'));
  await eventually(() => (run.timers.pending.length === 1 ? true : undefined), 5_000, 'the first refusal');
  client.receive(makeWwebMessage.text(held, 'second'));
  client.receive(makeWwebMessage.text(other, 'bystander'));
  await eventually(() => (texts(other).length === 1 ? true : undefined), 5_000, 'the other chat');
  expect(texts(held)).toEqual([]);

  await fireRetry(run); // refused again
  await fireRetry(run); // stored, and the second message right behind it
  await eventually(() => (texts(held).length === 2 ? true : undefined), 5_000, 'both messages');
  expect(texts(held)).toEqual(['first', 'second']);
  expect(run.timers.delays).toEqual([700, 700]);
  expect(run.timers.pending).toEqual([]);
  await run.wweb.runtime?.stop();
});

it('gives a message up after its attempts, with an error log, and goes on with the chat', async () => {
  const run = await startLinked(3);
  const { client } = run;
  const chat = waChatId(7201);
  run.sink.refuse((m) => m.sender === chat && m.text === 'doomed', 99, { reason: 'too_fast', retryAfterMs: 60_000 });

  client.receive(makeWwebMessage.text(chat, 'doomed'));
  await eventually(() => (run.timers.pending.length === 1 ? true : undefined), 5_000, 'the first refusal');
  client.receive(makeWwebMessage.text(chat, 'next'));
  await fireRetry(run);
  await fireRetry(run);
  await eventually(() => (texts(chat).length === 1 ? true : undefined), 5_000, 'the next message');
  expect(texts(chat)).toEqual(['next']);
  expect(run.sink.outcomesOf((m) => m.text === 'doomed')).toEqual(['refused', 'refused', 'refused']);
  // The wait is bounded whatever the refusal asks.
  expect(run.timers.delays).toEqual([5_000, 5_000]);
  expect(run.logs.join('')).toContain('given up after refusals');
  expect(run.logs.join('')).not.toContain('doomed');
  await run.wweb.runtime?.stop();
});
