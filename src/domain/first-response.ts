/**
 * How quickly staff answer a chat handed to them: from the moment the handoff opened to the first
 * staff reply. The dashboard shows the average the issue asks for, and the median beside it,
 * because one chat left overnight can double an average of a quiet week.
 */
export interface FirstResponseStats {
  /** Handoffs in the period that got a staff reply. */
  answered: number;
  averageSeconds: number | null;
  medianSeconds: number | null;
}

/** How far back the dashboard looks. */
export const FIRST_RESPONSE_WINDOW_DAYS = 30;

export function firstResponseStats(handoffs: ReadonlyArray<{ openedAt: Date; firstReplyAt: Date }>): FirstResponseStats {
  // A reply dated before the opening (clock skew between processes) counts as immediate, not negative.
  const seconds = handoffs.map((h) => Math.max(0, (h.firstReplyAt.getTime() - h.openedAt.getTime()) / 1000)).sort((a, b) => a - b);
  if (seconds.length === 0) return { answered: 0, averageSeconds: null, medianSeconds: null };
  const middle = Math.floor(seconds.length / 2);
  const median = seconds.length % 2 === 1 ? (seconds[middle] as number) : ((seconds[middle - 1] as number) + (seconds[middle] as number)) / 2;
  return { answered: seconds.length, averageSeconds: seconds.reduce((a, b) => a + b, 0) / seconds.length, medianSeconds: median };
}

/** A duration for people: whole minutes (at least one when there is any wait), split into hours and minutes past an hour. */
export function durationParts(seconds: number): { hours: number; minutes: number } {
  const minutes = seconds <= 0 ? 0 : Math.max(1, Math.round(seconds / 60));
  return { hours: Math.floor(minutes / 60), minutes: minutes % 60 };
}
