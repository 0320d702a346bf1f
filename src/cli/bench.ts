/* CLI: `npm run bench` — measures the classifier, engine turns and the whole pipeline; prints numbers. */
import { performance } from 'node:perf_hooks';
import type { ChannelSender } from '../channels/channel';
import { loadConfig } from '../config/config';
import { withCheckDigit } from '../domain/national-id';
import type { InboundMessage } from '../domain/messages';
import { createLogger } from '../logging/logger';
import { NluClassifier } from '../nlu/classifier';
import { loadTrainingPhrases } from '../nlu/training-data';
import { buildCore } from '../runtime/engine-factory';
import { createPipeline } from '../runtime/pipeline';
import { connectServices } from '../runtime/services';

const DB = `basirah_bench_${process.pid}`;

function summary(label: string, samples: number[], unit = 'ms'): void {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number): string => (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0).toFixed(2);
  console.log(`${label.padEnd(44)} n=${String(samples.length).padStart(5)}  p50=${at(0.5)}${unit}  p95=${at(0.95)}${unit}  p99=${at(0.99)}${unit}  max=${at(1)}${unit}`);
}

function requestScript(sender: string, seed: number): string[] {
  return ['السلام عليكم', '1', 'نورة محمد القحطاني', withCheckDigit(`1${String(seed).padStart(8, '0')}`), '0501234567', '2', 'سعد علي القحطاني', '1', '1', 'نحتاج مساعدة في الإيجار والمصاريف', '9', '1', 'وين وصل طلبي'].map(
    (t) => `${sender}\u0000${t}`,
  );
}

function message(line: string, id: string): InboundMessage {
  const [sender, text] = line.split('\u0000') as [string, string];
  return { channel: 'console', account: 'bench', sender, messageId: id, text, receivedAt: new Date() };
}

async function main(): Promise<void> {
  const phrases = loadTrainingPhrases();
  let t0 = performance.now();
  const classifier = NluClassifier.train(phrases);
  console.log(`classifier training on ${phrases.length} phrasings: ${(performance.now() - t0).toFixed(0)} ms`);
  const classifyTimes = phrases.slice(0, 500).map((p) => {
    const s = performance.now();
    classifier.classify(p.text);
    return performance.now() - s;
  });
  summary('classify one message', classifyTimes);

  const config = { ...loadConfig(), mongoDb: DB };
  const services = await connectServices(config, (line) => process.stderr.write(`${line}\n`));
  try {
    const core = await buildCore(config, services, { classifier });
    const senders = 20;
    const turnTimes: number[] = [];
    t0 = performance.now();
    for (let s = 0; s < senders; s += 1) {
      for (const [i, line] of requestScript(`bench-${s}`, 5000 + s).entries()) {
        const start = performance.now();
        await core.engine.handle(message(line, `e-${s}-${i}`));
        turnTimes.push(performance.now() - start);
      }
    }
    const elapsed = performance.now() - t0;
    summary(`engine turn (FerretDB+Redis, ${senders} full requests)`, turnTimes);
    console.log(`engine sequential throughput: ${((turnTimes.length / elapsed) * 1000).toFixed(1)} turns/s`);

    const delivered = new Map<string, number>();
    const sender: ChannelSender = {
      channel: 'console',
      limits: { perSecond: 10_000, perChatGapMs: 0, jitterMs: [0, 0], perMinute: null },
      async send(to) {
        delivered.set(to.recipient, performance.now());
        return { type: 'sent', externalId: null };
      },
    };
    const pipeline = await createPipeline(services, [{ channel: 'console', sender }], {
      redisUrl: services.redisUrl,
      shards: 4,
      prefix: `bench-${process.pid}`,
      logger: createLogger('silent'),
    });
    pipeline.startWorkers(core.engine);
    const chats = 50;
    const accepted = new Map<string, number>();
    t0 = performance.now();
    await Promise.all(
      Array.from({ length: chats }, async (_, c) => {
        accepted.set(`pipe-${c}`, performance.now());
        await pipeline.gateway.accept(message(`pipe-${c}\u0000السلام عليكم`, `p-${c}`));
      }),
    );
    while (delivered.size < chats && performance.now() - t0 < 60_000) await new Promise((r) => setTimeout(r, 10));
    const latencies = [...accepted].map(([k, a]) => (delivered.get(k) ?? Number.NaN) - a).filter((n) => !Number.isNaN(n));
    summary(`pipeline accept→first reply sent (${chats} chats at once)`, latencies);
    console.log(`pipeline: ${latencies.length}/${chats} chats answered in ${(performance.now() - t0).toFixed(0)} ms (4 shards, one process)`);
    await pipeline.close();
  } finally {
    await services.mongo.dropDatabase().catch(() => undefined);
    await services.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
