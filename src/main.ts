/* `npm start`: runs the service (HTTP + enabled channels + workers, per PROCESS_ROLES). */
import { loadConfig } from './config/config';
import { createLogger } from './logging/logger';
import { startApp } from './runtime/app-runtime';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const app = await startApp(config, logger);
  const address = app.http?.server.address();
  if (address && typeof address === 'object') {
    logger.info(`Basirah bot: web chat at http://${address.address === '0.0.0.0' ? 'localhost' : address.address}:${address.port}/`);
  }
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info(`${signal}: shutting down`);
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(`basirah: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
