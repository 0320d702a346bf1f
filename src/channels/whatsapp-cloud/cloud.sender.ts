import type { Language } from '../../domain/language';
import type { Reply } from '../../domain/messages';
import type { Translator } from '../../engine/ports';
import type { ChannelLimits, ChannelSender, Recipient, SendContext, SendOutcome } from '../channel';
import type { GraphClient, GraphResult } from './cloud.client';
import { encodeReply, encodeTemplate, type CloudLabels, type GraphMessage } from './cloud.encode';
import { chooseWhatsAppMessage } from './cloud.window';

/** Cloud API throughput: 80 messages per second per number by default; no per-chat pacing needed. */
export const CLOUD_LIMITS: ChannelLimits = { perSecond: 80, perChatGapMs: 0, jitterMs: [0, 0], perMinute: null };

/** Graph error codes that mean "slow down": app/account throttling, per-number and per-pair limits. */
const RATE_LIMIT_CODES: ReadonlySet<number> = new Set([4, 80007, 130429, 131056]);
const DEFAULT_RETRY_AFTER_MS = 2000;
/** Graph's code for an expired or revoked access token. */
const TOKEN_REJECTED_CODE = 190;

/**
 * What a Graph answer means for the send queue: throttling waits, server trouble retries, a
 * refused request (bad payload, blocked number, bad token) is given up with Graph's reason.
 */
export function toSendOutcome(result: GraphResult): SendOutcome {
  switch (result.type) {
    case 'ok':
      return { type: 'sent', externalId: result.messageId };
    case 'network':
      return { type: 'failed', retryable: true, reason: result.reason };
    case 'error': {
      const code = result.code === null ? '' : ` code ${result.code}`;
      if (result.status === 429 || (result.code !== null && RATE_LIMIT_CODES.has(result.code))) {
        return { type: 'rate_limited', retryAfterMs: result.retryAfterMs ?? DEFAULT_RETRY_AFTER_MS };
      }
      if (result.status >= 500 || result.status === 408) return { type: 'failed', retryable: true, reason: `graph ${result.status}${code}` };
      return { type: 'failed', retryable: false, reason: `graph ${result.status}${code}: ${scrub(result.message ?? 'request refused')}` };
    }
    default: {
      const unreachable: never = result;
      return unreachable;
    }
  }
}

/** Graph messages rarely quote numbers, but a failure reason is stored and logged: mask any. */
function scrub(message: string): string {
  return message.replace(/\+?\d{7,}/g, '[number]').slice(0, 200);
}

/** The words the encoder adds, in the conversation's language (locales/<lng>/whatsapp.json → cloud). */
export function cloudLabels(translator: Translator, language: Language): CloudLabels {
  return {
    listButton: translator.t(language, 'whatsapp:cloud.list_button'),
    chooseNumber: translator.t(language, 'whatsapp:cloud.choose_number'),
    optionLine: (number, label) => translator.t(language, 'whatsapp:cloud.option_line', { number, label }),
  };
}

export interface CloudSenderDeps {
  client: GraphClient;
  translator: Translator;
  /** Approved templates used outside the 24-hour window, by purpose; unset: such messages are skipped. */
  templates: { followup?: string | undefined; survey?: string | undefined };
  now?: () => Date;
}

/** Sends our replies through the Cloud API; the recipient's account is the phone number id. */
export class CloudSender implements ChannelSender {
  readonly channel = 'whatsapp' as const;
  readonly limits = CLOUD_LIMITS;
  /** When Graph last refused the access token; cleared by the next successful send. Shown by /ready. */
  tokenRejectedAt: Date | null = null;

  constructor(private readonly deps: CloudSenderDeps) {}

  async send(to: Recipient, reply: Reply, context: SendContext): Promise<SendOutcome> {
    const result = await this.deps.client.sendMessage(to.account, this.encode(to.recipient, reply, context));
    if (result.type === 'ok') this.tokenRejectedAt = null;
    if (result.type === 'error' && (result.status === 401 || result.code === TOKEN_REJECTED_CODE)) this.tokenRejectedAt = this.now();
    return toSendOutcome(result);
  }

  private encode(recipient: string, reply: Reply, context: SendContext): GraphMessage {
    const labels = cloudLabels(this.deps.translator, context.language);
    if (chooseWhatsAppMessage(context, this.now()) === 'free') return encodeReply(recipient, reply, labels);
    const name = this.deps.templates[reply.template?.purpose ?? 'followup'] ?? '';
    return encodeTemplate(recipient, reply, { name, language: context.language }, labels);
  }

  /** Outside the window a message needs its approved template: without one configured it cannot go. */
  reach(context: { lastInboundAt: Date | null; purpose: 'followup' | 'survey' | 'staff' }, now: Date): { ok: true } | { ok: false; reason: string } {
    if (chooseWhatsAppMessage({ kind: 'proactive', lastInboundAt: context.lastInboundAt }, now) === 'free') return { ok: true };
    if (context.purpose === 'staff') return { ok: false, reason: 'outside_24h_window' };
    return this.deps.templates[context.purpose] ? { ok: true } : { ok: false, reason: `outside_24h_window_no_${context.purpose}_template` };
  }

  private now(): Date {
    return this.deps.now ? this.deps.now() : new Date();
  }
}
