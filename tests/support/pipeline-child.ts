import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { InboundMessage } from '../../src/domain/messages';
import type { TestPipeline } from './pipeline';

/**
 * A second OS process running the real pipeline (see pipeline-process.ts) on the test's database,
 * keys and queue prefix. `extraEnv`: T_CONCURRENCY, T_GENEROUS (lift the admission limits), T_LOG.
 */
export function startPipelineChild(run: TestPipeline & { prefix: string }, sentKey: string, extraEnv: Record<string, string> = {}): Promise<ChildProcess> {
  const { dbName, keys } = run.env.services;
  const child = fork(join(__dirname, 'pipeline-process.ts'), [], {
    execPath: join(__dirname, '..', '..', 'node_modules', '.bin', 'tsx'),
    env: {
      PATH: process.env.PATH,
      T_LOG: process.env.T_LOG,
      MONGODB_URI: process.env.MONGODB_URI,
      REDIS_URL: process.env.REDIS_URL,
      T_DB: dbName,
      T_PREFIX: run.prefix,
      T_KEY: keys.key,
      T_HMAC: keys.hmac,
      T_SENT_KEY: sentKey,
      ...extraEnv,
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`child exited with ${code}`)));
  });
}

/** Has the child's gateway accept a message; resolves with its outcome. */
export function acceptInChild(child: ChildProcess, message: InboundMessage): Promise<unknown> {
  return new Promise((resolve) => {
    const onMessage = (reply: { messageId?: string; accepted?: unknown }): void => {
      if (reply.messageId !== message.messageId) return;
      child.off('message', onMessage);
      resolve(reply.accepted);
    };
    child.on('message', onMessage);
    child.send({ accept: { ...message, receivedAt: message.receivedAt.toISOString() } });
  });
}

/** Stops the child and waits for it to exit. */
export async function stopChild(child: ChildProcess): Promise<void> {
  child.send({ stop: true });
  await new Promise((resolve) => child.once('exit', resolve));
}
