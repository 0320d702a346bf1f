import type { CpuCost, FollowUpDrainFacts, StepResult } from './measure';
import { formatLatency } from './stats';

const f1 = (n: number): string => (Number.isFinite(n) ? n.toFixed(1) : 'n/a');

export function formatCpu(c: CpuCost): string {
  return `cpu/msg ${f1(c.total)} ms [gross ${f1(c.gross)}] (node ${f1(c.app)}, ferretdb ${f1(c.ferretdb)}, postgres ${f1(c.postgres)}, redis ${f1(c.redis)}; driver ${f1(c.driver)})`;
}

export function formatRefused(refused: Record<string, number>): string {
  const parts = Object.entries(refused).map(([code, n]) => `${code} ${n}`);
  return parts.length === 0 ? '' : ` refused: ${parts.join(', ')}`;
}

/** One printed line per step. */
export function formatStep(r: StepResult): string {
  const lost = r.lost > 0 ? ` lost ${r.lost}` : '';
  const starved = r.starved > 0 ? ` driver-starved ${r.starved}` : '';
  const flag = r.saturated ? ' SATURATED' : '';
  const notes = r.notes && r.notes.length > 0 ? ` [${r.notes.join('; ')}]` : '';
  return `${`${r.scenario}: ${r.label}`.padEnd(52)} sent ${r.sent} answered ${r.answered} (${f1(r.throughput)} msg/s)${formatRefused(r.refused)}${lost}${starved} | ${formatLatency(r.latency)} | ${formatCpu(r.cpuPerMessage)}${flag}${notes}`;
}

/**
 * The follow-up drain's own lines: what arrived and how fast against the channel's limit; then what
 * set the pace (the runner marking records sent, the fire jobs' duration and concurrency).
 */
export function formatDrain(d: FollowUpDrainFacts): string[] {
  const r = d.rates;
  const stored = Object.entries(d.stored).map(([state, n]) => `${state} ${n}`).join(', ') || 'none';
  const extra = `${d.otherSends > 0 ? ` | ${d.otherSends} other sends to these chats` : ''}${d.strangers > 0 ? ` | ${d.strangers} sends to other chats` : ''}`;
  return [
    `follow-up drain: ${d.received}/${d.chats} chats invited, duplicates ${d.duplicates}, lost ${d.missing}; stored survey records: ${stored} | ${f1(r.overall)} sends/s overall (first planned → last sent ${f1(r.lastAfterS)} s, first sent after ${f1(r.firstAfterS)} s; planning took ${f1(d.planSeconds)} s), steady ${f1(r.steady)} sends/s (middle 80 %), busiest second ${r.busiestSecond}, shortest gap ${f1(r.minGapMs)} ms; limit ${d.limitPerSecond}/s${extra}`,
    `follow-up drain, pace: the runner marked records sent at ${f1(d.runner.steady)}/s steady (${f1(d.runner.overall)}/s overall); ${d.fires.jobs} fire jobs (each with its inline send) took ${formatLatency(d.fires.durationMs)}, mean ${f1(d.fires.meanMs)} ms, at most ${d.fires.maxInFlight} at once: a ceiling of ${f1(d.fires.ceilingPerSecond)}/s`,
  ];
}
