import pino, { type Logger } from 'pino';

/**
 * Paths that may carry personal data. Message text is redacted too: beneficiaries type their
 * national ID and phone number as plain messages, so logging text would leak them.
 */
export const REDACTED_PATHS = [
  'text',
  '*.text',
  'nationalId',
  '*.nationalId',
  'phone',
  '*.phone',
  'verifiedPhone',
  '*.verifiedPhone',
  'sender',
  '*.sender',
  'name',
  '*.name',
  'applicantName',
  '*.applicantName',
  'inmateName',
  '*.inmateName',
  'description',
  '*.description',
];

/** Creates the application logger. Logs go to stderr so the console channel's stdout stays machine-readable. */
export function createLogger(level: string, destination: NodeJS.WritableStream = process.stderr): Logger {
  return pino({ level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' }, base: undefined }, destination as pino.DestinationStream);
}

/**
 * What of a caught error goes into a log: its message only. Error objects from drivers and SDKs can
 * carry queries, documents or request bodies with personal data.
 */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : 'unknown';
}

export type { Logger };
