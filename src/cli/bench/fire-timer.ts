import { QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { FOLLOW_UP_QUEUE } from '../../jobs/followup.queue';
import { summarize, type LatencySummary } from './stats';

/** How the app's follow-up jobs ran: how long each took and how many ran at once. */
export interface FireStats {
  jobs: number;
  durationMs: LatencySummary;
  meanMs: number;
  maxInFlight: number;
  /** What the jobs could fire a second at the concurrency seen: maxInFlight / mean duration. */
  ceilingPerSecond: number;
}

/**
 * Watches the app's follow-up queue from outside, as BullMQ's observer (QueueEvents reads the
 * queue's event stream; it takes no job): each `fire` job of the run, from active to completed,
 * timed by the stream's own entry times. A job includes its inline send (the outbox drain).
 */
export class FireTimer {
  private readonly activeAt = new Map<string, number>();
  private readonly durations: number[] = [];
  private inFlight = 0;
  private maxInFlight = 0;

  private constructor(
    private readonly events: QueueEvents,
    private readonly connection: Redis,
    private readonly jobIdPrefix: string,
  ) {
    events.on('active', ({ jobId }, id) => this.onActive(jobId, id));
    events.on('completed', ({ jobId }, id) => this.onEnd(jobId, id));
    events.on('failed', ({ jobId }, id) => this.onEnd(jobId, id));
  }

  /** Starts watching jobs whose id starts with `jobIdPrefix`; resolves once the observer is listening. */
  static async start(redisUrl: string, prefix: string, jobIdPrefix: string): Promise<FireTimer> {
    const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
    // From this moment on, even if the observer's first read comes later (the default, "$", would miss what came between).
    const events = new QueueEvents(FOLLOW_UP_QUEUE, { connection, prefix, lastEventId: `${Date.now()}-0` });
    await events.waitUntilReady();
    return new FireTimer(events, connection, jobIdPrefix);
  }

  async stop(): Promise<FireStats> {
    await this.events.close();
    await this.connection.quit().catch(() => undefined);
    const meanMs = this.durations.reduce((a, b) => a + b, 0) / Math.max(1, this.durations.length);
    return { jobs: this.durations.length, durationMs: summarize(this.durations), meanMs, maxInFlight: this.maxInFlight, ceilingPerSecond: meanMs > 0 ? (this.maxInFlight * 1000) / meanMs : Number.NaN };
  }

  private onActive(jobId: string, eventId: string): void {
    if (!jobId.startsWith(this.jobIdPrefix)) return;
    this.activeAt.set(jobId, streamTime(eventId));
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
  }

  private onEnd(jobId: string, eventId: string): void {
    const started = this.activeAt.get(jobId);
    if (started === undefined) return;
    this.activeAt.delete(jobId);
    this.inFlight -= 1;
    this.durations.push(streamTime(eventId) - started);
  }
}

/** A Redis stream entry id is `<ms>-<seq>`: the time Redis added the event. */
function streamTime(eventId: string): number {
  return Number(eventId.split('-', 1)[0]);
}
