import type { AppConfig } from '../../config/config';
import type { Translator } from '../../engine/ports';
import type { Logger } from '../../logging/logger';
import type { ChannelLimits, InboundSink } from '../channel';
import type { ChannelModule } from '../module';
import { createWwebClient } from './wweb.client';
import { decodeWwebMessage } from './wweb.codec';
import { realSchedule, WwebConnection, type BackoffSettings, type Schedule, type WwebPhase } from './wweb.connection';
import { qrRoutes } from './wweb.http';
import type { WhatsAppClientLike } from './wweb.port';
import { printQrToTerminal } from './wweb.qr';
import { RefusedMessageRetry, type RetryLimits } from './wweb.retry';
import { createWwebSender, defaultWwebLimits } from './wweb.sender';

/** WhatsApp replays unread history on login; messages older than start-up minus this are not answered. */
export const HISTORY_GRACE_MS = 2 * 60_000;
const DEFAULT_BACKOFF: BackoffSettings = { initialMs: 1000, maxMs: 60_000 };

export interface WhatsAppWebModuleDeps {
  config: NonNullable<AppConfig['whatsappWeb']>;
  /** Persistent folder; the linked-device session lives in `<dataDir>/whatsapp-session`. */
  dataDir: string;
  sink: InboundSink;
  translator: Translator;
  logger: Logger;
  /** Guards the QR route; without it the route answers 503. */
  staffApiToken: string | undefined;
  /**
   * Whether a chat has ever written to us (the sender refuses the others). Wire it to the inbound
   * log so it survives restarts; the default only remembers chats accepted by this process.
   */
  hasWrittenFirst?: (chatId: string) => Promise<boolean>;
  clientFactory?: () => WhatsAppClientLike;
  now?: () => Date;
  /** Jitter of the reconnect backoff. */
  random?: () => number;
  /** Timer for reconnects (tests run it at once). */
  schedule?: Schedule;
  backoff?: BackoffSettings;
  /** Timer of the refused-message retry (tests run it at once); real timers by default. */
  retrySchedule?: Schedule;
  retryLimits?: RetryLimits;
  /** Send pacing; defaults to {@link defaultWwebLimits}. Tests shorten it to keep runs fast. */
  limits?: ChannelLimits;
  /** Shows the QR code to the operator; defaults to the terminal (stderr). */
  printQr?: (qr: string) => void;
}

export type WhatsAppWebModule = ChannelModule & { qr(): { qr: string | null; state: WwebPhase } };

/** The WhatsApp Web module among a process's channels (the staff console shows its QR code). */
export function isWhatsAppWebModule(module: ChannelModule): module is WhatsAppWebModule {
  return module.channel === 'whatsapp' && typeof (module as Partial<WhatsAppWebModule>).qr === 'function';
}

/**
 * WhatsApp through whatsapp-web.js (unofficial: drives WhatsApp Web in the system Chromium).
 * The runtime owns the live client; the sender is pinned to this process because only it can use
 * that client; the HTTP plugin shows staff the QR code to link the association's number.
 */
export function createWhatsAppWebModule(deps: WhatsAppWebModuleDeps): WhatsAppWebModule {
  const now = deps.now ?? (() => new Date());
  const logger = deps.logger.child({ channel: 'whatsapp-web' });
  const contacted = new Set<string>();
  const hasWrittenFirst = deps.hasWrittenFirst ?? (async (chatId: string) => contacted.has(chatId));
  let startedAt: Date | null = null;
  const retry = new RefusedMessageRetry(deps.sink, logger, deps.retrySchedule ?? realSchedule, deps.retryLimits);

  async function onMessage(raw: unknown): Promise<void> {
    const notBefore = new Date((startedAt ?? now()).getTime() - HISTORY_GRACE_MS);
    const outcome = decodeWwebMessage(raw, { notBefore });
    if (outcome.type === 'ignored') return logger.debug({ reason: outcome.reason }, 'whatsapp message ignored');
    if (outcome.type === 'invalid') return logger.warn({ issues: outcome.issues }, 'whatsapp message not understood; ignored');
    contacted.add(outcome.message.sender);
    // WhatsApp Web does not redeliver: a refused or unstored message is held and offered again.
    await retry.offer(outcome.message);
  }

  const connection = new WwebConnection({
    clientFactory: deps.clientFactory ?? (() => createWwebClient({ chromiumPath: deps.config.chromiumPath, dataDir: deps.dataDir })),
    logger,
    onMessage: (raw) => void onMessage(raw),
    onQr: deps.printQr ?? ((qr) => printQrToTerminal(qr)),
    schedule: deps.schedule ?? realSchedule,
    random: deps.random ?? Math.random,
    backoff: deps.backoff ?? DEFAULT_BACKOFF,
  });

  return {
    channel: 'whatsapp',
    pinnedSend: true,
    sender: createWwebSender({
      readyClient: () => connection.readyClient(),
      hasWrittenFirst,
      translator: deps.translator,
      limits: deps.limits ?? defaultWwebLimits(deps.config.maxPerMinute),
      logger,
    }),
    runtime: {
      channel: 'whatsapp',
      async start() {
        startedAt ??= now();
        retry.resume();
        connection.start();
      },
      async stop() {
        retry.stop();
        await connection.stop();
      },
      health: () => connection.health(),
    },
    httpPlugin: qrRoutes({ staffApiToken: deps.staffApiToken, qr: () => connection.qrState() }),
    qr: () => connection.qrState(),
  };
}
