import { spawn } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { setTimeout as sleep } from 'timers/promises';

/** Local services could not be built, installed or started; the message says what to do about it. */
export class ProvisioningError extends Error {
  readonly code = 'PROVISIONING_FAILED';

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ProvisioningError';
  }
}

/**
 * Finds an executable on `PATH`, then in `extraDirs`.
 *
 * Reading `PATH` here is not configuration: it only locates programs the machine already has,
 * which is why this is the one `process.env` read allowed outside the config module.
 */
export function which(name: string, extraDirs: readonly string[] = []): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter), ...extraDirs];
  for (const dir of dirs) {
    if (dir === '') continue;
    const candidate = path.join(dir, name);
    if (isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

/** True when `file` exists, is a regular file and may be executed by this process. */
export function isExecutableFile(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** True while a process with this pid exists (EPERM means it exists but belongs to someone else). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * True when `pid` is alive and, where `/proc` can tell, is running `programName`: a pid file can
 * outlive its server and the kernel reuses pids, so "alive" alone could point at a stranger.
 */
export function isProgramRunning(pid: number, programName: string): boolean {
  if (!isProcessAlive(pid)) return false;
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(programName);
  } catch {
    return true; // No /proc (not Linux): trust the liveness check.
  }
}

/** Reads a pid file; undefined when it is missing or does not hold a positive integer. */
export function readPidFile(file: string): number | undefined {
  try {
    const pid = Number.parseInt(fs.readFileSync(file, 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** An unprivileged user to run a child as (PostgreSQL refuses to run as root). */
export interface ChildUser {
  uid: number;
  gid: number;
}

/** A process started by {@link spawnDetached}; `hasExited` lets a waiter fail fast instead of timing out. */
export interface DetachedProcess {
  pid: number;
  hasExited: () => boolean;
}

/**
 * Starts a long-lived server that outlives this process (its own process group, output appended
 * to `logFile`, not keeping our event loop alive), and records its pid in `pidFile`.
 */
export function spawnDetached(
  command: string,
  args: readonly string[],
  opts: { cwd: string; logFile: string; pidFile: string; user?: ChildUser; env?: NodeJS.ProcessEnv },
): DetachedProcess {
  const logFd = fs.openSync(opts.logFile, 'a');
  try {
    const child = spawn(command, args, { cwd: opts.cwd, detached: true, stdio: ['ignore', logFd, logFd], ...opts.user, ...(opts.env ? { env: opts.env } : {}) });
    let exited = child.pid === undefined;
    child.once('exit', () => (exited = true));
    child.once('error', () => (exited = true));
    child.unref();
    if (child.pid !== undefined) fs.writeFileSync(opts.pidFile, `${child.pid}\n`);
    return { pid: child.pid ?? -1, hasExited: () => exited };
  } finally {
    // The child holds its own copy of the descriptor.
    fs.closeSync(logFd);
  }
}

/** Options for {@link runCommand}. */
export interface RunOptions {
  cwd?: string;
  /** Full environment for the child; defaults to ours. */
  env?: NodeJS.ProcessEnv;
  /** stderr (and stdout unless captured) is appended here, so a failure can point at it. */
  logFile: string;
  /** Keep stdout in memory instead of logging it (for commands that print machine-readable output). */
  captureStdout?: boolean;
  timeoutMs: number;
  /** Run as this user instead of ours. */
  user?: ChildUser;
}

/** Runs a command to completion; resolves with its exit code (null if killed) and any captured stdout. */
export function runCommand(
  command: string,
  args: readonly string[],
  opts: RunOptions,
): Promise<{ exitCode: number | null; stdout: string }> {
  const logFd = fs.openSync(opts.logFile, 'a');
  fs.writeSync(logFd, `\n$ ${command} ${args.join(' ')}\n`);
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: ['ignore', opts.captureStdout === true ? 'pipe' : logFd, logFd],
      timeout: opts.timeoutMs,
      ...opts.user,
    });
    const chunks: Buffer[] = [];
    child.stdout?.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.once('error', (error) => {
      fs.closeSync(logFd);
      reject(error);
    });
    child.once('close', (exitCode) => {
      fs.closeSync(logFd);
      resolve({ exitCode, stdout: Buffer.concat(chunks).toString('utf8') });
    });
  });
}

/** Like {@link runCommand}, but a failure becomes a {@link ProvisioningError} that names the log file. */
export async function runOrThrow(
  what: string,
  command: string,
  args: readonly string[],
  opts: RunOptions,
): Promise<string> {
  const { exitCode, stdout } = await runCommand(command, args, opts).catch((error: unknown) => {
    throw new ProvisioningError(`${what} failed to start (${String(error)}); see ${opts.logFile}.`, { cause: error });
  });
  if (exitCode !== 0) {
    throw new ProvisioningError(`${what} failed (exit code ${exitCode ?? 'none: timed out or killed'}); see ${opts.logFile}.`);
  }
  return stdout;
}

/**
 * Calls `check` every `intervalMs` until it returns true or `timeoutMs` has passed.
 * Servers offer no readiness event we can subscribe to, so bounded polling is the honest option.
 * `giveUp` ends the wait early (e.g. the server process already died).
 */
export async function pollUntil(
  check: () => Promise<boolean>,
  opts: { timeoutMs: number; intervalMs: number; giveUp?: () => boolean },
): Promise<boolean> {
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (opts.giveUp?.() === true || Date.now() >= deadline) return false;
    await sleep(opts.intervalMs);
  }
}

/** What is listening on a TCP port, as far as a bare connect can tell. */
export type PortState = 'open' | 'closed';

/** Tries a TCP connect to a loopback port; anything but a completed connect counts as closed. */
export function probeTcp(host: string, port: number, timeoutMs = 1000): Promise<PortState> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const finish = (state: PortState): void => {
      socket.destroy();
      resolve(state);
    };
    socket.setTimeout(timeoutMs, () => finish('closed'));
    socket.once('connect', () => finish('open'));
    socket.once('error', () => finish('closed'));
  });
}

