import { Queue, Worker, type ConnectionOptions } from 'bullmq';
import { errorMessage, type Logger } from '../logging/logger';

export const MAINTENANCE_QUEUE = 'basirah-maintenance';
export const RETENTION_SCHEDULER = 'retention';
const DAY_MS = 86_400_000;
const RETENTION_CRON = '30 3 * * *';

/** The daily retention job; no payload. */
export interface RetentionJob {
  type: 'retention';
}

/** How many records each part of the retention job cleared. */
export type RetentionCounts = Record<'inbound' | 'outbound' | 'handoffs' | 'scheduled', number>;

/** Deletes raw message texts (and finished scheduled-message records) older than the cutoff. */
export type RetentionPurge = (cutoff: Date) => Promise<RetentionCounts>;

/**
 * Retention as a BullMQ job scheduler (one for every process, not a timer in each), since
 * FerretDB has no TTL indexes: raw message texts older than RETENTION_DAYS are deleted; requests,
 * attestations and survey results stay.
 */
export class MaintenanceQueue {
  readonly queue: Queue<RetentionJob>;

  constructor(connection: ConnectionOptions, prefix: string) {
    this.queue = new Queue<RetentionJob>(MAINTENANCE_QUEUE, { connection, prefix });
  }

  /**
   * Daily at 03:30 Riyadh time, a quiet hour: a cron pattern rather than `every`, which would also
   * run at once each time a process starts (and so once per test pipeline).
   */
  async scheduleRetention(): Promise<void> {
    await this.queue.upsertJobScheduler(RETENTION_SCHEDULER, { pattern: RETENTION_CRON, tz: 'Asia/Riyadh' }, { name: 'retention', data: { type: 'retention' }, opts: { removeOnComplete: true, removeOnFail: 50 } });
  }

  async close(): Promise<void> {
    // See FollowUpQueue.close: never close a queue whose start-up check is still running.
    await this.queue.waitUntilReady().catch(() => undefined);
    await this.queue.close();
  }
}

export function startMaintenanceWorker(connection: ConnectionOptions, prefix: string, purge: RetentionPurge, retentionDays: number, now: () => Date, logger: Logger): Worker<RetentionJob> {
  const worker = new Worker<RetentionJob>(
    MAINTENANCE_QUEUE,
    async () => {
      const cutoff = new Date(now().getTime() - retentionDays * DAY_MS);
      const cleared = await purge(cutoff);
      logger.info({ ...cleared, retentionDays }, 'retention: old message texts deleted');
    },
    { connection, prefix, concurrency: 1 },
  );
  worker.on('failed', (_job, err) => logger.warn({ err: { message: errorMessage(err) } }, 'retention job failed'));
  return worker;
}
