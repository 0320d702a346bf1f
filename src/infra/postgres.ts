import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import type { ManagedService, ServiceProbe } from './local-services';
import { type ChildUser, isExecutableFile, ProvisioningError, runCommand, runOrThrow, spawnDetached, which } from './process-utils';

/** Loopback address of the project-local PostgreSQL cluster that FerretDB stores its data in. */
export const POSTGRES_HOST = '127.0.0.1';
/** Role FerretDB logs in as; its password is generated once and kept beside the cluster. */
const POSTGRES_ROLE = 'basirah';
const APT_TIMEOUT_MS = 10 * 60_000;
const INITDB_TIMEOUT_MS = 2 * 60_000;
/** Where Debian puts each installed major version's server binaries (`/usr/lib/postgresql/<n>/bin`). */
const DEBIAN_PG_ROOT = '/usr/lib/postgresql';

/** Paths of the project-local cluster. The data directory may live outside `.local` (see {@link clusterBase}). */
interface PostgresPaths {
  dir: string;
  dataDir: string;
  logFile: string;
  pidFile: string;
  portFile: string;
  passwordFile: string;
  installLog: string;
}

/** The project-local PostgreSQL cluster: its connection URL for FerretDB and the managed service. */
export interface LocalPostgres {
  service: ManagedService;
  /** Connection URL, valid once the service is ready (the port and password are chosen on first use). */
  url(): string;
}

/**
 * A PostgreSQL 15 cluster of the project's own under `<localDir>/postgres`: `initdb` on first use,
 * a free loopback port chosen once and kept, password authentication, no Unix socket. PostgreSQL
 * refuses to run as root, so a root process runs it as the unprivileged `nobody` user.
 */
export function localPostgres(localDir: string): LocalPostgres {
  const dir = path.join(localDir, 'postgres');
  const user = unprivilegedUser();
  const base = clusterBase(dir, user);
  const paths: PostgresPaths = {
    dir,
    dataDir: path.join(base, 'data'),
    logFile: path.join(dir, 'postgres.log'),
    pidFile: path.join(dir, 'postgres.pid'),
    portFile: path.join(dir, 'port'),
    passwordFile: path.join(dir, 'password'),
    installLog: path.join(dir, 'install.log'),
  };
  const service: ManagedService = {
    name: 'PostgreSQL',
    get address() {
      return `${POSTGRES_HOST}:${readPort(paths) ?? '(not chosen yet)'}`;
    },
    programName: 'postgres',
    overrideVariable: 'MONGODB_URI',
    logFile: paths.logFile,
    pidFile: paths.pidFile,
    lockDir: path.join(localDir, 'locks', 'postgres'),
    probe: () => probePostgres(paths),
    prepare: async (progress) => {
      fs.mkdirSync(dir, { recursive: true });
      const bin = await findOrInstallPostgres(paths.installLog, progress);
      if (!fs.existsSync(path.join(paths.dataDir, 'PG_VERSION'))) await initCluster(bin, paths, user, progress);
      if (readPort(paths) === undefined) fs.writeFileSync(paths.portFile, `${await freePort()}\n`);
      return path.join(bin, 'postgres');
    },
    start: (executable) =>
      spawnDetached(executable, serverArgs(paths), { cwd: dir, logFile: paths.logFile, pidFile: paths.pidFile, user }),
  };
  return {
    service,
    url: () => {
      const port = readPort(paths);
      const password = fs.readFileSync(paths.passwordFile, 'utf8').trim();
      if (port === undefined) throw new ProvisioningError(`PostgreSQL has no port recorded in ${paths.portFile}.`);
      return `postgres://${POSTGRES_ROLE}:${encodeURIComponent(password)}@${POSTGRES_HOST}:${port}/postgres`;
    },
  };
}

/**
 * Settings for a small, local, single-user cluster. Durability stays on (`fsync`, synchronous
 * commits): the bot acknowledges a webhook only after the message is stored.
 */
function serverArgs(paths: PostgresPaths): string[] {
  const port = readPort(paths);
  if (port === undefined) throw new ProvisioningError(`PostgreSQL has no port recorded in ${paths.portFile}.`);
  return [
    '-D', paths.dataDir,
    '-c', `listen_addresses=${POSTGRES_HOST}`,
    '-c', `port=${port}`,
    '-c', 'unix_socket_directories=',
    '-c', 'max_connections=200',
    '-c', 'shared_buffers=256MB',
    '-c', 'logging_collector=off',
  ];
}

