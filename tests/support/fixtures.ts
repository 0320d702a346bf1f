import { withCheckDigit } from '../../src/domain/national-id';
import type { InboundMessage } from '../../src/domain/messages';
import type { Clock } from '../../src/engine/ports';

let counter = 0;

/** Factory for inbound messages; every call gets a fresh message id. */
export function makeInbound(overrides: Partial<InboundMessage> & { text: string }): InboundMessage {
  counter += 1;
  return {
    channel: 'console',
    account: 'test',
    sender: 'sender-1',
    messageId: `m-${counter}`,
    receivedAt: new Date(),
    ...overrides,
  };
}

/** A valid national ID (citizen "1…" or resident "2…") with a correct Luhn digit, unique per seed. */
export function makeNationalId(seed: number, kind: 'citizen' | 'resident' = 'citizen'): string {
  const body = `${kind === 'citizen' ? 1 : 2}${String(seed).padStart(8, '0')}`;
  return withCheckDigit(body);
}

/** A clock the test moves by hand (BullMQ and drivers keep real time; only the engine reads this). */
export class ManualClock implements Clock {
  constructor(private current: Date = new Date('2026-11-22T09:00:00Z')) {}
  now(): Date {
    return new Date(this.current);
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
  set(date: Date): void {
    this.current = new Date(date);
  }
}
