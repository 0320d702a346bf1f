import type { CpuCost, StepResult } from './measure';
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
