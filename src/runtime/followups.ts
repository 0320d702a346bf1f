import type { ConnectionOptions, Worker } from 'bullmq';
import type { ChannelSender } from '../channels/channel';
import type { FollowUpSettings, HandoffTimerSettings } from '../domain/followup';
import type { ChannelId } from '../domain/messages';
import type { Engine } from '../engine/engine';
import type { Clock, ConversationRef } from '../engine/ports';
import { FollowUpPlanner } from '../jobs/followup.planner';
import { FollowUpQueue, startFollowUpWorker } from '../jobs/followup.queue';
import { FollowUpRunner, type HandoffTimerHooks } from '../jobs/followup.runner';
import { MaintenanceQueue, startMaintenanceWorker, type RetentionCounts } from '../jobs/retention.queue';
import { errorMessage, type Logger } from '../logging/logger';
import type { ConversationRecords } from '../persistence/conversation-records';
import { createFollowUpModels } from '../persistence/followup.models';
import { MongoHandoffRepository } from '../persistence/handoff.repository';
import type { MessageLogRepository } from '../persistence/message-log.repository';
import { createModels } from '../persistence/models';
import { MongoRequestRepository } from '../persistence/request.repository';
import { ScheduledRepository } from '../persistence/scheduled.repository';
import { MongoSurveyRepository, MongoTaskRepository } from '../persistence/survey.repository';
import type { Services } from './services';

/** How often a worker process checks that the sweep and retention schedulers exist. */
const SCHEDULER_WATCH_MS = 5 * 60_000;

export interface FollowUpOptions {
  settings: FollowUpSettings;
  retentionDays: number;
  clock: Clock;
  logger: Logger;
  handoffTimers?: HandoffTimerSettings;
}

/** Follow-ups of one process: the planner (any process may schedule) and, on request, the workers. */
export interface FollowUps {
  planner: FollowUpPlanner;
  queue: FollowUpQueue;
  scheduled: ScheduledRepository;
  surveys: MongoSurveyRepository;
  tasks: MongoTaskRepository;
  handoffs: MongoHandoffRepository;
  /** Fires due messages and runs the sweep and retention schedulers (role `workers`). */
  startWorkers(deps: { engine: Engine; records: ConversationRecords; log: MessageLogRepository; senders: ReadonlyMap<string, ChannelSender>; send: (conversationId: string, channel: ChannelId) => Promise<void>; handoffs?: HandoffTimerHooks }): Promise<void>;
  /** Puts the sweep and retention schedulers back if Redis lost them (run every few minutes by worker processes). */
  ensureSchedulers(): Promise<void>;
  /** Fires one record now, as its job would (tests promote a due record instead of waiting). */
  fire(recordId: string, version: number): Promise<void>;
  close(): Promise<void>;
}

export async function createFollowUps(services: Services, connection: ConnectionOptions, prefix: string, conversationIdOf: (ref: ConversationRef) => string, options: FollowUpOptions): Promise<FollowUps> {
  const models = await createFollowUpModels(services.mongo);
  const core = await createModels(services.mongo);
  const scheduled = new ScheduledRepository(models);
  const surveys = new MongoSurveyRepository(models, services.cipher);
  const tasks = new MongoTaskRepository(models);
  const requests = new MongoRequestRepository(core, services.cipher);
  const handoffs = new MongoHandoffRepository(core, services.cipher);
  const queue = new FollowUpQueue(connection, prefix);
  const maintenance = new MaintenanceQueue(connection, prefix);
  const planner = new FollowUpPlanner({ scheduled, surveys, requests, queue, settings: options.settings, clock: options.clock, conversationIdOf, logger: options.logger, ...(options.handoffTimers ? { handoffTimers: options.handoffTimers } : {}) });
  const ensureSchedulers = async (): Promise<void> => {
    await queue.scheduleSweep();
    await maintenance.scheduleRetention();
  };
  const workers: Worker[] = [];
  let runner: FollowUpRunner | null = null;
  let watchdog: NodeJS.Timeout | null = null;
  return {
    planner,
    queue,
    scheduled,
    surveys,
    tasks,
    handoffs,
    async startWorkers(deps) {
      runner = new FollowUpRunner({ planner, queue, scheduled, surveys, tasks, requests, clock: options.clock, logger: options.logger, ...deps });
      const active = runner;
      workers.push(startFollowUpWorker(connection, prefix, { fire: (id, version) => active.fire(id, version), sweep: async () => void (await planner.sweep()) }, options.logger));
      const purge = async (cutoff: Date): Promise<RetentionCounts> => ({
        ...(await deps.log.purgeOlderThan(cutoff)),
        handoffs: await handoffs.purgeClosedBefore(cutoff),
        scheduled: await scheduled.purgeFinishedBefore(cutoff),
      });
      workers.push(startMaintenanceWorker(connection, prefix, purge, options.retentionDays, () => options.clock.now(), options.logger));
      await ensureSchedulers();
      // The sweep re-arms what Redis lost, but a flush loses the sweep's own scheduler too. Each
      // worker process puts the one scheduler back (an idempotent upsert; the sweep itself still
      // runs once a minute for all processes, not once per process).
      watchdog = setInterval(() => void ensureSchedulers().catch((error: unknown) => options.logger.warn({ err: { message: errorMessage(error) } }, 'follow-up schedulers not ensured')), SCHEDULER_WATCH_MS);
      watchdog.unref();
    },
    ensureSchedulers,
    async fire(recordId, version) {
      if (!runner) throw new Error('follow-up workers are not started in this process');
      await runner.fire(recordId, version);
    },
    async close() {
      if (watchdog) clearInterval(watchdog);
      await Promise.allSettled(workers.map((w) => w.close()));
      await Promise.allSettled([queue.close(), maintenance.close()]);
    },
  };
}
