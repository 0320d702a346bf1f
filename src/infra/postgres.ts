import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import type { ManagedService, ServiceProbe } from './local-services';
import { type ChildUser, isExecutableFile, ProvisioningError, runCommand, runOrThrow, spawnDetached, which } from './process-utils';

/** Loopback address of the project-local PostgreSQL cluster that FerretDB stores its data in. */
export const POSTGRES_HOST = '127.0.0.1';
/** Role FerretDB logs in as; its password is generated once and kept beside the cluster. */
export const POSTGRES_ROLE = 'basirah';
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
  /** Installs the indexing FerretDB needs (see {@link INDEX_FERRETDB_TABLES}); idempotent, once the service is ready. */
  prepareForFerretDb(): Promise<void>;
}

/**
 * FerretDB 1.x looks documents up with `WHERE _jsonb->$1 @> $2`, which no btree index serves: even
 * a find by `_id` read the whole table (7.7 ms at 20,000 documents, growing). A GIN index on the
 * same expression serves `@>` once the planner sees the key. So every table FerretDB creates gets
 * a GIN index on `_jsonb->'_id'`, and every index it creates gets a GIN twin on its first key (event
 * triggers; what exists already is indexed here too), and the server plans each statement with its
 * parameters (`plan_cache_mode`): the same find then takes 2.2 ms at 20,000 documents. `$in`
 * filters are not pushed down at all (1 s for 5 ids at 20,000 documents); the code avoids them.
 * The GIN indexes have no pending list (`fastupdate = off`): with one, every write of a busy
 * table appended to a list that every lookup then read through, and the conversation's
 * compare-and-set lookup took 1.6 ms instead of 0.1 ms (bench, closed loop; PostgreSQL CPU per
 * message 6.6 → 4.3 ms).
 * Rows up to 8 KB stay whole in their table (`toast_tuple_target = 8160`): FerretDB stores a type
 * schema beside each value, so a conversation (about 3.8 KB of JSON) passed PostgreSQL's default
 * 2 KB threshold and was compressed and moved to a TOAST table on every write, and messages were
 * compressed (bench, closed loop: PostgreSQL 4.05 → 3.7 ms of CPU per message, 104 → 107.5 msg/s).
 */
