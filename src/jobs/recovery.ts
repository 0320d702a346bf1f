import type { ChannelId } from '../domain/messages';
import type { Logger } from '../logging/logger';
import type { MessageLogRepository } from '../persistence/message-log.repository';
import type { InboundJob } from './inbound.queue';

/** How long stored work may wait before it counts as stalled, and how often to look. */
export const RECOVERY_AFTER_MS = 5 * 60_000;
export const RECOVERY_EVERY_MS = 60_000;
const BATCH = 200;

export interface RecoveryDeps {
  log: MessageLogRepository;
  inbound: { enqueue(job: InboundJob): Promise<void> };
  send: { flushOnce(conversationId: string, channel?: ChannelId): Promise<void> };
  logger: Logger;
}

/**
 * Nothing stored is left behind: an inbound message whose job gave up (its retries outlasted an
 * outage) or never reached Redis is queued again, and a conversation with reply bubbles still
 * pending is flushed again. Both are idempotent — a job id is the inbound id, and each bubble is
 * claimed before it is sent — so a second process sweeping at the same time changes nothing.
 * A recovered message may be answered after a later one of the same chat; late beats never.
 */
export async function recoverStalled(deps: RecoveryDeps, now: Date, afterMs = RECOVERY_AFTER_MS): Promise<{ inbound: number; conversations: number }> {
  const before = new Date(now.getTime() - afterMs);
  const inbound = await deps.log.stalledInbound(before, BATCH);
  for (const item of inbound) await deps.inbound.enqueue({ inboundId: item.id, conversationId: item.conversationId });
  const outbound = await deps.log.stalledOutbound(before, BATCH);
  for (const item of outbound) await deps.send.flushOnce(item.conversationId, item.channel);
  if (inbound.length + outbound.length > 0) {
    deps.logger.warn({ inbound: inbound.length, conversations: outbound.length }, 'stalled messages queued again');
  }
  return { inbound: inbound.length, conversations: outbound.length };
}

/** Sweeps every minute until stopped; a failed sweep is logged and the next one tries again. */
export function startRecovery(deps: RecoveryDeps, everyMs = RECOVERY_EVERY_MS): { stop(): void } {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    recoverStalled(deps, new Date())
      .catch((error: unknown) => deps.logger.error({ err: { message: error instanceof Error ? error.message : 'unknown' } }, 'recovery sweep failed'))
      .finally(() => {
        running = false;
      });
  }, everyMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
