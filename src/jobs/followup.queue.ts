import { Queue, Worker, type ConnectionOptions, type Job } from 'bullmq';
import { followUpJobId, type FollowUpRecord } from '../domain/followup';
import { errorMessage, type Logger } from '../logging/logger';

export const FOLLOW_UP_QUEUE = 'basirah-followups';
/** The sweep's job scheduler id: one scheduler for every process (BullMQ keeps one per id). */
export const SWEEP_SCHEDULER = 'followup-sweep';
export const SWEEP_EVERY_MS = 60_000;

/** `fire`: a scheduled message is due (ids only). `sweep`: re-arm what Redis lost. */
export type FollowUpJob = { type: 'fire'; recordId: string; version: number } | { type: 'sweep' };

/**
 * The alarm clock of scheduled messages. Each record has at most one job, whose id carries the
 * record's version (`<record id>-v<n>`): arming it twice adds it once, and a job left from an
 * earlier version finds itself stale when it fires. MongoDB holds the truth (see ScheduledRepository).
 */
export class FollowUpQueue {
  readonly queue: Queue<FollowUpJob>;

  constructor(connection: ConnectionOptions, prefix: string) {
    this.queue = new Queue<FollowUpJob>(FOLLOW_UP_QUEUE, { connection, prefix });
  }

  /** Sets the alarm for a record's due time (at once when it is past). */
  async arm(record: Pick<FollowUpRecord, '_id' | 'version' | 'dueAt'>, now: Date): Promise<void> {
    const delay = Math.max(0, record.dueAt.getTime() - now.getTime());
    await this.queue.add(
      'fire',
      { type: 'fire', recordId: record._id, version: record.version },
      { jobId: followUpJobId(record), delay, attempts: 6, backoff: { type: 'exponential', delay: 5_000 }, removeOnComplete: true, removeOnFail: 1000 },
    );
  }

  /** Removes a record's alarm (a cancelled record); a job already running finds the record cancelled anyway. */
  async disarm(record: Pick<FollowUpRecord, '_id' | 'version'>): Promise<void> {
    await this.queue.remove(followUpJobId(record)).catch(() => 0);
  }

  /** Whether the record's current alarm exists in Redis (waiting, delayed or running). */
  async isArmed(record: Pick<FollowUpRecord, '_id' | 'version'>): Promise<boolean> {
    return (await this.queue.getJob(followUpJobId(record))) !== undefined;
  }

  /** Whether the sweep's scheduler exists (Redis may have lost it with everything else). */
  async hasSweep(): Promise<boolean> {
    return (await this.queue.getJobScheduler(SWEEP_SCHEDULER)) !== undefined;
  }

  /** Creates or updates the one sweep scheduler (idempotent across processes and restarts). */
  async scheduleSweep(everyMs = SWEEP_EVERY_MS): Promise<void> {
    await this.queue.upsertJobScheduler(SWEEP_SCHEDULER, { every: everyMs }, { name: 'sweep', data: { type: 'sweep' }, opts: { removeOnComplete: true, removeOnFail: 100 } });
  }

  async close(): Promise<void> {
    // Closing a queue whose start-up check (INFO) is still running leaves BullMQ's connection to
    // throw an unhandled error (a CLI that scheduled nothing crashed after answering): wait first.
    await this.queue.waitUntilReady().catch(() => undefined);
    await this.queue.close();
  }
}

export interface FollowUpHandlers {
  fire(recordId: string, version: number): Promise<void>;
  sweep(): Promise<void>;
}

/** Consumer: fires due records and runs the sweep. Handlers are idempotent (BullMQ is at-least-once). */
export function startFollowUpWorker(connection: ConnectionOptions, prefix: string, handlers: FollowUpHandlers, logger: Logger, concurrency = 4): Worker<FollowUpJob> {
  const worker = new Worker<FollowUpJob>(
    FOLLOW_UP_QUEUE,
    async (job: Job<FollowUpJob>) => {
      const data = job.data;
      if (data.type === 'sweep') return handlers.sweep();
      return handlers.fire(data.recordId, data.version);
    },
    { connection, prefix, concurrency },
  );
  worker.on('failed', (job, err) => logger.warn({ err: { message: errorMessage(err) }, jobId: job?.id, attempts: job?.attemptsMade }, 'follow-up job failed'));
  return worker;
}
