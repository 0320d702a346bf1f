import type { Language } from '../domain/language';
import type { ChannelId, InboundMessage, Reply } from '../domain/messages';

/**
 * How to write a channel, step by step: docs/writing-a-channel.md (read it first).
 *
 * Contracts every channel implements. A channel is a codec around the engine: it decodes platform
 * updates into {@link InboundMessage}s for the {@link InboundSink}, and a {@link ChannelSender}
 * turns our {@link Reply} into platform calls. Only a channel's client file imports its SDK.
 */

/**
 * A message not taken in, and not stored: its sender is flooding (`too_fast`), its conversation
 * already has a long backlog (`backlog`), or the whole bot is at its admission limit
 * (`overloaded`). Nothing is lost: webhooks answer non-2xx so the platform delivers it again, the
 * polling loop and WhatsApp Web hold it and try again after `retryAfterMs`, and the web chat tells
 * the visitor to send it again.
 */
export interface Refusal {
  type: 'refused';
  reason: 'too_fast' | 'backlog' | 'overloaded';
  retryAfterMs: number;
}

export type AcceptOutcome = 'accepted' | 'duplicate' | Refusal;

/** Where inbound messages go. `accept` resolves `accepted` only once the message is stored (so webhooks may answer 2xx). */
export interface InboundSink {
  accept(message: InboundMessage): Promise<AcceptOutcome>;
}

/** Who to send to: the association's account on the channel and the beneficiary's platform id. */
export interface Recipient {
  account: string;
  recipient: string;
}

/** What a send attempt came to. Expected outcomes are values; only bugs throw. */
export type SendOutcome =
  | { type: 'sent'; externalId: string | null }
  | { type: 'rate_limited'; retryAfterMs: number }
  | { type: 'failed'; retryable: boolean; reason: string };

/** Context a sender may need: the language (for labels such as "choose a number") and the 24-hour window. */
export interface SendContext {
  language: Language;
  /** Last time the beneficiary wrote; WhatsApp Cloud may only send free text within 24 h of it. */
  lastInboundAt: Date | null;
  /** A reply to a message (always inside the window) or a proactive message (follow-up, survey). */
  kind: 'reply' | 'proactive';
}

/** Pacing a channel needs; enforced by the send queue across processes. */
export interface ChannelLimits {
  /** Messages per second over the whole channel (all chats). */
  perSecond: number;
  /** Minimum gap between two messages to the same chat. */
  perChatGapMs: number;
  /** Extra random gap added before each message (WhatsApp Web pacing), [min, max] ms. */
  jitterMs: [number, number];
  /** Cap per minute over the whole channel (WhatsApp Web), or null. */
  perMinute: number | null;
}

export interface ChannelSender {
  readonly channel: ChannelId;
  readonly limits: ChannelLimits;
  send(to: Recipient, reply: Reply, context: SendContext): Promise<SendOutcome>;
  /**
   * Whether a message the bot sends first can reach the person now (WhatsApp Cloud outside the
   * 24-hour window needs an approved template, which may not be configured). `staff`: a staff
   * member's own words, which no template can carry, so only inside the window. Absent: always.
   */
  reach?(context: { lastInboundAt: Date | null; purpose: 'followup' | 'survey' | 'staff' }, now: Date): { ok: true } | { ok: false; reason: string };
  /** Optional "typing…" indicator while the engine works. Failures are ignored. */
  typing?(to: Recipient): Promise<void>;
  /**
   * True when a reply is delivered once its outbound-log row exists, whatever the call does: the
   * web chat, whose page shows the log's replies on load and reconnect, and whose `send` always
   * reports `sent`. Its claim row is then written as `sent`, and no settlement write follows.
   */
  readonly deliveredOnceRecorded?: boolean;
}

/** Health of one channel for /ready. */
export interface ChannelHealth {
  channel: ChannelId;
  state: 'disabled' | 'starting' | 'ready' | 'degraded' | 'failed';
  detail?: string;
}

/** A running channel: started by the process that has the `channels` role. */
export interface ChannelRuntime {
  readonly channel: ChannelId;
  start(): Promise<void>;
  stop(): Promise<void>;
  health(): ChannelHealth;
}
