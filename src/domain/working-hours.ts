/**
 * The association's working hours. The policy does not state them: these defaults
 * (Sunday–Thursday, 08:00–15:00 Riyadh time) are to be confirmed by the association.
 */
const RIYADH_OFFSET_HOURS = 3; // Saudi Arabia keeps UTC+3 all year (no daylight saving).
const WORK_DAYS = new Set([0, 1, 2, 3, 4]); // Sunday … Thursday
const OPEN_HOUR = 8;
const CLOSE_HOUR = 15;

/** True when staff are normally at work at `at`. */
export function isWithinWorkingHours(at: Date): boolean {
  const riyadh = new Date(at.getTime() + RIYADH_OFFSET_HOURS * 3600_000);
  const hour = riyadh.getUTCHours();
  return WORK_DAYS.has(riyadh.getUTCDay()) && hour >= OPEN_HOUR && hour < CLOSE_HOUR;
}
