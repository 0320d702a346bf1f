import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MemoryReport } from './app-messages';
import type { IdleMemoryResult } from './idle-memory.scenario';
import { observations } from './observations';
import { formatDrain } from './report-lines';
import type { Background, BaselineResult, CpuCost, StepResult } from './measure';
import { ms } from './stats';

/** Everything one run measured, as written to bench/results/<date>.json. */
export interface BenchReport {
  startedAt: string;
  durationSeconds: number;
  mode: 'quick' | 'full';
  /** The steps `--only` selected; null when all ran. */
  only: string[] | null;
  commit: string;
  machine: { cpus: number; node: string; loadAverageStart: number; loadAverageEnd: number };
  /** Idle CPU of the servers (ms/s) measured at the start and subtracted from their share. */
  background: Background;
  steps: StepResult[];
  baselines: BaselineResult[];
  highestRateUnder200ms: number | null;
  idleMemory: IdleMemoryResult | null;
  memory: Array<{ when: string } & MemoryReport>;
  appErrorLines: number;
  appLastErrors: string[];
  failures: string[];
}

const TARGET_CPU_MS = 14;
const f1 = (n: number): string => (Number.isFinite(n) ? n.toFixed(1) : 'n/a');
const mb = (n: number): string => `${(n / 1048576).toFixed(1)} MB`;
const cpuCells = (c: CpuCost | null): string =>
  c ? [c.total, c.gross, c.app, c.ferretdb, c.postgres, c.redis, c.driver].map(f1).join(' | ') : 'n/a | | | | | | ';

/** The step that answers "100 msg/s for 60 s": the open-loop 100 msg/s step, if the ramp got there. */
function targetStep(report: BenchReport): StepResult | undefined {
  return report.steps.find((s) => s.scenario === 'open loop' && s.offeredRate === 100);
}

function targets(report: BenchReport): string[] {
  const at100 = targetStep(report);
  const ramped = report.steps.some((s) => s.scenario === 'open loop');
  // The busiest light-load step (the largest median) is the one the target is judged on.
  const light = report.steps.filter((s) => s.scenario === 'light load').reduce<StepResult | undefined>((w, s) => (w === undefined || s.latency.p50 > w.latency.p50 ? s : w), undefined);
  const victims = report.steps.filter((s) => s.scenario === 'flood victim');
  const worstVictim = victims.reduce((worst, s) => Math.max(worst, s.latency.p99), 0);
  const fill = report.steps.filter((s) => s.scenario === 'pre-filled db');
  const [before, after] = fill;
  // CPU per message is fairest at the highest sustained rate: at low rates the app's fixed costs (timers, polling) weigh in.
  const sustained = report.steps.filter((s) => s.scenario === 'open loop' && !s.saturated).pop();
  const cpuRef = at100 ?? sustained ?? report.steps.find((s) => s.scenario === 'closed loop');
  const yes = (ok: boolean | undefined): string => (ok === undefined ? 'not measured' : ok ? 'met' : '**missed**');
  return [
    '| Target | Measured | |',
    '|---|---|---|',
    `| 100 msg/s for 60 s, p99 < 200 ms (web chat) | ${at100 ? `${f1(at100.throughput)} msg/s over ${at100.seconds} s, p99 ${ms(at100.latency.p99)}` : ramped ? 'ramp stopped below 100 msg/s' : 'n/a'} | ${yes(at100 ? at100.latency.p99 < 200 && !at100.saturated : ramped ? false : undefined)} |`,
    `| p50 < 50 ms at light load | ${light ? `${ms(light.latency.p50)} (${light.label})` : 'n/a'} | ${yes(light ? light.latency.p50 < 50 : undefined)} |`,
    `| ≤ ${TARGET_CPU_MS} ms CPU per message (node + FerretDB + PostgreSQL + Redis) | ${cpuRef ? `${f1(cpuRef.cpuPerMessage.total)} ms (${cpuRef.scenario} ${cpuRef.label})` : 'n/a'} | ${yes(cpuRef ? cpuRef.cpuPerMessage.total <= TARGET_CPU_MS : undefined)} |`,
    `| flood victim's first reply p99 < 1 s | ${victims.length > 0 ? `worst p99 ${ms(worstVictim)}` : 'n/a'} | ${yes(victims.length > 0 ? worstVictim < 1000 : undefined)} |`,
    `| cost per message flat, empty → 100,000 stored messages | ${before && after ? `cpu/msg ${f1(before.cpuPerMessage.total)} → ${f1(after.cpuPerMessage.total)} ms, p50 ${ms(before.latency.p50)} → ${ms(after.latency.p50)}` : 'n/a'} | ${yes(before && after ? after.cpuPerMessage.total <= before.cpuPerMessage.total * 1.2 : undefined)} |`,
    `| highest rate with p99 < 200 ms | ${report.highestRateUnder200ms === null ? 'none' : `${report.highestRateUnder200ms} msg/s`} | |`,
    drainTarget(report, yes),
  ];
}

