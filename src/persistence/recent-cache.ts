/**
 * A small in-process map of recently used entries, bounded by count and age: the oldest entry
 * goes first when it is full, and an entry older than `maxAgeMs` is never returned. The message
 * pipeline keeps records it has just written here so that the next step of the same message (in
 * the same process) does not read them back from the database; callers decide when an entry may
 * be trusted (see ConversationRecords), and a miss always falls back to the database. Expired
 * entries also go when nothing else happens (a timer that does not keep the process alive).
 */
export class RecentCache<K, V> {
  private readonly entries = new Map<K, { value: V; at: number }>();
  private sweeper: NodeJS.Timeout | null = null;

  constructor(
    private readonly maxEntries: number,
    private readonly maxAgeMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  get(key: K): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (this.now() - entry.at > this.maxAgeMs) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  /** Returns the entry and forgets it. */
  take(key: K): V | undefined {
    const value = this.get(key);
    this.entries.delete(key);
    return value;
  }

  set(key: K, value: V): void {
    const at = this.now();
    // Re-inserting moves the key to the end, so insertion order is age order.
    this.entries.delete(key);
    this.entries.set(key, { value, at });
    this.prune(at);
    if (this.sweeper === null) {
      this.sweeper = setInterval(() => {
        this.prune(this.now());
        if (this.entries.size === 0) this.stopSweeper();
      }, this.maxAgeMs);
      this.sweeper.unref();
    }
  }

  delete(key: K): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
    this.stopSweeper();
  }

  /** Drops entries past the count or the age limit (insertion order is age order). */
  private prune(now: number): void {
    for (const [oldest, entry] of this.entries) {
      if (this.entries.size <= this.maxEntries && now - entry.at <= this.maxAgeMs) break;
      this.entries.delete(oldest);
    }
  }

  private stopSweeper(): void {
    if (this.sweeper !== null) clearInterval(this.sweeper);
    this.sweeper = null;
  }
}
