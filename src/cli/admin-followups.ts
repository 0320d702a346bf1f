/* CLI: the follow-up commands of `npm run admin` (scheduled messages, satisfaction report, staff tasks). */
import { Redis } from 'ioredis';
import { parseDuration, type FollowUpRecord } from '../domain/followup';
import { reportPeriod, summariseSatisfaction, type SatisfactionReport, type SatisfactionStats } from '../domain/satisfaction';
import { conversationId } from '../persistence/conversation.store';
import { createFollowUps, type FollowUps } from '../runtime/followups';
import type { CliRuntime } from './bootstrap';

/** The follow-ups of a CLI process: it schedules (arms jobs) but runs no workers. */
export async function cliFollowUps(runtime: CliRuntime): Promise<{ followUps: FollowUps; close: () => Promise<void> }> {
  const connection = new Redis(runtime.services.redisUrl, { maxRetriesPerRequest: null });
  const followUps = await createFollowUps(runtime.services, connection, runtime.config.queuePrefix, (ref) => conversationId(runtime.services.cipher, ref), {
    settings: runtime.config.followUps,
    retentionDays: runtime.config.retentionDays,
    clock: runtime.core.ports.clock,
    logger: runtime.logger,
  });
  return {
    followUps,
    close: async () => {
      await followUps.close();
      await connection.quit().catch(() => undefined);
    },
  };
}

/** Why a record will be sent, in words for the operator. */
function why(record: FollowUpRecord): string {
  switch (record.kind) {
    case 'reminder':
      return `reminder ${record.detail.ordinal ?? 1} of an unfinished request (later if the person writes meanwhile)`;
    case 'status':
      return `request status changed to ${record.detail.status ?? '?'}`;
    case 'promise':
      return 'two weeks with the committee without a decision';
    case 'survey':
      return 'satisfaction survey';
    case 'survey_reminder':
      return 'reminder of an unanswered survey';
    case 'handoff_claim':
      return 'nobody took the handoff yet: the person is told the wait is longer';
    case 'handoff_silent':
      return 'the agent holding the handoff may have gone silent: back to the queue, supervisor task';
    default: {
      const unreachable: never = record.kind;
      return unreachable;
    }
  }
}

/** A case id shown masked: enough to tell cases apart, not to look a person up by it. */
export function maskCase(caseId: string): string {
  return caseId.length <= 8 ? `${caseId.slice(0, 2)}…` : `${caseId.slice(0, 6)}…${caseId.slice(-3)}`;
}

export async function listScheduled(followUps: FollowUps, now: Date, args: readonly string[]): Promise<string> {
  const flag = args.indexOf('--due-within');
  const within = flag >= 0 ? parseDuration(args[flag + 1] ?? '') : 48 * 3_600_000;
  if (within === null) throw new UsageError('--due-within takes a duration such as 30m, 48h or 7d');
  const records = await followUps.scheduled.dueBy(new Date(now.getTime() + within), 500);
  if (records.length === 0) return 'Nothing scheduled in that time.\n';
  return records.map((r) => `${r.dueAt.toISOString()}  ${r.kind.padEnd(15)}  ${r.channel.padEnd(8)}  case ${maskCase(r.caseId)}  ${why(r)}${r.reason ? ` [moved: ${r.reason}]` : ''}\n`).join('');
}

export async function satisfactionReport(followUps: FollowUps, args: readonly string[]): Promise<string> {
  const value = (name: string): string | undefined => {
    const i = args.indexOf(name);
    return i < 0 ? undefined : (args[i + 1] ?? '');
  };
  const period = reportPeriod(value('--from'), value('--to'));
  if ('error' in period) throw new UsageError(`--from and --to: ${period.error}`);
  if (period.from && period.until && period.from >= period.until) throw new UsageError('--from is after --to.');
  const surveys = await followUps.surveys.sentBetween(period.from, period.until);
  const report = summariseSatisfaction(surveys, { from: period.from, to: period.toDay });
  return args.includes('--json') ? `${JSON.stringify(report, null, 2)}\n` : renderReport(report);
}

function renderReport(report: SatisfactionReport): string {
  const line = (label: string, s: SatisfactionStats): string =>
    `${label.padEnd(22)} sent ${String(s.invited).padStart(4)}  rated ${String(s.rated).padStart(4)}  response ${pct(s.responseRate)}  average ${s.average?.toFixed(2) ?? '  - '}  [1:${s.distribution['1']} 2:${s.distribution['2']} 3:${s.distribution['3']} 4:${s.distribution['4']} 5:${s.distribution['5']}]\n`;
  const section = (title: string, groups: Record<string, SatisfactionStats>): string =>
    Object.keys(groups).length === 0 ? '' : `\n${title}\n${Object.entries(groups).map(([k, s]) => line(`  ${k}`, s)).join('')}`;
  const period = `${report.from ?? 'the beginning'} to ${report.to ?? 'today'}`;
  return `Satisfaction, ${period}\n${line('overall', report.overall)}${section('By channel', report.byChannel)}${section('By support type', report.bySupportType)}${section('By month', report.byMonth)}`;
}

function pct(rate: number | null): string {
  return rate === null ? '   -' : `${String(Math.round(rate * 100)).padStart(3)}%`;
}

export async function listTasks(followUps: FollowUps): Promise<string> {
  const tasks = await followUps.tasks.listOpen();
  if (tasks.length === 0) return 'No open tasks.\n';
  return tasks.map((t) => `${t.createdAt.toISOString()}  ${t.kind.padEnd(17)}  ${t._id}  ${Object.entries(t.detail).map(([k, v]) => `${k}=${v}`).join(' ')}\n`).join('');
}

/** A wrong argument: the CLI prints it with the usage and exits 2. */
export class UsageError extends Error {}
