import { performance } from 'node:perf_hooks';
import type { Journey } from './journeys';
import { openFailed, record, type Tally } from './measure';
import { sleep } from './stats';
import { WebFamily } from './web-family';

/**
 * Open-loop load on the web chat: messages leave on a fixed schedule whatever the bot's latency.
 * Each message goes to a family with nothing outstanding (longest idle first), or to a new family
 * from a pool opened ahead; a family leaves when its journey is over. Latency is counted from the
 * scheduled time, so a late driver cannot hide a slow bot.
 */
export class OpenLoopWebLoad {
  private readonly idle: WebFamily[] = [];
  private readonly spare: WebFamily[] = [];
  private readonly all = new Set<WebFamily>();
  private readonly inFlight = new Set<Promise<void>>();
  private opening = 0;
  private stopped = false;

  constructor(
    private readonly port: number,
    private readonly journey: () => Journey,
    private readonly tally: Tally,
    private readonly askTimeoutMs: number,
  ) {}

  /** Opens families ahead of the schedule; `count` covers the first second or so. */
  async prepare(count: number): Promise<void> {
    await Promise.all(Array.from({ length: count }, () => this.openOne()));
  }

  /** Sends `rate` msg/s for `seconds`; returns when the last one has been sent. */
  async run(rate: number, seconds: number): Promise<void> {
    const start = performance.now();
    const total = Math.round(rate * seconds);
    let sent = 0;
    const spareTarget = Math.max(8, Math.ceil(rate / 4));
    while (sent < total && !this.stopped) {
      const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * rate) + 1);
      for (; sent < due; sent += 1) this.sendOne(start + (sent / rate) * 1000);
      this.refill(spareTarget);
      await sleep(5);
    }
  }

  /** Waits until every outstanding message is answered, refused or lost, for at most `maxMs`. */
  async drain(maxMs: number): Promise<boolean> {
    const deadline = performance.now() + maxMs;
    while (this.inFlight.size > 0 && performance.now() < deadline) await sleep(20);
    return this.inFlight.size === 0;
  }

  /** Closes every family; messages still outstanding count as lost. */
  async close(): Promise<number> {
    this.stopped = true;
    let strays = 0;
    for (const family of this.all) {
      strays += family.strays;
      family.close();
    }
    await Promise.allSettled([...this.inFlight]);
    return strays;
  }

  private sendOne(scheduledAt: number): void {
    const family = this.idle.shift() ?? this.spare.shift();
    if (!family) {
      this.tally.starved += 1;
      return;
    }
    this.tally.sent += 1;
    const flight = family.askNext(this.askTimeoutMs, scheduledAt).then((outcome) => {
      record(this.tally, outcome);
      if (family.done || outcome.type === 'lost') {
        this.all.delete(family);
        family.close();
      } else this.idle.push(family);
    });
    this.inFlight.add(flight);
    void flight.finally(() => this.inFlight.delete(flight));
  }

  private refill(target: number): void {
    const missing = target - this.spare.length - this.opening;
    for (let i = 0; i < Math.min(missing, 16); i += 1) void this.openOne();
  }

  private async openOne(): Promise<void> {
    this.opening += 1;
    try {
      const family = await WebFamily.open(this.port, this.journey()).catch(openFailed(this.tally));
      if (!family) return;
      this.all.add(family);
      if (this.stopped) family.close();
      else this.spare.push(family);
    } finally {
      this.opening -= 1;
    }
  }
}
