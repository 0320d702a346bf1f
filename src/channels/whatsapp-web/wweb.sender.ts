import type { ChannelLimits, ChannelSender, Recipient, SendContext, SendOutcome } from '../channel';
import type { Reply } from '../../domain/messages';
import type { Translator } from '../../engine/ports';
import type { Logger } from '../../logging/logger';
import { encodeReply, isPersonChat } from './wweb.codec';
import type { WhatsAppClientLike } from './wweb.port';

/** Translation key of the line above numbered options. */
export const CHOOSE_NUMBER_KEY = 'whatsapp:wweb.choose_number';

/**
 * Pacing that keeps an unofficial client looking like a person: one message a second at most,
 * three seconds between two messages to one chat, 1–4 s of random extra gap, and a per-minute cap.
 * The library's maintainers warn that WhatsApp bans numbers that send like a machine.
 */
export function defaultWwebLimits(maxPerMinute: number): ChannelLimits {
  return { perSecond: 1, perChatGapMs: 3000, jitterMs: [1000, 4000], perMinute: maxPerMinute };
}

export interface WwebSenderDeps {
  /** The live client when linked and ready, else null. */
  readyClient: () => WhatsAppClientLike | null;
  /** True when this chat has written to us: we never start a conversation on this channel. */
  hasWrittenFirst: (chatId: string) => Promise<boolean>;
  translator: Translator;
  limits: ChannelLimits;
  logger: Logger;
}

/** Sends replies through the live client; expected failures are outcomes, not exceptions. */
export function createWwebSender(deps: WwebSenderDeps): ChannelSender {
  return {
    channel: 'whatsapp',
    limits: deps.limits,
    send: (to, reply, context) => send(deps, to, reply, context),
    async typing(to: Recipient): Promise<void> {
      const client = deps.readyClient();
      if (!client || !isPersonChat(to.recipient)) return;
      // Cosmetic only: a failed "typing…" must never hold up or fail the reply.
      await client
        .getChatById(to.recipient)
        .then((chat) => chat.sendStateTyping())
        .catch(() => undefined);
    },
  };
}

async function send(deps: WwebSenderDeps, to: Recipient, reply: Reply, context: SendContext): Promise<SendOutcome> {
  if (!isPersonChat(to.recipient)) return { type: 'failed', retryable: false, reason: 'not-a-person-chat' };
  // Unsolicited messages are what gets unofficial numbers banned; proactive sends need a prior message.
  if (!(await deps.hasWrittenFirst(to.recipient))) return { type: 'failed', retryable: false, reason: 'not-contacted-first' };
  const client = deps.readyClient();
  if (!client) return { type: 'failed', retryable: true, reason: 'whatsapp web client not ready (linking or reconnecting)' };
  const text = encodeReply(reply, deps.translator.t(context.language, CHOOSE_NUMBER_KEY));
  try {
    const sent = await client.sendMessage(to.recipient, text);
    return { type: 'sent', externalId: typeof sent?.id?._serialized === 'string' ? sent.id._serialized : null };
  } catch (error) {
    const reason = `whatsapp web send failed: ${safeMessage(error)}`;
    deps.logger.warn({ reason }, 'whatsapp web send failed; will retry');
    // The client may have dropped between the readiness check and the call.
    if (!deps.readyClient()) return { type: 'failed', retryable: true, reason: 'whatsapp web client not ready (linking or reconnecting)' };
    return { type: 'failed', retryable: true, reason };
  }
}

/** Library errors can quote chat ids (phone numbers): keep the gist, drop long digit runs. */
export function safeMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : 'unknown error';
  return message.replace(/\d{6,}/g, '…').slice(0, 200);
}
