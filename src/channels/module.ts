import type { FastifyPluginAsync } from 'fastify';
import type { ChannelId } from '../domain/messages';
import type { ChannelRuntime, ChannelSender } from './channel';

/**
 * What a channel contributes to a process: a sender (used by send workers), a runtime (polling
 * loop or live client, started by the `channels` role) and HTTP routes (webhooks, pages; `web` role).
 * `pinnedSend` marks senders that need the runtime's live client in the same process.
 */
export interface ChannelModule {
  channel: ChannelId;
  sender?: ChannelSender;
  runtime?: ChannelRuntime;
  httpPlugin?: FastifyPluginAsync;
  pinnedSend?: boolean;
}
