import { loadConfig, type AppConfig } from '../config/config';
import { createLogger, type Logger } from '../logging/logger';
import type { IntentClassifier } from '../engine/ports';
import { buildCore, trainClassifier, type Core } from '../runtime/engine-factory';
import { connectServices, type Services } from '../runtime/services';

export interface CliRuntime {
  config: AppConfig;
  logger: Logger;
  services: Services;
  core: Core;
}

/** Shared start-up of the command-line tools. Progress and logs go to stderr; stdout belongs to the tool. */
export async function startCli(): Promise<CliRuntime> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
  const progress = (line: string): void => void process.stderr.write(`${line}\n`);
  const services = await connectServices(config, progress);
  // Most commands never classify text: train the classifier (seconds on a busy machine) only on first use.
  let trained: IntentClassifier | null = null;
  const classifier: IntentClassifier = { classify: (text) => (trained ??= trainClassifier()).classify(text) };
  const core = await buildCore(config, services, { classifier });
  return { config, logger, services, core };
}

/** Prints one clear sentence for an expected start-up failure instead of a stack trace. */
export function failCli(error: unknown): never {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`basirah: ${message}\n`);
  process.exit(1);
}
