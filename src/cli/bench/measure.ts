import { performance } from 'node:perf_hooks';
import type { AppHandle } from './app-handle';
import type { FireStats } from './fire-timer';
import type { InvitationCount, SendRates } from './invitation-watch';
import { servicesCpu, type ServiceName, type ServicePids } from './proc-cpu';
import { sleep, summarize, type LatencySummary } from './stats';
import type { AskOutcome } from './web-family';

/** What one step of load came to. */
export interface Tally {
  sent: number;
  answered: number;
  refused: Record<string, number>;
  lost: number;
  /** Sends the driver could not make on time (no free family ready): a driver limit, reported apart. */
  starved: number;
  latencies: number[];
  /** Families whose session or socket could not be opened, and the first reason given. */
  openFailed: number;
  firstOpenError: string | null;
}

export function newTally(): Tally {
  return { sent: 0, answered: 0, refused: {}, lost: 0, starved: 0, latencies: [], openFailed: 0, firstOpenError: null };
}

/** Counts a family that could not be opened; returns null so callers can `.catch(openFailed(tally))`. */
export function openFailed(tally: Tally): (error: unknown) => null {
  return (error) => {
    tally.openFailed += 1;
    tally.firstOpenError ??= error instanceof Error ? error.message : String(error);
    return null;
  };
}

export function record(tally: Tally, outcome: AskOutcome): void {
  if (outcome.type === 'answered') {
    tally.answered += 1;
    tally.latencies.push(outcome.latencyMs);
  } else if (outcome.type === 'refused') {
    tally.refused[outcome.code] = (tally.refused[outcome.code] ?? 0) + 1;
  } else {
    tally.lost += 1;
  }
}

/** CPU milliseconds by process. `total` is the bot's own cost: node app + FerretDB + PostgreSQL + Redis. */
export interface CpuCost {
  app: number;
  ferretdb: number;
  postgres: number;
  redis: number;
  total: number;
  /** `total` before the servers' idle background was subtracted. */
  gross: number;
  /** The load driver (this process: WebSocket clients, fake Bot API); not part of `total`. */
  driver: number;
}

export interface StepResult {
  scenario: string;
  label: string;
  seconds: number;
  offeredRate: number | null;
  sent: number;
  answered: number;
  refused: Record<string, number>;
  lost: number;
  starved: number;
  /** Answered messages per second of wall time (step plus the drain it needed). */
  throughput: number;
  latency: LatencySummary;
  cpuPerMessage: CpuCost;
  /** Set by the open-loop ramp. */
  saturated?: boolean;
  /** Set by the follow-up drain. */
  followUpDrain?: FollowUpDrainFacts;
  notes?: string[];
}

/** The follow-up drain: how many, how fast against the channel's limit, and what the database says. */
export interface FollowUpDrainFacts extends InvitationCount {
  chats: number;
  /** How long planning the surveys took (sends begin meanwhile). */
  planSeconds: number;
  /** Measured from the first survey planned. */
  rates: SendRates;
  limitPerSecond: number;
  /** The surveys' stored records by state (and reason): all `sent` when nothing was lost. */
  stored: Record<string, number>;
  /** When the runner marked the records sent (before their send): below the send rate, the runner is the bottleneck. */
  runner: SendRates;
  /** The app's fire jobs as the queue's observer saw them (duration, concurrency, the ceiling they make). */
  fires: FireStats;
}

/** CPU ms per second that the servers burn with the bot idle: other users of this shared machine, polling. */
export type Background = Record<ServiceName, number>;

/** Samples the servers' idle CPU for `seconds` (the app is running and idle), as ms of CPU per second. */
export async function measureBackground(pids: ServicePids, seconds: number): Promise<Background> {
  const before = servicesCpu(pids);
  const start = performance.now();
  await sleep(seconds * 1000);
  const after = servicesCpu(pids);
  const wall = (performance.now() - start) / 1000;
  const rate = (k: ServiceName): number => Math.max(0, (after[k] - before[k]) / wall) || 0;
  return { ferretdb: rate('ferretdb'), postgres: rate('postgres'), redis: rate('redis') };
}

/**
 * Starts counting CPU of the app process, the servers and the driver; the returned function stops.
 * The servers' idle background (measured at the start of the run) is subtracted from their share;
 * `gross` keeps the sum before that subtraction.
 */
export async function startCpu(app: AppHandle | null, where: { pids: ServicePids; background: Background }): Promise<() => Promise<CpuCost>> {
  const appBefore = app ? await app.cpuMs() : 0;
  const servicesBefore = servicesCpu(where.pids);
  const driverBefore = process.cpuUsage();
  const start = performance.now();
  return async () => {
    const appAfter = app ? await app.cpuMs() : 0;
    const servicesAfter = servicesCpu(where.pids);
    const driver = process.cpuUsage(driverBefore);
    const wall = (performance.now() - start) / 1000;
    const gross = (k: ServiceName): number => servicesAfter[k] - servicesBefore[k];
    const net = (k: ServiceName): number => Math.max(0, gross(k) - where.background[k] * wall);
    const cost = {
      app: appAfter - appBefore,
      ferretdb: net('ferretdb'),
      postgres: net('postgres'),
      redis: net('redis'),
      total: 0,
      gross: appAfter - appBefore + gross('ferretdb') + gross('postgres') + gross('redis'),
      driver: (driver.user + driver.system) / 1000,
    };
    cost.total = cost.app + cost.ferretdb + cost.postgres + cost.redis;
    return cost;
  };
}

export function perMessage(cost: CpuCost, messages: number): CpuCost {
  const d = Math.max(1, messages);
  return { app: cost.app / d, ferretdb: cost.ferretdb / d, postgres: cost.postgres / d, redis: cost.redis / d, total: cost.total / d, gross: cost.gross / d, driver: cost.driver / d };
}

/** Builds a step result from a tally, the wall time it took and the CPU it used. */
export function stepResult(
  scenario: string,
  label: string,
  tally: Tally,
  startedAt: number,
  cpu: CpuCost,
  offeredRate: number | null,
  seconds: number,
): StepResult {
  const wall = (performance.now() - startedAt) / 1000;
  const notes = tally.openFailed > 0 ? [`${tally.openFailed} families could not open a session or socket (first: ${tally.firstOpenError ?? '?'})`] : [];
  return {
    scenario,
    label,
    notes,
    seconds,
    offeredRate,
    sent: tally.sent,
    answered: tally.answered,
    refused: tally.refused,
    lost: tally.lost,
    starved: tally.starved,
    throughput: tally.answered / Math.max(seconds, wall),
    latency: summarize(tally.latencies),
    cpuPerMessage: perMessage(cpu, tally.answered),
  };
}

/** A baseline measured in the same run: what the parts can do alone. */
export interface BaselineResult {
  name: string;
  /** What `rate` counts: msg/s, jobs/s, classifications/s. */
  unit: string;
  rate: number;
  latency: LatencySummary | null;
  cpuPerMessage: CpuCost | null;
  notes?: string[];
}

/** For a baseline that runs inside this process: the driver is the client under test. */
export function inProcess(cost: CpuCost): CpuCost {
  const app = cost.driver;
  return { ...cost, app, driver: 0, total: app + cost.ferretdb + cost.postgres + cost.redis, gross: cost.gross - cost.app + app };
}
