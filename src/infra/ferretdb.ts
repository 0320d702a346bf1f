import * as fs from 'fs';
import { mongo } from 'mongoose';
import * as os from 'os';
import * as path from 'path';
import type { ManagedService, ServiceProbe } from './local-services';
import { isExecutableFile, makeTreeWritable, probeTcp, ProvisioningError, runOrThrow, spawnDetached, which } from './process-utils';

/** FerretDB release we build: the last 1.x, which speaks the MongoDB wire protocol over a PostgreSQL backend. */
export const FERRETDB_VERSION = 'v1.24.2';
/** Loopback address of the project-local FerretDB (off 27017 so a real MongoDB can coexist). */
export const FERRETDB_HOST = '127.0.0.1';
/**
 * Port of the project-local FerretDB. 27218, not the 27217 of the earlier SQLite-backed setup, so a
 * checkout that still runs that server never silently reuses it.
 */
export const FERRETDB_PORT = 27218;
/** Connection string of the project-local FerretDB; no database name, callers choose their own. */
export const LOCAL_MONGO_URI = `mongodb://${FERRETDB_HOST}:${FERRETDB_PORT}/`;

const FERRETDB_MODULE = 'github.com/FerretDB/FerretDB';
/** Cold builds download ~100 modules first; this only stops a wedged toolchain from hanging forever. */
const GO_TIMEOUT_MS = 15 * 60_000;
/** Where Debian and the official tarball put Go; CI shells often lack it on PATH. */
const GO_FALLBACK_DIRS = ['/usr/local/go/bin'];

/** Paths of the project-local FerretDB installation. */
interface FerretDbPaths {
  binary: string;
  dir: string;
  stateDir: string;
  logFile: string;
  buildLog: string;
}

function ferretDbPaths(localDir: string): FerretDbPaths {
  // Not the 'ferretdb' folder of the earlier SQLite setup, whose pid file may still name a running server.
  const dir = path.join(localDir, 'ferretdb-postgres');
  return {
    binary: path.join(localDir, 'bin', 'ferretdb'),
    dir,
    stateDir: path.join(dir, 'state'),
    logFile: path.join(dir, 'ferretdb.log'),
    buildLog: path.join(dir, 'build.log'),
  };
}

/**
 * Checks the port with a real `ping` through the MongoDB driver, so an unrelated program that
 * merely accepts TCP connections is reported as a stranger instead of being used as a database.
 */
export async function probeFerretDb(): Promise<ServiceProbe> {
  if ((await probeTcp(FERRETDB_HOST, FERRETDB_PORT)) === 'closed') return 'absent';
  const client = new mongo.MongoClient(LOCAL_MONGO_URI, {
    directConnection: true,
    serverSelectionTimeoutMS: 2000,
    connectTimeoutMS: 2000,
  });
  try {
    const reply = await client.db('admin').command({ ping: 1 });
    return reply['ok'] === 1 ? 'ready' : 'foreign';
  } catch {
    return 'foreign';
  } finally {
    await client.close().catch(() => undefined);
  }
}

/**
 * The project-local FerretDB under `<localDir>`, storing in the PostgreSQL cluster at `postgresUrl()`
 * (read when FerretDB starts, after that cluster is up), ready for {@link ensureManagedService}.
 */
export function ferretDbService(localDir: string, postgresUrl: () => string): ManagedService {
  const paths = ferretDbPaths(localDir);
  const pidFile = path.join(paths.dir, 'ferretdb.pid');
  return {
    name: 'FerretDB',
    address: `${FERRETDB_HOST}:${FERRETDB_PORT}`,
    programName: 'ferretdb',
    overrideVariable: 'MONGODB_URI',
    logFile: paths.logFile,
    pidFile,
    lockDir: path.join(localDir, 'locks', 'ferretdb-postgres'),
    probe: () => probeFerretDb(),
    prepare: async (progress) => {
      for (const dir of [paths.stateDir, path.dirname(paths.binary)]) {
        fs.mkdirSync(dir, { recursive: true });
      }
      return buildIfMissing(paths, progress);
    },
    start: (executable) =>
      // The URL holds the cluster's password: by environment, not on the command line where `ps` shows it.
      spawnDetached(executable, ferretDbArgs(paths), { cwd: paths.dir, logFile: paths.logFile, pidFile, env: { ...GO_RUNTIME, ...process.env, FERRETDB_POSTGRESQL_URL: postgresUrl() } }),
  };
}

