/**
 * The bot under test, in a process of its own (so its CPU and heap are not mixed with the load
 * driver's): `startApp` with the configuration loadConfig builds from the environment the bench
 * hands it, exactly as `npm start` would. Talks to the bench over the IPC channel.
 */
import { loadConfig } from '../../config/config';
import { createLogger } from '../../logging/logger';
import { startApp, type RunningApp } from '../../runtime/app-runtime';
import type { AppReport, AppRequest } from './app-messages';

const CLOSE_TIMEOUT_MS = 20_000;

function report(message: AppReport): void {
  process.send?.(message);
}

function memory(): AppReport {
  // Exposed by --expose-gc: collect twice so that what is left is what is still referenced.
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
  const m = process.memoryUsage();
  return { type: 'memory', heapUsed: m.heapUsed, heapTotal: m.heapTotal, rss: m.rss, external: m.external, collected: gc !== undefined };
}

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const app: RunningApp = await startApp(config, createLogger(config.logLevel));
  const address = app.http?.server.address();
  if (!address || typeof address === 'string') throw new Error('the app has no TCP address (role web missing?)');
  let closing = false;
  const close = async (): Promise<void> => {
    if (closing) return;
    closing = true;
    const timer = setTimeout(() => process.exit(2), CLOSE_TIMEOUT_MS);
    await app.close().catch(() => undefined);
    clearTimeout(timer);
    report({ type: 'closed' });
    process.exit(0);
  };
  process.on('message', (raw: AppRequest) => {
    if (raw.type === 'memory') report(memory());
    else if (raw.type === 'cpu') {
      const cpu = process.cpuUsage();
      report({ type: 'cpu', userMs: cpu.user / 1000, systemMs: cpu.system / 1000 });
    } else void close();
  });
  // The bench died: do not linger.
  process.on('disconnect', () => void close());
  report({ type: 'ready', port: address.port });
}

main().catch((error: unknown) => {
  report({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
  process.exit(1);
});
