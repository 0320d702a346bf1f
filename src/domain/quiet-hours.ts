/**
 * Quiet hours: the time of night when the bot sends nothing it started itself (survey
 * invitations, reminders); a message due then waits until they end. Replies to someone who has
 * just written are not held back. Times are Riyadh local time, which is UTC+3 all year.
 */

/** A daily window in minutes after Riyadh midnight; `endMinute` < `startMinute` means it wraps past midnight. */
export interface QuietHours {
  startMinute: number;
  endMinute: number;
}

/** The default window, 22:00 to 08:00 Riyadh time. */
export const DEFAULT_QUIET_HOURS = '22:00-08:00';

const RIYADH_OFFSET_MS = 3 * 3600_000; // Saudi Arabia keeps UTC+3 all year (no daylight saving).
const DAY_MS = 24 * 3600_000;
const MINUTE_MS = 60_000;
/** "22:00-08:00" or "22-8", once spaces are gone; a dash or an en dash between. */
const WINDOW = /^(\d{1,2})(?::(\d{2}))?[-–](\d{1,2})(?::(\d{2}))?$/;

/**
 * Parses the QUIET_HOURS setting: "22:00-08:00", "22-8" or "off" (null: no quiet hours).
 * Throws an error naming QUIET_HOURS on anything else, so a bad value stops the boot.
 */
export function parseQuietHours(text: string): QuietHours | null {
  const compact = text.replace(/\s+/g, '').toLowerCase();
  if (compact === 'off') return null;
  const m = WINDOW.exec(compact);
  if (!m) throw new Error(`QUIET_HOURS must look like "22:00-08:00", "22-8" or "off", not "${text}"`);
  const startMinute = minuteOfDay(m[1], m[2], text);
  const endMinute = minuteOfDay(m[3], m[4], text);
  if (startMinute === endMinute) throw new Error(`QUIET_HOURS "${text}" starts and ends at the same time; use "off" for no quiet hours`);
  return { startMinute, endMinute };
}

function minuteOfDay(hour: string | undefined, minute: string | undefined, text: string): number {
  const h = Number(hour);
  const min = Number(minute ?? '0');
  if (h > 23 || min > 59) throw new Error(`QUIET_HOURS "${text}" has a time out of range (hours 0–23, minutes 0–59)`);
  return h * 60 + min;
}

/** Milliseconds since Riyadh midnight at `at`. */
function sinceRiyadhMidnight(at: Date): number {
  const ms = (at.getTime() + RIYADH_OFFSET_MS) % DAY_MS;
  return ms < 0 ? ms + DAY_MS : ms;
}

/** True when `at` falls inside the quiet window (start included, end excluded). */
export function isQuiet(at: Date, quiet: QuietHours | null): boolean {
  if (!quiet) return false;
  const m = sinceRiyadhMidnight(at);
  const [start, end] = [quiet.startMinute * MINUTE_MS, quiet.endMinute * MINUTE_MS];
  return start < end ? m >= start && m < end : m >= start || m < end;
}

/** `due` itself outside quiet hours; otherwise the instant they end (Riyadh local end time, that day or the next). */
export function outOfQuietHours(due: Date, quiet: QuietHours | null): Date {
  if (!quiet || !isQuiet(due, quiet)) return due;
  const sinceMidnight = sinceRiyadhMidnight(due);
  const riyadhMidnight = due.getTime() - sinceMidnight;
  // In a window that wraps midnight, a time after its start ends tomorrow morning.
  const nextDay = quiet.startMinute > quiet.endMinute && sinceMidnight >= quiet.startMinute * MINUTE_MS;
  return new Date(riyadhMidnight + quiet.endMinute * MINUTE_MS + (nextDay ? DAY_MS : 0));
}
