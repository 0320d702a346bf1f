import type { StepResult } from './measure';
import type { BenchReport } from './report';
import { ms } from './stats';

const pct = (part: number, whole: number): string => (whole > 0 ? `${((part / whole) * 100).toFixed(0)} %` : 'n/a');

/** Where the CPU of a message goes, largest first. */
function cpuShare(step: StepResult): string {
  const c = step.cpuPerMessage;
  const parts: Array<[string, number]> = [
    ['node (the app)', c.app],
    ['FerretDB', c.ferretdb],
    ['PostgreSQL', c.postgres],
    ['Redis', c.redis],
  ];
  parts.sort((a, b) => b[1] - a[1]);
  return parts.map(([name, v]) => `${name} ${v.toFixed(1)} ms (${pct(v, c.total)})`).join(', ');
}

/** Plain-language remarks computed from the numbers: where the CPU goes, what stands out. */
export function observations(report: BenchReport): string[] {
  const out: string[] = [];
  const steps = report.steps;
  const busiest = steps.filter((s) => s.scenario === 'open loop' && !s.saturated).pop() ?? steps.find((s) => s.scenario === 'closed loop');
  if (busiest) out.push(`CPU per message at ${busiest.scenario} ${busiest.label}: ${cpuShare(busiest)}; the database side (FerretDB + PostgreSQL) is ${pct(busiest.cpuPerMessage.ferretdb + busiest.cpuPerMessage.postgres, busiest.cpuPerMessage.total)}.`);
  const raw = report.baselines.find((b) => b.name.includes('raw driver') && b.name.includes('sequential'));
  if (busiest && raw?.cpuPerMessage) {
    const db = busiest.cpuPerMessage.ferretdb + busiest.cpuPerMessage.postgres;
    const floor = raw.cpuPerMessage.ferretdb + raw.cpuPerMessage.postgres;
    out.push(`Database CPU per message is ${db.toFixed(1)} ms against ${floor.toFixed(1)} ms for the raw driver's six round trips (×${(db / Math.max(floor, 0.01)).toFixed(1)}).`);
  }
  const telegram = steps.find((s) => s.scenario === 'telegram');
  const web = steps.find((s) => s.scenario === 'open loop');
  const echo = report.baselines.find((b) => b.name.includes('telegraf echo') && !b.name.includes('closed'));
  if (telegram && web) {
    out.push(`Telegram first reply p50 ${ms(telegram.latency.p50)} at ${telegram.offeredRate ?? '?'} msg/s vs the web chat's ${ms(web.latency.p50)} at ${web.offeredRate ?? '?'} msg/s${echo?.latency ? ` and a bare telegraf echo bot's ${ms(echo.latency.p50)} on the same fake API` : ''}.`);
  }
  const fill = steps.filter((s) => s.scenario === 'pre-filled db');
  const [before, after] = fill;
  if (before && after) {
    const worst = (['app', 'ferretdb', 'postgres', 'redis'] as const)
      .map((k) => [k, after.cpuPerMessage[k] - before.cpuPerMessage[k]] as const)
      .sort((a, b) => b[1] - a[1])[0];
    if (worst && worst[1] > 1) out.push(`With the stored messages added, ${worst[0]} CPU per message grew by ${worst[1].toFixed(1)} ms (${before.cpuPerMessage[worst[0]].toFixed(1)} → ${after.cpuPerMessage[worst[0]].toFixed(1)}).`);
  }
  if (report.machine.loadAverageStart > report.machine.cpus) {
    out.push(`The machine was busy (load average ${report.machine.loadAverageStart.toFixed(1)} on ${report.machine.cpus} CPUs at the start): other work shares the CPUs and the servers, so latencies and server CPU are upper bounds.`);
  }
  return out;
}
