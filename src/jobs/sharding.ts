import { createHash } from 'node:crypto';

/**
 * Messages of one conversation go to one shard; each shard queue runs one job at a time across
 * all processes (BullMQ global concurrency 1), so a conversation is handled in arrival order
 * while different conversations proceed in parallel.
 */
export function shardOf(conversationId: string, shards: number): number {
  return createHash('sha1').update(conversationId).digest().readUInt32BE(0) % shards;
}

export function shardQueueName(base: string, shard: number): string {
  return `${base}-${shard}`;
}
