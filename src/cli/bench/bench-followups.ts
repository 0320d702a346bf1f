import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import type { AppConfig } from '../../config/config';
import { createLogger } from '../../logging/logger';
import { conversationId } from '../../persistence/conversation.store';
import { systemClock } from '../../runtime/engine-factory';
import { createFollowUps, type FollowUps } from '../../runtime/followups';
import { connectServices, type Services } from '../../runtime/services';
import { withDatabase } from './raw-mongo';

/** Surveys planned at once by the bench process (each is a few inserts and a Redis add). */
const PLAN_CONCURRENCY = 16;

/** When the planning of a batch began and ended, and when each chat's survey was planned (performance.now()). */
export interface PlannedBatch {
  startedAt: number;
  /** `startedAt` as wall-clock time (Date.now()), to compare with the stored records' times. */
  startedAtEpoch: number;
  endedAt: number;
  plannedAt: Map<number, number>;
}

/**
 * The follow-up planner as staff reach it from `npm run admin` (cliFollowUps): in this process,
 * on the app's database, queue prefix and keys (so conversation ids, HMACs, are the app's),
 * scheduling only; the app's workers fire what it plans.
 */
export class BenchFollowUps {
  private constructor(
    private readonly services: Services,
    private readonly connection: Redis,
    private readonly followUps: FollowUps,
    private readonly config: AppConfig,
  ) {}

  static async connect(config: AppConfig): Promise<BenchFollowUps> {
    const services = await connectServices(config, () => undefined);
    const connection = new Redis(services.redisUrl, { maxRetriesPerRequest: null });
    const followUps = await createFollowUps(services, connection, config.queuePrefix, (ref) => conversationId(services.cipher, ref), {
      settings: config.followUps,
      retentionDays: config.retentionDays,
      clock: systemClock,
      logger: createLogger('error'),
    });
    return new BenchFollowUps(services, connection, followUps, config);
  }

  /**
   * One survey per chat, as when staff close a handoff (`admin handoff:close`): the handoff ids
   * are synthetic (`<tag>-<chat>`), which the survey does not check. Due after SURVEY_DELAY_MINUTES.
   */
  async surveyEach(chats: readonly number[], account: string, tag: string): Promise<PlannedBatch> {
    const plannedAt = new Map<number, number>();
    const queue = [...chats];
    const [startedAt, startedAtEpoch] = [performance.now(), Date.now()];
    const worker = async (): Promise<void> => {
      for (let chat = queue.shift(); chat !== undefined; chat = queue.shift()) {
        const id = conversationId(this.services.cipher, { channel: 'telegram', account, sender: String(chat) });
        await this.followUps.planner.handoffClosed({ id: `${tag}-${chat}`, conversationId: id, channel: 'telegram', language: 'ar' });
        plannedAt.set(chat, performance.now());
      }
    };
    await Promise.all(Array.from({ length: PLAN_CONCURRENCY }, worker));
    return { startedAt, startedAtEpoch, endedAt: performance.now(), plannedAt };
  }

  /**
   * The stored survey records of these handoffs, read with the raw driver: how many in each state
   * (and reason), and when each was marked sent (the runner's pace, apart from the channel's).
   */
  async surveyRecords(chats: readonly number[], tag: string): Promise<{ states: Record<string, number>; sentAt: number[] }> {
    const caseIds = chats.map((chat) => `handoff-${tag}-${chat}`);
    const rows = await withDatabase(this.config.mongoUri ?? '', this.config.mongoDb, (db) =>
      db
        .collection<{ state: string; reason: string | null; sentAt: Date | null }>('scheduled_messages')
        .find({ kind: 'survey', caseId: { $in: caseIds } }, { projection: { state: 1, reason: 1, sentAt: 1 } })
        .toArray(),
    );
    const states: Record<string, number> = {};
    for (const r of rows) {
      const key = r.reason ? `${r.state} (${r.reason})` : r.state;
      states[key] = (states[key] ?? 0) + 1;
    }
    const sentAt = rows.flatMap((r) => (r.sentAt ? [r.sentAt.getTime()] : [])).sort((a, b) => a - b);
    return { states, sentAt };
  }

  async close(): Promise<void> {
    await this.followUps.close();
    await this.connection.quit().catch(() => undefined);
    await this.services.close();
  }
}
