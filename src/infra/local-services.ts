import * as fs from 'fs';
import * as path from 'path';
import { ferretDbService, LOCAL_MONGO_URI } from './ferretdb';
import { type DetachedProcess, isProgramRunning, pollUntil, ProvisioningError, readPidFile, withDirLock } from './process-utils';
import { localPostgres } from './postgres';
import { LOCAL_REDIS_URL, redisService } from './redis-server';

export { FERRETDB_HOST, FERRETDB_PORT, FERRETDB_VERSION, LOCAL_MONGO_URI } from './ferretdb';
export { ProvisioningError } from './process-utils';
export { LOCAL_REDIS_URL, REDIS_HOST, REDIS_PORT } from './redis-server';

/** What {@link ensureLocalServices} should provide, and where to report slow steps. */
export interface LocalServiceOptions {
  /** Repository root; everything is kept under `<projectRoot>/.local/` (git-ignored). */
  projectRoot: string;
  needMongo: boolean;
  needRedis: boolean;
  /** Receives short human-readable lines about slow steps (callers send them to stderr). */
  progress: (line: string) => void;
}

/** Connection strings of the services that were asked for. */
export interface LocalServiceUrls {
  mongoUri?: string;
  redisUrl?: string;
}

/**
 * What a port turned out to hold: our server and answering (`ready`), our server still loading
 * (`starting`), nothing (`absent`), or some other program we must not touch (`foreign`).
 */
export type ServiceProbe = 'ready' | 'starting' | 'absent' | 'foreign';

/** A server this module can find, install or build, start detached, and wait for. */
export interface ManagedService {
  /** Human name for messages. */
  name: string;
  /** `host:port` it listens on. */
  address: string;
  /** Substring of its command line, to tell our server from a stranger that inherited its pid. */
  programName: string;
  /** The variable a developer sets instead, to use a server of their own. */
  overrideVariable: 'MONGODB_URI' | 'REDIS_URL';
  logFile: string;
  pidFile: string;
  lockDir: string;
  probe: () => Promise<ServiceProbe>;
  /** Creates directories and finds, installs or builds the executable; returns its path. */
  prepare: (progress: (line: string) => void) => Promise<string>;
  start: (executable: string) => DetachedProcess;
}

/** How long a freshly started server may take to answer. */
const START_TIMEOUT_MS = 30_000;
const START_POLL_MS = 200;
/** Long enough to sit out another process's cold FerretDB build or apt-get run. */
const LOCK_WAIT_MS = 10 * 60_000;
const LOCK_STALE_MS = 20 * 60_000;

/**
 * Makes sure a MongoDB-compatible server (FerretDB on PostgreSQL) and/or Redis answer on their fixed
 * loopback ports, reusing running ones, otherwise building or installing them (first run only)
 * and starting them detached so they outlive this process and serve the next run immediately.
 * Safe to call from several processes at once.
 *
 * @throws {ProvisioningError} when a server cannot be obtained or started; the message says what to install or set.
 */
export async function ensureLocalServices(opts: LocalServiceOptions): Promise<LocalServiceUrls> {
  const localDir = path.resolve(opts.projectRoot, '.local');
  const [mongoUri, redisUrl] = await Promise.all([
    opts.needMongo ? ensureFerretDb(localDir, opts.progress) : undefined,
    opts.needRedis ? ensureManagedService(redisService(localDir), opts.progress).then(() => LOCAL_REDIS_URL) : undefined,
  ]);
  const urls: LocalServiceUrls = {};
  if (mongoUri !== undefined) urls.mongoUri = mongoUri;
  if (redisUrl !== undefined) urls.redisUrl = redisUrl;
  return urls;
}

/** FerretDB stores in a PostgreSQL cluster of its own, which must be up before FerretDB starts. */
async function ensureFerretDb(localDir: string, progress: (line: string) => void): Promise<string> {
  const postgres = localPostgres(localDir);
  const ferret = ferretDbService(localDir, postgres.url);
  // A running FerretDB needs nothing more; otherwise start its cluster first.
  if ((await ferret.probe()) !== 'ready') {
    await ensureManagedService(postgres.service, progress);
    await postgres.prepareForFerretDb();
  }
  await ensureManagedService(ferret, progress);
  return LOCAL_MONGO_URI;
}

/** Resolves once `service` answers on its port, starting it (under a cross-process lock) if needed. */
export async function ensureManagedService(service: ManagedService, progress: (line: string) => void): Promise<void> {
  const state = await service.probe();
  if (state === 'ready') return;
  if (state === 'foreign') throw foreignProgramError(service);
  fs.mkdirSync(path.dirname(service.lockDir), { recursive: true });
  await withDirLock(service.lockDir, () => startUnderLock(service, progress), {
    waitMs: LOCK_WAIT_MS,
    staleMs: LOCK_STALE_MS,
    onWait: () => progress(`Waiting for another process that is setting up ${service.name}…`),
  });
}

async function startUnderLock(service: ManagedService, progress: (line: string) => void): Promise<void> {
  // Whoever held the lock before us may have started it already.
  const state = await service.probe();
  if (state === 'ready') return;
  if (state === 'foreign') throw foreignProgramError(service);
  const previousPid = readPidFile(service.pidFile);
  const alreadyRunning = previousPid !== undefined && isProgramRunning(previousPid, service.programName);
  let hasExited = (): boolean => false;
  if (state === 'absent' && !alreadyRunning) {
    const executable = await service.prepare(progress);
    progress(`Starting ${service.name} on ${service.address} (log: ${service.logFile})…`);
    hasExited = service.start(executable).hasExited;
  }
  const answered = await pollUntil(async () => (await service.probe()) === 'ready', {
    timeoutMs: START_TIMEOUT_MS,
    intervalMs: START_POLL_MS,
    giveUp: hasExited,
  });
  if (answered) return;
  if (hasExited()) throw new ProvisioningError(`${service.name} exited during start-up; see ${service.logFile}.`);
  const who = alreadyRunning ? `${service.name} (pid ${previousPid ?? '?'}, from ${service.pidFile})` : service.name;
  throw new ProvisioningError(
    `${who} did not answer on ${service.address} within ${START_TIMEOUT_MS / 1000} s; see ${service.logFile}.`,
  );
}

function foreignProgramError(service: ManagedService): ProvisioningError {
  return new ProvisioningError(
    `Port ${service.address} is held by a program that is not ${service.name}: stop it, or set ${service.overrideVariable} to a server of your own.`,
  );
}
