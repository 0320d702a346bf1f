/*
 * A second OS process running the real pipeline (gateway + workers) on the same database and
 * queues as the test, driven over IPC: {accept: InboundMessage} → {accepted: outcome}.
 * Environment: MONGODB_URI, REDIS_URL, T_DB, T_PREFIX, T_KEY, T_HMAC, T_SENT_KEY; optional T_CONCURRENCY, T_GENEROUS, T_LOG.
 */
import { Redis } from 'ioredis';
import type { InboundMessage } from '../../src/domain/messages';
import { createLogger } from '../../src/logging/logger';
import { createPipeline } from '../../src/runtime/pipeline';
import { startTestEngine } from './engine-setup';
import { RecordingSender } from './recording-sender';

async function main(): Promise<void> {
  const env = (name: string): string => {
    const value = process.env[name];
    if (!value) throw new Error(`${name} missing`);
    return value;
  };
  const engine = await startTestEngine('child', undefined, { dbName: env('T_DB'), keys: { key: env('T_KEY'), hmac: env('T_HMAC') } });
  const recorder = new Redis(env('REDIS_URL'));
  const sender = new RecordingSender('console', recorder, env('T_SENT_KEY'), 'child');
  const pipeline = await createPipeline(engine.services, [{ channel: 'console', sender }], {
    redisUrl: env('REDIS_URL'),
    concurrency: Number(process.env.T_CONCURRENCY ?? '4'),
    ...(process.env.T_GENEROUS ? { admission: { perSenderPerMinute: 10_000, backlogCap: 10_000, globalPerSecond: 10_000 } } : {}),
    prefix: env('T_PREFIX'),
    logger: createLogger(process.env.T_LOG ?? 'silent'),
    conversations: engine.core.ports.conversations,
    translator: engine.core.ports.translator,
  });
  pipeline.startWorkers(engine.core.engine);
  process.on('message', (raw: { accept?: InboundMessage & { receivedAt: string }; stop?: boolean }) => {
    if (raw.stop) {
      void pipeline.close().then(() => engine.services.close()).then(() => recorder.quit()).then(() => process.exit(0));
      return;
    }
    if (!raw.accept) return;
    const message = { ...raw.accept, receivedAt: new Date(raw.accept.receivedAt) };
    void pipeline.gateway.accept(message).then((outcome) => process.send?.({ accepted: outcome, messageId: message.messageId }));
  });
  process.send?.({ ready: true });
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
