import type { ChannelHealth, ChannelRuntime } from '../../src/channels/channel';
import { RetryingChannelRuntime } from '../../src/channels/retrying-runtime';
import { createLogger } from '../../src/logging/logger';
import { eventually } from '../support/pipeline';

/** A channel runtime whose first `failures` starts throw. */
class FlakyRuntime implements ChannelRuntime {
  readonly channel = 'telegram' as const;
  readonly startedAt: number[] = [];
  stops = 0;
  private up = false;

  constructor(private failures: number) {}

  async start(): Promise<void> {
    this.startedAt.push(Date.now());
    if (this.failures > 0) {
      this.failures -= 1;
      throw new Error('connect ECONNREFUSED 127.0.0.1:9');
    }
    this.up = true;
  }

  async stop(): Promise<void> {
    this.stops += 1;
    this.up = false;
  }

  health(): ChannelHealth {
    return { channel: 'telegram', state: this.up ? 'ready' : 'disabled' };
  }
}

const logger = createLogger('silent');

describe('RetryingChannelRuntime', () => {
  it('never throws from start, reports failed with the reason, and starts again with doubling waits until it is up', async () => {
    const inner = new FlakyRuntime(3);
    const runtime = new RetryingChannelRuntime(inner, logger, { initialMs: 40, maxMs: 100 });
    await expect(runtime.start()).resolves.toBeUndefined();
    expect(runtime.health()).toMatchObject({ channel: 'telegram', state: 'failed' });
    expect(runtime.health().detail).toMatch(/^start failed \(attempt 1\): connect ECONNREFUSED 127\.0\.0\.1:9; next try in \d+ s$/);
    await eventually(() => (runtime.health().state === 'ready' ? true : undefined), 5_000, 'ready');
    expect(inner.startedAt).toHaveLength(4);
    const gaps = inner.startedAt.slice(1).map((at, i) => at - (inner.startedAt[i] as number));
    // 40, 80, then capped at 100 ms (timers never fire early).
    expect(gaps[0]).toBeGreaterThanOrEqual(39);
    expect(gaps[1]).toBeGreaterThanOrEqual(79);
    expect(gaps[2]).toBeGreaterThanOrEqual(99);
    expect(gaps[2]).toBeLessThan(400);
    await runtime.stop();
  });

  it('stops retrying once stopped', async () => {
    const inner = new FlakyRuntime(Number.POSITIVE_INFINITY);
    const runtime = new RetryingChannelRuntime(inner, logger, { initialMs: 20, maxMs: 20 });
    await runtime.start();
    await eventually(() => (inner.startedAt.length >= 2 ? true : undefined), 5_000, 'a retry');
    await runtime.stop();
    const attempts = inner.startedAt.length;
    // An absence can only be seen by waiting: five retry periods.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(inner.startedAt).toHaveLength(attempts);
    expect(inner.stops).toBe(1);
  });
});
