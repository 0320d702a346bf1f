import { Redis } from 'ioredis';
import type { Worker } from 'bullmq';
import type { ChannelSender } from '../channels/channel';
import { InboundGateway, type SlowDownNotice } from '../channels/gateway';
import type { ChannelModule } from '../channels/module';
import type { ChannelId } from '../domain/messages';
import { noticeFor, type Engine } from '../engine/engine';
import type { Clock, ConversationStore, FaultReporter, Translator } from '../engine/ports';
import { initialState } from '../engine/state';
import { FOLLOW_UP_QUEUE } from '../jobs/followup.queue';
import { INBOUND_QUEUE, InboundQueue, startInboundWorker, type TurnDeps } from '../jobs/inbound.queue';
import { DEFAULT_ADMISSION, Mailbox, type AdmissionLimits } from '../jobs/mailbox';
import { makeApologiser, RECOVERY_EVERY_MS, startRecovery } from '../jobs/recovery';
import { MAINTENANCE_QUEUE } from '../jobs/retention.queue';
import { pinnedQueueName, requestSend, SEND_QUEUE, SendQueue, startPinnedSendWorker, startSendWorker, type SendDeps } from '../jobs/send.queue';
import { errorMessage, type Logger } from '../logging/logger';
import { DEFAULT_FOLLOW_UP_SETTINGS, type FollowUpSettings, type HandoffTimerSettings } from '../domain/followup';
import { HandoffDesk } from '../handoffs/handoff-desk';
import { RedisHandoffEvents, type HandoffEvents } from '../handoffs/handoff-events';
import { HandoffTimers } from '../handoffs/handoff-timers';
import { HandoffInboxRepository } from '../persistence/handoff-inbox.repository';
import { createFollowUps, type FollowUps } from './followups';
import { systemClock } from './engine-factory';
import { ConversationRecords } from '../persistence/conversation-records';
import { createMessageLogModels } from '../persistence/message-log.models';
import { MessageLogRepository, type OutboundSettlement } from '../persistence/message-log.repository';
import { createModels } from '../persistence/models';
import { RedisConversationLock } from '../persistence/redis-coordination';
import { RedisRateGate } from '../persistence/redis-rate-gate';
import { WriteBatcher } from '../persistence/write-batcher';
import type { Services } from './services';

export interface PipelineOptions {
  redisUrl: string;
  /** Conversations one worker process handles at once (QUEUE_SHARDS). */
  concurrency: number;
  /** BullMQ and mailbox key prefix; tests and benchmarks use a unique one. */
  prefix?: string;
  logger: Logger;
  /** For notices the pipeline itself sends (slow down), in the conversation's language. */
  conversations: ConversationStore;
  translator: Translator;
  faults?: FaultReporter;
  admission?: AdmissionLimits;
  /** Follow-up settings (REMINDER_HOURS, QUIET_HOURS …) and the clock they run on; defaults for tests. */
  followUps?: { settings: FollowUpSettings; retentionDays: number };
  /** HANDOFF_CLAIM_MINUTES, HANDOFF_SILENT_MINUTES; defaults for tests. */
  handoffTimers?: HandoffTimerSettings;
  clock?: Clock;
}

/** The message pipeline of one process: gateway (producer), and on request the workers. */
export interface Pipeline {
  gateway: InboundGateway;
  log: MessageLogRepository;
  records: ConversationRecords;
  mailbox: Mailbox;
  inbound: InboundQueue;
  send: SendQueue;
  /** The BullMQ queues it produces to and works, by name under their key prefix (the staff console observes them). */
  queues: PipelineQueues;
  /** Scheduled messages and surveys (the admin CLI and the staff console schedule through it). */
  followUps: FollowUps;
  /** The staff inbox: live events (Redis pub/sub), its repository, and its actions around an engine. */
  handoffEvents: HandoffEvents;
  handoffInbox: HandoffInboxRepository;
  handoffDesk(engine: Engine): HandoffDesk;
  /** Has a conversation's pending replies sent (or leaves them to whoever is sending them). */
  resend(conversationId: string, channel: ChannelId): Promise<void>;
  /** What a turn job needs, around this engine (the workers use it; tests call processTurns with it). */
  turnDeps(engine: Engine): TurnDeps;
  /** Starts the turn and send workers and the recovery sweep (role `workers`). */
  startWorkers(engine: Engine): void;
  /** Starts the send worker of each pinned channel (role `channels`, next to the live client). */
  startPinnedWorkers(): void;
  close(): Promise<void>;
}

export interface PipelineQueues {
  prefix: string;
  names: readonly string[];
}

/**
 * Every BullMQ queue of a pipeline whose process pins these channels' senders: turns, sends (shared
 * and one per pinned channel), follow-ups and maintenance (retention). One list, so a queue added
 * to the pipeline is not forgotten by whoever observes them.
 */
export function queueNamesOf(pinned: readonly ChannelId[]): string[] {
  return [INBOUND_QUEUE, SEND_QUEUE, ...pinned.map(pinnedQueueName), FOLLOW_UP_QUEUE, MAINTENANCE_QUEUE];
}

