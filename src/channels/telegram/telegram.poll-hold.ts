/**
 * What the poller remembers about updates past its offset. Telegram's offset confirms every update
 * below it, so it cannot move past a refused update; but the updates behind it (other chats) must
 * not wait for it. They are stored at once and remembered here, so the next getUpdates (which
 * returns them again) skips them without touching the sink; the refused one is tried again once
 * its `retryAfterMs` has passed. Entries below the offset are dropped, so this holds at most one
 * batch of ids.
 */
export class PollHold {
  private readonly stored = new Set<number>();
  /** Refused update id → when it may be tried again (epoch ms). */
  private readonly waiting = new Map<number, number>();

  isStored(updateId: number | null): boolean {
    return updateId !== null && this.stored.has(updateId);
  }

  /** True while a refused update's wait has not run out. */
  isWaiting(updateId: number | null, nowMs: number): boolean {
    if (updateId === null) return false;
    const due = this.waiting.get(updateId);
    return due !== undefined && due > nowMs;
  }

  markStored(updateId: number | null): void {
    if (updateId === null) return;
    this.waiting.delete(updateId);
    this.stored.add(updateId);
  }

  markRefused(updateId: number | null, dueMs: number): void {
    if (updateId !== null) this.waiting.set(updateId, dueMs);
  }

  /** The earliest time a refused update may be tried again, or null when none waits. */
  nextDue(): number | null {
    let earliest: number | null = null;
    for (const due of this.waiting.values()) if (earliest === null || due < earliest) earliest = due;
    return earliest;
  }

  /** Forgets what the offset now confirms. */
  confirmBelow(offset: number): void {
    for (const id of this.stored) if (id < offset) this.stored.delete(id);
    for (const id of this.waiting.keys()) if (id < offset) this.waiting.delete(id);
  }
}
