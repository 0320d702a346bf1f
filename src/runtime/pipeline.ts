import { Redis } from 'ioredis';
import type { Worker } from 'bullmq';
import type { ChannelSender } from '../channels/channel';
import { InboundGateway } from '../channels/gateway';
import type { ChannelModule } from '../channels/module';
import type { Engine } from '../engine/engine';
import { InboundQueue, startInboundWorkers } from '../jobs/inbound.queue';
import { makeApologiser, startRecovery } from '../jobs/recovery';
import { SendQueue, startPinnedSendWorker, startSendWorkers, type SendProcessorDeps } from '../jobs/send.queue';
import type { Logger } from '../logging/logger';
import { createMessageLogModels } from '../persistence/message-log.models';
import { MessageLogRepository } from '../persistence/message-log.repository';
import { RedisConversationLock } from '../persistence/redis-coordination';
import { RedisRateGate } from '../persistence/redis-rate-gate';
import type { Services } from './services';

export interface PipelineOptions {
  redisUrl: string;
  shards: number;
  /** BullMQ key prefix; tests use a unique one. */
  prefix?: string;
  logger: Logger;
}

/** The message pipeline of one process: gateway (producer), and on request the workers. */
export interface Pipeline {
  gateway: InboundGateway;
  log: MessageLogRepository;
  inbound: InboundQueue;
  send: SendQueue;
  /** Starts the inbound and send shard workers (role `workers`). */
  startWorkers(engine: Engine): void;
  /** Starts the send worker of each pinned channel (role `channels`, next to the live client). */
  startPinnedWorkers(): void;
  close(): Promise<void>;
}

export async function createPipeline(services: Services, modules: readonly ChannelModule[], options: PipelineOptions): Promise<Pipeline> {
  const log = new MessageLogRepository(await createMessageLogModels(services.mongo), services.cipher);
  // BullMQ needs its own connections with no per-request retry limit (blocking commands).
  const connection = new Redis(options.redisUrl, { maxRetriesPerRequest: null });
  const prefix = options.prefix ?? 'bull';
  const pinned = modules.filter((m) => m.pinnedSend && m.sender).map((m) => m.channel);
  const inbound = new InboundQueue(connection, options.shards, prefix);
  const send = new SendQueue(connection, options.shards, pinned, prefix);
  await Promise.all([inbound.enforceGlobalConcurrency(), send.enforceGlobalConcurrency()]);
  const senders = new Map<string, ChannelSender>();
  for (const m of modules) if (m.sender) senders.set(m.channel, m.sender);
  const hash = (key: string): string => services.cipher.digest('redis-key', key);
  const sendDeps: SendProcessorDeps = {
    log,
    senders,
    gate: new RedisRateGate(services.redis, hash),
    lock: new RedisConversationLock(services.redis, hash, 120_000, 120_000),
    logger: options.logger,
  };
  const workers: Worker[] = [];
  const stoppers: Array<() => void> = [];
  return {
    gateway: new InboundGateway(log, inbound),
    log,
    inbound,
    send,
    startWorkers(engine) {
      workers.push(...startInboundWorkers(connection, options.shards, { engine, log, send, senders, logger: options.logger }, prefix));
      workers.push(...startSendWorkers(connection, options.shards, sendDeps, prefix));
      stoppers.push(startRecovery({ log, inbound, send, logger: options.logger, apologise: makeApologiser({ engine, log, send }) }).stop);
    },
    startPinnedWorkers() {
      for (const channel of pinned) workers.push(startPinnedSendWorker(connection, channel, sendDeps, prefix));
    },
    async close() {
      for (const stop of stoppers) stop();
      await Promise.allSettled(workers.map((w) => w.close()));
      await Promise.allSettled([inbound.close(), send.close()]);
      await connection.quit().catch(() => undefined);
    },
  };
}
