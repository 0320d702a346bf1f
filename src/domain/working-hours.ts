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

const MINUTE = 60_000;

/** The next moment at or after `at` within working hours. */
export function nextWorkingMoment(at: Date): Date {
  if (isWithinWorkingHours(at)) return at;
  const riyadh = new Date(at.getTime() + RIYADH_OFFSET_HOURS * 3600_000);
  // Today's opening if it is still ahead, else tomorrow's; then skip days off.
  const day = new Date(Date.UTC(riyadh.getUTCFullYear(), riyadh.getUTCMonth(), riyadh.getUTCDate(), OPEN_HOUR));
  if (riyadh.getUTCHours() >= OPEN_HOUR) day.setUTCDate(day.getUTCDate() + 1);
  while (!WORK_DAYS.has(day.getUTCDay())) day.setUTCDate(day.getUTCDate() + 1);
  return new Date(day.getTime() - RIYADH_OFFSET_HOURS * 3600_000);
}

/**
 * `minutes` of working time after `from`: time outside working hours does not count (a handoff
 * opened on Thursday evening has its first working minute on Sunday at 08:00).
 */
export function addWorkingMinutes(from: Date, minutes: number): Date {
  let at = nextWorkingMoment(from);
  let left = minutes * MINUTE;
  for (let guard = 0; guard < 1000; guard += 1) {
    const riyadh = new Date(at.getTime() + RIYADH_OFFSET_HOURS * 3600_000);
    const close = Date.UTC(riyadh.getUTCFullYear(), riyadh.getUTCMonth(), riyadh.getUTCDate(), CLOSE_HOUR) - RIYADH_OFFSET_HOURS * 3600_000;
    const today = close - at.getTime();
    if (left <= today) return new Date(at.getTime() + left);
    left -= today;
    at = nextWorkingMoment(new Date(close));
  }
  return at;
}

/**
 * A time in Riyadh for a beneficiary: "14:30" on the same Riyadh day as `now`, otherwise with the
 * weekday ("Sunday 08:15"), in the person's language (Gregorian calendar, Latin digits).
 */
export function formatRiyadhTime(at: Date, language: string, now: Date): string {
  const locale = `${language}-u-ca-gregory-nu-latn`;
  const day = (d: Date): string => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Riyadh', year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);
  const time = new Intl.DateTimeFormat(locale, { timeZone: 'Asia/Riyadh', hour: '2-digit', minute: '2-digit', hour12: false }).format(at);
  if (day(at) === day(now)) return time;
  const weekday = new Intl.DateTimeFormat(locale, { timeZone: 'Asia/Riyadh', weekday: 'long' }).format(at);
  return `${weekday} ${time}`;
}