/** Issue 9: N due follow-ups to N Telegram chats at the channel's limit (≈ 30/s), none twice, none lost. */
function drainTarget(report: BenchReport, yes: (ok: boolean | undefined) => string): string {
  const d = report.steps.find((s) => s.followUpDrain)?.followUpDrain;
  const claim = `follow-up drain: ${d ? d.chats : 'N'} due messages to as many Telegram chats at the channel's limit (≈ ${d?.limitPerSecond ?? 30}/s), none twice, none lost`;
  if (!d) return `| ${claim} | not measured | not measured |`;
  // "At the limit": the steady rate within 10 % below it and not above it. The busiest second is shown, not judged:
  // the gate spaces the reserved slots, but each call follows its slot after a database write (or a delayed flush job), so calls jitter.
  const ok = d.duplicates === 0 && d.missing === 0 && (d.stored.sent ?? 0) === d.chats && d.rates.steady >= d.limitPerSecond * 0.9 && d.rates.steady <= d.limitPerSecond;
  return `| ${claim} | steady ${f1(d.rates.steady)}/s, overall ${f1(d.rates.overall)}/s, busiest second ${d.rates.busiestSecond}; duplicates ${d.duplicates}, lost ${d.missing}, stored sent ${d.stored.sent ?? 0}/${d.chats} | ${yes(ok)} |`;
}

function stepsTable(steps: readonly StepResult[]): string[] {
  const rows = steps.map((s) => {
    const refused = Object.entries(s.refused).map(([c, n]) => `${c} ${n}`).join(', ') || '0';
    return `| ${s.scenario} | ${s.label}${s.saturated ? ' (saturated)' : ''} | ${s.sent} | ${s.answered} | ${f1(s.throughput)} | ${refused} | ${s.lost} | ${ms(s.latency.p50)} | ${ms(s.latency.p95)} | ${ms(s.latency.p99)} | ${ms(s.latency.max)} | ${cpuCells(s.cpuPerMessage)} |`;
  });
  return [
    '| Scenario | Step | Sent | Answered | msg/s | Refused | Lost | p50 | p95 | p99 | max | CPU ms/msg total | gross | node | FerretDB | PostgreSQL | Redis | driver |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows,
  ];
}

/** Pipeline vs each baseline: the best sustained web-chat rate and its CPU per message. */
function baselineTable(report: BenchReport): string[] {
  const sustained = report.steps.filter((s) => (s.scenario === 'open loop' && !s.saturated) || s.scenario === 'closed loop');
  const best = sustained.reduce<StepResult | null>((b, s) => (b === null || s.throughput > b.throughput ? s : b), null);
  const rows = report.baselines.map((b) => {
    const rateRatio = best && b.rate > 0 ? `${(best.throughput / b.rate).toFixed(3)}×` : 'n/a';
    const cpuRatio = best && b.cpuPerMessage && b.cpuPerMessage.total > 0 ? `${(best.cpuPerMessage.total / b.cpuPerMessage.total).toFixed(1)}×` : 'n/a';
    const p50Ratio = best && b.latency && b.latency.p50 > 0 ? `${(best.latency.p50 / b.latency.p50).toFixed(1)}×` : 'n/a';
    return `| ${b.name} | ${f1(b.rate)} ${b.unit} | ${b.latency ? `${ms(b.latency.p50)} / ${ms(b.latency.p95)}` : 'n/a'} | ${cpuCells(b.cpuPerMessage)} | ${rateRatio} | ${cpuRatio} | ${p50Ratio} |`;
  });
  return [
    `Ratios compare the pipeline's best sustained web-chat step (${best ? `${best.scenario} ${best.label}: ${f1(best.throughput)} msg/s, ${f1(best.cpuPerMessage.total)} ms CPU/msg, p50 ${ms(best.latency.p50)}` : 'none'}) with each baseline. For in-process baselines the "node" column is the bench process itself.`,
    '',
    '| Baseline | Rate | p50 / p95 | CPU ms/msg total | gross | node | FerretDB | PostgreSQL | Redis | driver | pipeline rate ÷ baseline | pipeline CPU ÷ baseline | pipeline p50 ÷ baseline |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows,
  ];
}