const INDEX_FERRETDB_TABLES = `
CREATE OR REPLACE FUNCTION basirah_gin_expr(expr text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT '(' || regexp_replace(btrim(expr), '^[(](.*)[)]$', '\\1') || ')'
$$;
CREATE OR REPLACE FUNCTION basirah_gin_name(target regclass, expr text) RETURNS text LANGUAGE sql STABLE AS $$
  SELECT 'basirah_gin_' || substr(md5(target::text || basirah_gin_expr(expr)), 1, 16)
$$;
CREATE OR REPLACE FUNCTION basirah_gin(target regclass, expr text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF target::text LIKE '%\\_ferretdb\\_%' THEN RETURN; END IF;
  EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %s USING gin ((%s)) WITH (fastupdate = off)', basirah_gin_name(target, expr), target, expr);
END $$;
CREATE OR REPLACE FUNCTION basirah_gin_twin(idx oid) RETURNS void LANGUAGE plpgsql AS $$
DECLARE ix record;
BEGIN
  SELECT c.relname AS name, i.indrelid::regclass AS tbl, pg_get_indexdef(idx, 1, true) AS expr INTO ix
    FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indexrelid = idx;
  IF ix.name IS NULL OR ix.name LIKE 'basirah_gin_%' OR ix.expr NOT LIKE '%_jsonb%' THEN RETURN; END IF;
  PERFORM basirah_gin(ix.tbl, ix.expr);
END $$;
CREATE OR REPLACE FUNCTION basirah_table(target regclass) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF target::text LIKE '%\\_ferretdb\\_%' THEN RETURN; END IF;
  PERFORM basirah_gin(target, '_jsonb -> ''_id''::text');
  IF NOT coalesce((SELECT reloptions @> ARRAY['toast_tuple_target=8160'] FROM pg_class WHERE oid = target), false) THEN
    EXECUTE format('ALTER TABLE %s SET (toast_tuple_target = 8160)', target);
  END IF;
END $$;
DROP FUNCTION IF EXISTS basirah_inline(regclass);
CREATE OR REPLACE FUNCTION basirah_index_ferretdb() RETURNS event_trigger LANGUAGE plpgsql AS $$
DECLARE obj record;
BEGIN
  FOR obj IN SELECT * FROM pg_event_trigger_ddl_commands() LOOP
    IF obj.command_tag = 'CREATE TABLE' AND obj.object_type = 'table' THEN
      PERFORM basirah_table(obj.objid::regclass);
    ELSIF obj.command_tag = 'CREATE INDEX' AND obj.object_type = 'index' THEN
      PERFORM basirah_gin_twin(obj.objid);
    END IF;
  END LOOP;
END $$;
DROP EVENT TRIGGER IF EXISTS basirah_index_new_table;
DROP EVENT TRIGGER IF EXISTS basirah_index_ferretdb;
CREATE EVENT TRIGGER basirah_index_ferretdb ON ddl_command_end WHEN TAG IN ('CREATE TABLE', 'CREATE INDEX') EXECUTE FUNCTION basirah_index_ferretdb();
DO $$
DECLARE t record;
BEGIN
  FOR t IN SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'public') AND n.nspname NOT LIKE 'pg_%' LOOP
    PERFORM basirah_table(t.oid::regclass);
  END LOOP;
  FOR t IN SELECT i.indexrelid AS oid FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'public') AND n.nspname NOT LIKE 'pg_%' LOOP
    PERFORM basirah_gin_twin(t.oid);
  END LOOP;
  -- Before names ignored the parentheses around the expression, a table's '_id' had two GIN
  -- indexes (its own, and the twin of FerretDB's '_id' index): every write paid for both. Names
  -- are those the twins always had, so only the extra one goes (no index is built again).
  FOR t IN SELECT c.oid, c.relname, i.indrelid::regclass AS tbl, pg_get_indexdef(i.indexrelid, 1, true) AS expr
             FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname LIKE 'basirah_gin_%' LOOP
    IF t.relname <> basirah_gin_name(t.tbl, t.expr) THEN
      PERFORM basirah_gin(t.tbl, t.expr);
      EXECUTE format('DROP INDEX IF EXISTS %s', t.oid::regclass);
    END IF;
  END LOOP;
  -- A twin whose FerretDB index was dropped since (syncIndexes drops what the code no longer declares) would still cost every write.
  FOR t IN SELECT c.oid, i.indrelid, basirah_gin_expr(pg_get_indexdef(i.indexrelid, 1, true)) AS expr
             FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname LIKE 'basirah_gin_%' LOOP
    IF t.expr <> '(_jsonb -> ''_id''::text)' AND NOT EXISTS (
         SELECT 1 FROM pg_index j JOIN pg_class d ON d.oid = j.indexrelid
          WHERE j.indrelid = t.indrelid AND d.relname NOT LIKE 'basirah_gin_%'
            AND basirah_gin_expr(pg_get_indexdef(j.indexrelid, 1, true)) = t.expr) THEN
      EXECUTE format('DROP INDEX IF EXISTS %s', t.oid::regclass);
    END IF;
  END LOOP;
  -- No pending list (see fastupdate above): indexes made before go straight to their tree, and what they had pending is merged now.
  FOR t IN SELECT c.oid FROM pg_class c WHERE c.relkind = 'i' AND c.relname LIKE 'basirah_gin_%'
             AND NOT coalesce(c.reloptions @> ARRAY['fastupdate=off'], false) LOOP
    EXECUTE format('ALTER INDEX %s SET (fastupdate = off)', t.oid::regclass);
    PERFORM gin_clean_pending_list(t.oid::regclass);
  END LOOP;
END $$;
`;

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
  const url = (): string => {
    const port = readPort(paths);
    const password = fs.readFileSync(paths.passwordFile, 'utf8').trim();
    if (port === undefined) throw new ProvisioningError(`PostgreSQL has no port recorded in ${paths.portFile}.`);
    return `postgres://${POSTGRES_ROLE}:${encodeURIComponent(password)}@${POSTGRES_HOST}:${port}/postgres`;
  };
  return {
    service,
    url,
    prepareForFerretDb: async () => {
      const bin = findPostgresBin();
      if (bin === undefined) throw new ProvisioningError('The PostgreSQL client (psql) is missing.');
      const sqlFile = path.join(paths.dir, 'ferretdb-indexes.sql');
      fs.writeFileSync(sqlFile, INDEX_FERRETDB_TABLES);
      const port = readPort(paths);
      // The password goes by environment, not on the command line where `ps` would show it.
      const env = { ...process.env, PGPASSWORD: fs.readFileSync(paths.passwordFile, 'utf8').trim() };
      const args = ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-h', POSTGRES_HOST, '-p', String(port), '-U', POSTGRES_ROLE, '-d', 'postgres', '-f', sqlFile];
      await runOrThrow('Indexing FerretDB tables', path.join(bin, 'psql'), args, { env, logFile: path.join(paths.dir, 'setup.log'), timeoutMs: 60_000 });
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
    // See INDEX_FERRETDB_TABLES: a generic plan of `_jsonb->$1 @> $2` cannot use the `_id` index.
    '-c', 'plan_cache_mode=force_custom_plan',
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
export function findPostgresBin(): string | undefined {
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
