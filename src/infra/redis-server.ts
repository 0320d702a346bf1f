import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import type { ManagedService, ServiceProbe } from './local-services';
import { ProvisioningError, runOrThrow, spawnDetached, which } from './process-utils';

/** Loopback address of the project-local Redis (off the default 6379 so a system Redis can coexist). */
export const REDIS_HOST = '127.0.0.1';
/** Port of the project-local Redis. */
export const REDIS_PORT = 6479;
/** URL of the project-local Redis. */
export const LOCAL_REDIS_URL = `redis://${REDIS_HOST}:${REDIS_PORT}`;

const PROBE_TIMEOUT_MS = 1000;
const APT_TIMEOUT_MS = 10 * 60_000;

/**
 * Asks whatever listens on the port for `PING`. Redis answers `+PONG`, or `-LOADING` while it
 * replays its append-only file at start-up; anything else is a stranger we must not use.
 */
export function probeRedis(host: string = REDIS_HOST, port: number = REDIS_PORT): Promise<ServiceProbe> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    let connected = false;
    let reply = '';
    const finish = (state: ServiceProbe): void => {
      socket.destroy();
      resolve(state);
    };
    socket.setTimeout(PROBE_TIMEOUT_MS, () => finish(connected ? 'foreign' : 'absent'));
    socket.once('error', () => finish(connected ? 'foreign' : 'absent'));
    socket.once('connect', () => {
      connected = true;
      socket.write('PING\r\n');
    });
    socket.on('data', (chunk: Buffer) => {
      reply += chunk.toString('latin1');
      if (!reply.includes('\r\n')) return;
      if (reply.startsWith('+PONG')) finish('ready');
      else finish(reply.startsWith('-LOADING') ? 'starting' : 'foreign');
    });
  });
}

/** The project-local Redis under `<localDir>/redis`, ready for {@link ensureManagedService}. */
export function redisService(localDir: string): ManagedService {
  const dir = path.join(localDir, 'redis');
  const logFile = path.join(dir, 'redis.log');
  const pidFile = path.join(dir, 'redis.pid');
  return {
    name: 'Redis',
    address: `${REDIS_HOST}:${REDIS_PORT}`,
    programName: 'redis-server',
    overrideVariable: 'REDIS_URL',
    logFile,
    pidFile,
    lockDir: path.join(localDir, 'locks', 'redis'),
    probe: () => probeRedis(),
    prepare: async (progress) => {
      fs.mkdirSync(dir, { recursive: true });
      return findOrInstallRedis(path.join(dir, 'install.log'), progress);
    },
    start: (executable) => spawnDetached(executable, redisArgs(dir), { cwd: dir, logFile, pidFile }),
  };
}

/** Durable (AOF) and never evicting: BullMQ loses jobs if Redis drops keys under memory pressure. */
function redisArgs(dir: string): string[] {
  return [
    '--bind', REDIS_HOST,
    '--port', String(REDIS_PORT),
    '--dir', dir,
    '--appendonly', 'yes',
    '--maxmemory-policy', 'noeviction',
    '--save', '',
    '--daemonize', 'no',
    '--protected-mode', 'yes',
  ];
}

async function findOrInstallRedis(logFile: string, progress: (line: string) => void): Promise<string> {
  const existing = which('redis-server');
  if (existing !== undefined) return existing;
  const aptGet = which('apt-get');
  if (aptGet === undefined || process.getuid?.() !== 0) {
    throw new ProvisioningError(
      'redis-server is not installed: install it (e.g. "sudo apt-get install redis-server") or set REDIS_URL to a running Redis server.',
    );
  }
  progress('Installing redis-server from Debian packages (first run only)…');
  // Passing our environment through is not configuration; the override only stops debconf prompting.
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  await runOrThrow('apt-get update', aptGet, ['-qq', 'update'], { env, logFile, timeoutMs: APT_TIMEOUT_MS });
  await runOrThrow('Installing redis-server', aptGet, ['install', '-y', '-qq', 'redis-server'], {
    env,
    logFile,
    timeoutMs: APT_TIMEOUT_MS,
  });
  const installed = which('redis-server');
  if (installed === undefined) {
    throw new ProvisioningError(`redis-server is still not on PATH after installing it; see ${logFile}.`);
  }
  return installed;
}