async function initCluster(bin: string, paths: PostgresPaths, user: ChildUser | undefined, progress: (line: string) => void): Promise<void> {
  progress('Creating the local PostgreSQL cluster for FerretDB (first run only)…');
  fs.rmSync(paths.dataDir, { recursive: true, force: true });
  fs.mkdirSync(paths.dataDir, { recursive: true, mode: 0o700 });
  const password = randomBytes(24).toString('base64url');
  fs.writeFileSync(paths.passwordFile, `${password}\n`, { mode: 0o600 });
  // initdb reads the password from a file the cluster's own user can read; it is removed right after.
  const pwfile = path.join(path.dirname(paths.dataDir), `pwfile-${process.pid}`);
  fs.writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
  if (user) for (const p of [path.dirname(paths.dataDir), paths.dataDir, pwfile]) fs.chownSync(p, user.uid, user.gid);
  try {
    await runOrThrow(
      'initdb',
      path.join(bin, 'initdb'),
      ['-D', paths.dataDir, '-U', POSTGRES_ROLE, `--pwfile=${pwfile}`, '--auth-host=scram-sha-256', '--auth-local=reject', '-E', 'UTF8', '--locale=C'],
      { logFile: paths.installLog, timeoutMs: INITDB_TIMEOUT_MS, cwd: path.dirname(paths.dataDir), ...(user ? { user } : {}) },
    );
  } finally {
    fs.rmSync(pwfile, { force: true });
  }
}

async function probePostgres(paths: PostgresPaths): Promise<ServiceProbe> {
  const port = readPort(paths);
  if (port === undefined) return 'absent';
  const bin = findPostgresBin();
  if (bin === undefined) return 'absent';
  const { exitCode } = await runCommand(path.join(bin, 'pg_isready'), ['-h', POSTGRES_HOST, '-p', String(port), '-t', '2'], {
    logFile: path.join(paths.dir, 'probe.log'),
    timeoutMs: 5000,
  }).catch(() => ({ exitCode: 2 }));
  // pg_isready: 0 accepting, 1 rejecting (starting up), 2 no response.
  if (exitCode === 0) return 'ready';
  return exitCode === 1 ? 'starting' : 'absent';
}

function readPort(paths: PostgresPaths): number | undefined {
  try {
    const port = Number.parseInt(fs.readFileSync(paths.portFile, 'utf8').trim(), 10);
    return Number.isInteger(port) && port > 0 && port < 65536 ? port : undefined;
  } catch {
    return undefined;
  }
}

/** A loopback port nobody holds right now; kept in the port file so later runs reuse it. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, POSTGRES_HOST, () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** The newest Debian server installation (`/usr/lib/postgresql/<n>/bin` holding `postgres`). */
function findPostgresBin(): string | undefined {
  let versions: string[];
  try {
    versions = fs.readdirSync(DEBIAN_PG_ROOT);
  } catch {
    versions = [];
  }
  const sorted = versions.filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
  for (const v of sorted) {
    const bin = path.join(DEBIAN_PG_ROOT, v, 'bin');
    if (isExecutableFile(path.join(bin, 'postgres')) && isExecutableFile(path.join(bin, 'initdb'))) return bin;
  }
  const onPath = which('postgres');
  return onPath === undefined ? undefined : path.dirname(onPath);
}

async function findOrInstallPostgres(logFile: string, progress: (line: string) => void): Promise<string> {
  const existing = findPostgresBin();
  if (existing !== undefined) return existing;
  const aptGet = which('apt-get');
  if (aptGet === undefined || process.getuid?.() !== 0) {
    throw new ProvisioningError(
      'The PostgreSQL server is not installed: install it (e.g. "sudo apt-get install postgresql") or set MONGODB_URI to a running MongoDB server.',
    );
  }
  progress('Installing the PostgreSQL server from Debian packages (first run only)…');
  // Passing our environment through is not configuration; the override only stops debconf prompting.
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  await runOrThrow('apt-get update', aptGet, ['-qq', 'update'], { env, logFile, timeoutMs: APT_TIMEOUT_MS });
  await runOrThrow('Installing postgresql', aptGet, ['install', '-y', '-qq', 'postgresql'], { env, logFile, timeoutMs: APT_TIMEOUT_MS });
  const installed = findPostgresBin();
  if (installed === undefined) throw new ProvisioningError(`The PostgreSQL server is still missing after installing it; see ${logFile}.`);
  return installed;
}

/** Root runs the cluster as `nobody` (PostgreSQL refuses root); anyone else runs it as themselves. */
function unprivilegedUser(): ChildUser | undefined {
  if (process.getuid?.() !== 0) return undefined;
  try {
    const line = fs
      .readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('nobody:'));
    const [, , uid, gid] = line?.split(':') ?? [];
    if (uid !== undefined && gid !== undefined) return { uid: Number(uid), gid: Number(gid) };
  } catch {
    // fall through to Debian's fixed ids
  }
  return { uid: 65534, gid: 65534 };
}

/**
 * Where the data directory goes: under `.local/postgres` when the cluster's user can reach it,
 * otherwise (a checkout inside a private home directory) in a per-checkout folder under /var/tmp.
 */
function clusterBase(dir: string, user: ChildUser | undefined): string {
  if (user === undefined || reachableByOthers(path.dirname(dir))) return dir;
  const tag = Buffer.from(dir).toString('base64url').slice(-24);
  return path.join('/var/tmp', `basirah-postgres-${tag}`);
}

function reachableByOthers(dir: string): boolean {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    // A folder not created yet is made world-traversable by mkdir (umask 022); its parents decide.
    if (fs.existsSync(d) && (fs.statSync(d).mode & 0o001) === 0) return false;
    if (path.dirname(d) === d) return true;
  }
}
