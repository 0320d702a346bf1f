import type { SendContext } from '../channel';

/** WhatsApp's customer-service window: free-form messages only within 24 h of the person's last message. */
export const SERVICE_WINDOW_MS = 24 * 60 * 60 * 1000;

/**
 * Free-form message or approved template? A reply answers a message, so it is always free-form;
 * a proactive message (follow-up, survey) is free-form only inside the window, otherwise
 * WhatsApp refuses it (error 131047) and a template must be sent instead.
 */
export function chooseWhatsAppMessage(context: Pick<SendContext, 'kind' | 'lastInboundAt'>, now: Date): 'free' | 'template' {
  if (context.kind === 'reply') return 'free';
  if (context.lastInboundAt === null) return 'template';
  const elapsed = now.getTime() - context.lastInboundAt.getTime();
  return elapsed < SERVICE_WINDOW_MS ? 'free' : 'template';
}
