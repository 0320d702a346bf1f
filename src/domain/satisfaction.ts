/**
 * The satisfaction report (policy: measuring satisfaction is at the centre of quality; ratings
 * are for improvement, never for punishment, so the report counts services, not people).
 */

/** What the report reads of one survey. */
export interface SurveyFacts {
  channel: string;
  supportType: string | null;
  subjectType: 'request' | 'handoff';
  invitedAt: Date | null;
  rating: number | null;
}

export interface SatisfactionStats {
  /** Surveys sent. */
  invited: number;
  /** Of those, answered with a rating. */
  rated: number;
  /** rated / invited, 0–1; null when nothing was sent. */
  responseRate: number | null;
  /** Mean rating, two decimals; null without ratings. */
  average: number | null;
  /** How many ratings of 1, 2, 3, 4 and 5. */
  distribution: Record<'1' | '2' | '3' | '4' | '5', number>;
}

export interface SatisfactionReport {
  from: string | null;
  to: string | null;
  overall: SatisfactionStats;
  byChannel: Record<string, SatisfactionStats>;
  /** Requests by support type; handoff surveys under `handoff`. */
  bySupportType: Record<string, SatisfactionStats>;
  /** `YYYY-MM` in Riyadh time of the invitation. */
  byMonth: Record<string, SatisfactionStats>;
}

const RIYADH_OFFSET_MS = 3 * 3_600_000;

export function summariseSatisfaction(surveys: readonly SurveyFacts[], period: { from: Date | null; to: Date | null }): SatisfactionReport {
  const sent = surveys.filter((s) => s.invitedAt !== null);
  const group = (key: (s: SurveyFacts) => string): Record<string, SatisfactionStats> => {
    const groups = new Map<string, SurveyFacts[]>();
    for (const s of sent) groups.set(key(s), [...(groups.get(key(s)) ?? []), s]);
    return Object.fromEntries([...groups.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, list]) => [k, stats(list)]));
  };
  return {
    from: period.from ? isoDay(period.from) : null,
    to: period.to ? isoDay(period.to) : null,
    overall: stats(sent),
    byChannel: group((s) => s.channel),
    bySupportType: group((s) => (s.subjectType === 'handoff' ? 'handoff' : (s.supportType ?? 'unknown'))),
    byMonth: group((s) => riyadhMonth(s.invitedAt as Date)),
  };
}

function stats(list: readonly SurveyFacts[]): SatisfactionStats {
  const distribution = { '1': 0, '2': 0, '3': 0, '4': 0, '5': 0 };
  let sum = 0;
  let rated = 0;
  for (const s of list) {
    if (s.rating === null || s.rating < 1 || s.rating > 5) continue;
    distribution[String(s.rating) as keyof typeof distribution] += 1;
    sum += s.rating;
    rated += 1;
  }
  return {
    invited: list.length,
    rated,
    responseRate: list.length === 0 ? null : round(rated / list.length),
    average: rated === 0 ? null : round(sum / rated),
    distribution,
  };
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

function riyadhMonth(at: Date): string {
  return isoDay(at).slice(0, 7);
}

/** The Riyadh calendar day of an instant, as YYYY-MM-DD. */
function isoDay(at: Date): string {
  return new Date(at.getTime() + RIYADH_OFFSET_MS).toISOString().slice(0, 10);
}

/** Parses `YYYY-MM-DD` as the start of that day in Riyadh; null when malformed. */
export function parseRiyadhDay(text: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return null;
  const at = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) - RIYADH_OFFSET_MS);
  return Number.isNaN(at.getTime()) || isoDay(at) !== text ? null : at;
}

/** A report's period from `YYYY-MM-DD` texts (both optional, `to` inclusive): the range [from, until) to query, or what is wrong. */
export function reportPeriod(fromText: string | undefined, toText: string | undefined): { from: Date | null; toDay: Date | null; until: Date | null } | { error: string } {
  const from = fromText === undefined ? null : parseRiyadhDay(fromText);
  const toDay = toText === undefined ? null : parseRiyadhDay(toText);
  if ((fromText !== undefined && !from) || (toText !== undefined && !toDay)) return { error: 'dates are written YYYY-MM-DD, e.g. 2026-11-01' };
  return { from, toDay, until: toDay ? new Date(toDay.getTime() + 86_400_000) : null };
}