function memorySection(report: BenchReport): string[] {
  const lines = report.memory.map((m) => `| ${m.when} | ${mb(m.heapUsed)} | ${mb(m.heapTotal)} | ${mb(m.rss)} |`);
  const idle = report.idleMemory;
  return [
    '| App process, after GC | heap used | heap total | RSS |',
    '|---|---|---|---|',
    ...lines,
    '',
    idle
      ? `Idle conversations: ${idle.conversations} opened in ${idle.seconds.toFixed(0)} s, heap ${mb(idle.before.heapUsed)} → ${mb(idle.after.heapUsed)}, RSS ${mb(idle.before.rss)} → ${mb(idle.after.rss)}: **${mb(idle.heapPer10k)} heap (${mb(idle.rssPer10k)} RSS) per 10,000 idle conversations** (scaled linearly).`
      : 'Idle conversations: not measured.',
  ];
}

export function renderMarkdown(report: BenchReport): string {
  return [
    `# Bench ${report.startedAt.slice(0, 10)} (${report.mode}${report.only ? `, only ${report.only.join(', ')}` : ''})`,
    '',
    `Commit ${report.commit}; ${report.machine.cpus} CPUs, Node ${report.machine.node}; load average ${f1(report.machine.loadAverageStart)} at start, ${f1(report.machine.loadAverageEnd)} at the end (the machine is shared: FerretDB, PostgreSQL and Redis CPU includes anyone else's use of them). Run took ${report.durationSeconds.toFixed(0)} s.`,
    '',
    'Latency is from sending a message to the first reply for it (WebSocket `reply` frame, or the fake Bot API receiving `sendMessage`). CPU is per answered message, over the step and its drain: the app process (process.cpuUsage), FerretDB, PostgreSQL (postmaster + backends) and Redis (/proc/<pid>/stat). The servers\' idle background, measured before the first step (ms of CPU per second: ' + `FerretDB ${f1(report.background.ferretdb)}, PostgreSQL ${f1(report.background.postgres)}, Redis ${f1(report.background.redis)}` + '), is subtracted from their columns and from "total"; "gross" is before that subtraction. The driver column is the load generator, not counted in the total.',
    '',
    '## Targets',
    '',
    ...targets(report),
    '',
    '## Steps',
    '',
    ...stepsTable(report.steps),
    '',
    ...report.steps.filter((s) => s.notes && s.notes.length > 0).map((s) => `- ${s.scenario}, ${s.label}: ${(s.notes ?? []).join('; ')}`),
    ...report.steps.flatMap((s) => (s.followUpDrain ? formatDrain(s.followUpDrain).map((line) => `- ${line}`) : [])),
    '',
    '## Baselines (same run)',
    '',
    ...baselineTable(report),
    '',
    ...report.baselines.filter((b) => b.notes).map((b) => `- ${b.name}: ${(b.notes ?? []).join('; ')}`),
    '',
    '## Memory',
    '',
    ...memorySection(report),
    '',
    '## Anything odd',
    '',
    ...observations(report).map((o) => `- ${o}`),
    `- The app logged ${report.appErrorLines} error lines${report.appLastErrors.length > 0 ? `; the last: \`${report.appLastErrors.join('` / `')}\`` : ''}.`,
    ...report.failures.map((f) => `- Scenario failed: ${f}`),
    '',
  ].join('\n');
}

/**
 * Writes bench/results/<YYYY-MM-DD>.md and .json (<YYYY-MM-DD>.only-<steps>.* for an `--only` run,
 * so that a partial run never replaces a whole one); returns the markdown path.
 */
export function writeReport(projectRoot: string, report: BenchReport): string {
  const dir = join(projectRoot, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const base = join(dir, `${report.startedAt.slice(0, 10)}${report.only ? `.only-${report.only.join('-')}` : ''}`);
  writeFileSync(`${base}.json`, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(`${base}.md`, renderMarkdown(report));
  return `${base}.md`;
}