/**
 * FerretDB's Go runtime, unless the environment says otherwise. At its defaults about a quarter
 * of its CPU went to the garbage collector (14 %) and to threads looking for work (10 %; pprof,
 * closed loop). One thread for Go code (it waits on sockets far more than it computes: about 0.4
 * of a core at 100 messages a second) and a collection when the heap has grown fourfold, not
 * twofold (RSS about 60 MB), but more often again near 512 MiB, should a large scan swell the
 * heap. Bench, closed loop: FerretDB 5.5 → 3.9 ms of CPU per message.
 */
const GO_RUNTIME = { GOGC: '400', GOMEMLIMIT: '512MiB', GOMAXPROCS: '1' } as const;

/**
 * The PostgreSQL backend, not SQLite: FerretDB's SQLite backend evaluates most filters by reading
 * the whole collection (a claim went from 16 ms to 232 ms between 100 and 2,000 documents); on
 * PostgreSQL the same queries stay flat (docs/pipeline.md).
 */
function ferretDbArgs(paths: FerretDbPaths): string[] {
  return [
    '--handler=postgresql',
    `--state-dir=${paths.stateDir}`,
    `--listen-addr=${FERRETDB_HOST}:${FERRETDB_PORT}`,
    '--telemetry=disable',
    '--log-level=warn',
    // The debug HTTP listener defaults to 127.0.0.1:8088, which a second instance (or anything else) may hold.
    '--debug-addr=-',
  ];
}

async function buildIfMissing(paths: FerretDbPaths, progress: (line: string) => void): Promise<string> {
  if (isExecutableFile(paths.binary)) return paths.binary;
  const go = which('go', GO_FALLBACK_DIRS);
  if (go === undefined) {
    throw new ProvisioningError(
      'FerretDB is not built yet and Go is not installed: install Go (https://go.dev/dl/, into /usr/local/go) or set MONGODB_URI to a running MongoDB server.',
    );
  }
  progress(`Building FerretDB ${FERRETDB_VERSION} (first run only, about a minute)…`);
  const moduleDir = await downloadModule(go, paths.buildLog);
  const source = fs.mkdtempSync(path.join(os.tmpdir(), 'ferretdb-src-'));
  try {
    // The module cache is read-only, and we must add a file to the source before building.
    fs.cpSync(moduleDir, source, { recursive: true });
    makeTreeWritable(source);
    // Release builds write this from `git describe`; the module zip lacks it and the binary panics at start.
    fs.writeFileSync(path.join(source, 'build', 'version', 'version.txt'), `${FERRETDB_VERSION}\n`);
    const partial = `${paths.binary}.partial-${process.pid}`;
    const opts = { cwd: source, env: goEnv(), logFile: paths.buildLog, timeoutMs: GO_TIMEOUT_MS };
    await runOrThrow('Building FerretDB', go, ['build', '-buildvcs=false', '-o', partial, './cmd/ferretdb'], opts);
    await runOrThrow('Checking the FerretDB build', partial, ['--version'], { ...opts, timeoutMs: 30_000 });
    // Rename last so a half-written binary is never mistaken for a finished one.
    fs.renameSync(partial, paths.binary);
    return paths.binary;
  } finally {
    fs.rmSync(source, { recursive: true, force: true });
  }
}

/** Fetches the FerretDB module into Go's module cache and returns its (read-only) directory. */
async function downloadModule(go: string, logFile: string): Promise<string> {
  const stdout = await runOrThrow('Downloading FerretDB sources', go, ['mod', 'download', '-json', `${FERRETDB_MODULE}@${FERRETDB_VERSION}`], {
    // Outside any Go module, so a go.mod or go.work up the tree cannot change what is resolved.
    cwd: os.tmpdir(),
    env: goEnv(),
    logFile,
    captureStdout: true,
    timeoutMs: GO_TIMEOUT_MS,
  });
  const dir = parseModuleDir(stdout);
  if (dir === undefined) {
    throw new ProvisioningError(`"go mod download" did not report where FerretDB's sources are; see ${logFile}.`);
  }
  return dir;
}

function parseModuleDir(json: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(json);
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const dir: unknown = (parsed as Record<string, unknown>)['Dir'];
    return typeof dir === 'string' && dir !== '' ? dir : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Our environment passed through (not configuration), with the Go settings that would break the
 * build pinned: a user's GOFLAGS such as `-mod=vendor` would forbid downloading modules.
 */
function goEnv(): NodeJS.ProcessEnv {
  return { ...process.env, GOFLAGS: '-buildvcs=false', GOWORK: 'off' };
}
