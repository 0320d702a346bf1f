import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * CPU time of the services the bot runs on, read from /proc/<pid>/stat (utime+stime, clock ticks).
 * PostgreSQL is the postmaster plus all its backends; backends that exited meanwhile are counted
 * through the postmaster's cutime+cstime (it reaps them).
 */

/** Linux USER_HZ; 100 on every mainstream kernel (`getconf CLK_TCK`). */
const TICK_MS = 10;

export type ServiceName = 'ferretdb' | 'postgres' | 'redis';

export interface ServicePids {
  ferretdb: number | null;
  postgres: number | null;
  redis: number | null;
}

interface Stat {
  ppid: number;
  ownTicks: number;
  childTicks: number;
}

function readStat(pid: number): Stat | null {
  let raw: string;
  try {
    raw = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name (field 2) may contain spaces and parentheses: split after its last ')'.
  const fields = raw.slice(raw.lastIndexOf(')') + 2).split(' ');
  const num = (i: number): number => Number(fields[i - 3] ?? 0);
  return { ppid: num(4), ownTicks: num(14) + num(15), childTicks: num(16) + num(17) };
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

function allPids(): number[] {
  return readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number);
}

function pidFromFile(file: string, mustContain: string): number | null {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && cmdline(pid).includes(mustContain) ? pid : null;
  } catch {
    return null;
  }
}

function pidByCommand(match: (cmd: string) => boolean): number | null {
  return allPids().find((pid) => match(cmdline(pid))) ?? null;
}

/** The project-local servers (from their pid files under .local/, else by command line). */
export function findServicePids(projectRoot: string): ServicePids {
  const local = join(projectRoot, '.local');
  return {
    ferretdb:
      pidFromFile(join(local, 'ferretdb-postgres', 'ferretdb.pid'), 'ferretdb') ??
      pidByCommand((c) => c.includes('ferretdb') && c.includes('--handler=postgresql')),
    postgres:
      pidFromFile(join(local, 'postgres', 'postgres.pid'), 'postgres') ??
      pidByCommand((c) => c.includes('/postgres ') && c.includes(' -D ') && c.includes(local)),
    redis: pidFromFile(join(local, 'redis', 'redis.pid'), 'redis-server') ?? pidByCommand((c) => c.startsWith('/usr/bin/redis-server')),
  };
}

/** Own CPU ms of one process; for `withChildren`, plus its live children and the reaped ones. */
export function processCpuMs(pid: number, withChildren: boolean): number {
  const stat = readStat(pid);
  if (!stat) return Number.NaN;
  let ticks = stat.ownTicks;
  if (withChildren) {
    ticks += stat.childTicks;
    for (const child of allPids()) {
      const s = child === pid ? null : readStat(child);
      if (s && s.ppid === pid) ticks += s.ownTicks;
    }
  }
  return ticks * TICK_MS;
}

export type CpuSnapshot = Record<ServiceName, number>;

export function servicesCpu(pids: ServicePids): CpuSnapshot {
  return {
    ferretdb: pids.ferretdb === null ? Number.NaN : processCpuMs(pids.ferretdb, false),
    postgres: pids.postgres === null ? Number.NaN : processCpuMs(pids.postgres, true),
    redis: pids.redis === null ? Number.NaN : processCpuMs(pids.redis, false),
  };
}

/** The 1-minute load average: other engineers share this machine, so the report says how busy it was. */
export function loadAverage(): number {
  try {
    return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
  } catch {
    return Number.NaN;
  }
}