export async function createPipeline(services: Services, modules: readonly ChannelModule[], options: PipelineOptions): Promise<Pipeline> {
  const log = new MessageLogRepository(await createMessageLogModels(services.mongo), services.cipher);
  const hash = (key: string): string => services.cipher.digest('redis-key', key);
  // Long enough for any turn; short polling, since a turn waits for a send of its own conversation.
  const records = new ConversationRecords(await createModels(services.mongo), services.cipher, new RedisConversationLock(services.redis, hash, 60_000, 30_000, 10), options.faults);
  // The lock's stamps live in Redis: after a reconnect (a restart may have brought back older ones), trust no cached copy.
  const forgetCached = (): void => records.forgetCached();
  services.redis.on('ready', forgetCached);
  // BullMQ needs its own connections with no per-request retry limit (blocking commands).
  const connection = new Redis(options.redisUrl, { maxRetriesPerRequest: null });
  const prefix = options.prefix ?? 'bull';
  const mailbox = new Mailbox(services.redis, `basirah:${prefix}`, options.admission ?? DEFAULT_ADMISSION);
  const pinned = modules.filter((m) => m.pinnedSend && m.sender).map((m) => m.channel);
  const inbound = new InboundQueue(connection, prefix);
  const send = new SendQueue(connection, pinned, prefix);
  const senders = new Map<string, ChannelSender>();
  for (const m of modules) if (m.sender) senders.set(m.channel, m.sender);
  const settlements = new WriteBatcher<OutboundSettlement>((items) => log.settleOutbound(items), options.logger, 'outbound settlements');
  const doneMarks = new WriteBatcher<string>((ids) => log.markInboundsDone(ids), options.logger, 'inbound done marks');
  const sendDeps: SendDeps = {
    records,
    mailbox,
    senders,
    gate: new RedisRateGate(services.redis, hash),
    log,
    settle: (settlement) => settlements.add(settlement),
    logger: options.logger,
  };
  const resend = (convId: string, channel: ChannelId): Promise<void> => requestSend(sendDeps, send, convId, channel, false);
  const slowDown: SlowDownNotice = async (message, convId) => {
    const notice = await noticeFor({ conversations: options.conversations, translator: options.translator }, message, 'answers.slow_down');
    const minute = Math.floor(Date.now() / 60_000);
    await records.addReplies(message, `slow-${convId}-${minute}`, notice.replies, initialState(notice.language, 'guessed'), new Date());
    await resend(convId, message.channel);
  };
  const workers: Worker[] = [];
  const stoppers: Array<() => void> = [];
  const clock = options.clock ?? systemClock;
  const followUps = await createFollowUps(services, connection, prefix, (ref) => records.idOf(ref), {
    settings: options.followUps?.settings ?? DEFAULT_FOLLOW_UP_SETTINGS,
    retentionDays: options.followUps?.retentionDays ?? 180,
    clock,
    logger: options.logger,
    ...(options.handoffTimers ? { handoffTimers: options.handoffTimers } : {}),
  });
  const handoffEvents = new RedisHandoffEvents(services.redis, prefix, options.logger);
  const handoffInbox = new HandoffInboxRepository(await createModels(services.mongo), services.cipher);
  const desks = new WeakMap<Engine, { desk: HandoffDesk; timers: HandoffTimers }>();
  const inboxOf = (engine: Engine): { desk: HandoffDesk; timers: HandoffTimers } => {
    let made = desks.get(engine);
    if (!made) {
      const desk = new HandoffDesk({ inbox: handoffInbox, records, log, engine, senders, resend, planner: followUps.planner, events: handoffEvents, clock, logger: options.logger });
      made = { desk, timers: new HandoffTimers({ inbox: handoffInbox, desk, planner: followUps.planner, tasks: followUps.tasks, clock }) };
      desks.set(engine, made);
    }
    return made;
  };
  const turnDeps = (engine: Engine): TurnDeps => ({ engine, log, records, mailbox, turns: inbound, send, sendDeps, done: doneMarks, senders, logger: options.logger, drafts: followUps.planner, handoffs: inboxOf(engine).timers });
  return {
    gateway: new InboundGateway(log, mailbox, inbound, slowDown, options.logger),
    log,
    records,
    mailbox,
    inbound,
    send,
    queues: { prefix, names: queueNamesOf(pinned) },
    followUps,
    handoffEvents,
    handoffInbox,
    handoffDesk: (engine) => inboxOf(engine).desk,
    resend,
    turnDeps,
    startWorkers(engine) {
      log.keepRecentInbound();
      workers.push(startInboundWorker(connection, turnDeps(engine), prefix, options.concurrency));
      workers.push(startSendWorker(connection, sendDeps, send, prefix, options.concurrency));
      const requeue = async (convId: string, inboundId: string): Promise<'waiting' | 'requeued'> => {
        const outcome = await mailbox.requeue(convId, inboundId);
        if (outcome === 'schedule') await inbound.schedule(convId);
        return outcome === 'waiting' ? 'waiting' : 'requeued';
      };
      const apologise = makeApologiser({ engine, log, records, resend });
      const forget = (convId: string, inboundId: string): Promise<void> => mailbox.done(convId, inboundId);
      const claimSweep = (): Promise<boolean> => mailbox.claimSweep(RECOVERY_EVERY_MS);
      stoppers.push(startRecovery({ log, records, requeue, forget, claimSweep, resend, logger: options.logger, apologise }).stop);
      const sendNow = (convId: string, channel: ChannelId): Promise<void> => requestSend(sendDeps, send, convId, channel, true);
      void followUps.startWorkers({ engine, records, log, senders, send: sendNow, handoffs: inboxOf(engine).timers }).catch((error: unknown) => options.logger.error({ err: { message: errorMessage(error) } }, 'follow-up workers did not start'));
    },
    startPinnedWorkers() {
      for (const channel of pinned) workers.push(startPinnedSendWorker(connection, channel, sendDeps, send, prefix));
    },
    async close() {
      services.redis.off('ready', forgetCached);
      for (const stop of stoppers) stop();
      await Promise.allSettled(workers.map((w) => w.close()));
      await followUps.close();
      await handoffEvents.close();
      await Promise.allSettled([settlements.drain(), doneMarks.drain()]);
      await Promise.allSettled([inbound.close(), send.close()]);
      await connection.quit().catch(() => undefined);
    },
  };
}