/** Sets `u+w` on a tree copied from a read-only place (Go's module cache) so it can be edited and removed. */
export function makeTreeWritable(root: string): void {
  const stat = fs.lstatSync(root);
  if (stat.isSymbolicLink()) return;
  fs.chmodSync(root, stat.mode | 0o200);
  if (!stat.isDirectory()) return;
  for (const entry of fs.readdirSync(root)) makeTreeWritable(path.join(root, entry));
}

/** Options for {@link withDirLock}. */
export interface DirLockOptions {
  /** Give up waiting for another holder after this long. */
  waitMs: number;
  /** A lock older than this is presumed abandoned even if its owner pid looks alive (pids get reused). */
  staleMs: number;
  /** Called once if the lock is busy, so the caller can say why it is waiting. */
  onWait?: () => void;
}

const LOCK_POLL_MS = 250;

/**
 * Runs `work` while holding a lock directory. `mkdir` is atomic on every local filesystem, so it
 * serialises separate processes (two terminals, parallel test runs) without any extra dependency.
 */
export async function withDirLock<T>(lockDir: string, work: () => Promise<T>, opts: DirLockOptions): Promise<T> {
  await acquireDirLock(lockDir, opts);
  try {
    return await work();
  } finally {
    fs.rmSync(lockDir, { recursive: true, force: true });
  }
}

async function acquireDirLock(lockDir: string, opts: DirLockOptions): Promise<void> {
  const deadline = Date.now() + opts.waitMs;
  let told = false;
  for (;;) {
    if (tryCreateLock(lockDir)) return;
    if (isStaleLock(lockDir, opts.staleMs)) {
      // A crashed holder never releases; two waiters may both see this, which is only a risk after a crash.
      fs.rmSync(lockDir, { recursive: true, force: true });
      continue;
    }
    if (Date.now() >= deadline) {
      throw new ProvisioningError(
        `Timed out waiting for lock ${lockDir} (held by pid ${readPidFile(path.join(lockDir, 'owner')) ?? 'unknown'}); if no other setup is running, delete that directory.`,
      );
    }
    if (!told) opts.onWait?.();
    told = true;
    await sleep(LOCK_POLL_MS);
  }
}

function tryCreateLock(lockDir: string): boolean {
  try {
    fs.mkdirSync(lockDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  fs.writeFileSync(path.join(lockDir, 'owner'), `${process.pid}\n`);
  return true;
}

function isStaleLock(lockDir: string, staleMs: number): boolean {
  let ageMs: number;
  try {
    ageMs = Date.now() - fs.statSync(lockDir).mtimeMs;
  } catch {
    return false; // Released meanwhile: the next mkdir attempt will tell.
  }
  if (ageMs > staleMs) return true;
  const owner = readPidFile(path.join(lockDir, 'owner'));
  // No owner yet means the holder is between mkdir and writing it; give it the benefit of the doubt.
  return owner !== undefined && !isProcessAlive(owner);
}
