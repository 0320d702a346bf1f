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

/** The part of a request fastify logs, without its query string (a search by national ID or phone would put it there). */
interface LoggedRequest {
  method?: string;
  url?: string;
  host?: string;
  /** fastify's request has `ip`; a plain serialized one has `remoteAddress`. */
  ip?: string;
  remoteAddress?: string;
}

/** fastify logs `{ req: { method, url, host, remoteAddress } }` for every request: the query string is dropped. */
function requestSerializer(req: LoggedRequest): LoggedRequest {
  const url = typeof req.url === 'string' ? req.url.split('?')[0] : req.url;
  return { method: req.method, url, host: req.host, remoteAddress: req.ip ?? req.remoteAddress };
}

/** Creates the application logger. Logs go to stderr so the console channel's stdout stays machine-readable. */
export function createLogger(level: string, destination: NodeJS.WritableStream = process.stderr): Logger {
  return pino(
    { level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' }, base: undefined, serializers: { req: requestSerializer } },
    destination as pino.DestinationStream,
  );
}

/**
 * What of a caught error goes into a log: its message only. Error objects from drivers and SDKs can
 * carry queries, documents or request bodies with personal data.
 */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : 'unknown';
}

export type { Logger };
