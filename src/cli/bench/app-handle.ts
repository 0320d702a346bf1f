import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { AppReport, AppRequest, MemoryReport } from './app-messages';

/** Environment handed to the app: loadConfig parses it as it would `npm start`'s. */
export type AppEnv = Record<string, string>;

const START_TIMEOUT_MS = 180_000;
const REQUEST_TIMEOUT_MS = 20_000;

/** The bot under test, running in a child process started with `startApp`. */
export class AppHandle {
  /** Lines the app wrote to stderr (its error log), counted; the last few kept for the report. */
  errorLines = 0;
  readonly lastErrors: string[] = [];
  private readonly waiters = new Map<AppReport['type'], (report: AppReport) => void>();

  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
    readonly label: string,
  ) {
    child.on('message', (report: AppReport) => {
      const waiter = this.waiters.get(report.type);
      this.waiters.delete(report.type);
      waiter?.(report);
    });
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  static async start(env: AppEnv, label: string): Promise<AppHandle> {
    // Same loader as this process (tsx), plus gc() for heap measurements.
    const child = fork(join(__dirname, 'app-process.ts'), [], {
      env,
      execArgv: [...process.execArgv, '--expose-gc'],
      stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
    });
    const errors = { count: 0, last: [] as string[] };
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      for (const line of chunk.split('\n').filter((l) => l.trim() !== '')) {
        errors.count += 1;
        errors.last.push(line.slice(0, 300));
        if (errors.last.length > 5) errors.last.shift();
      }
    });
    let timer: NodeJS.Timeout | undefined;
    const port = await new Promise<number>((resolve, reject) => {
      timer = setTimeout(() => reject(new Error('the app did not start within 180 s')), START_TIMEOUT_MS);
      child.on('message', (report: AppReport) => {
        if (report.type === 'ready') resolve(report.port);
        if (report.type === 'failed') reject(new Error(`the app failed to start: ${report.message}`));
      });
      child.on('exit', (code) => reject(new Error(`the app exited during start-up (code ${code}): ${errors.last.join(' | ')}`)));
    }).catch((error: unknown) => {
      child.kill('SIGKILL');
      throw error;
    }).finally(() => clearTimeout(timer));
    const handle = new AppHandle(child, port, label);
    // Later stderr lines are counted on the handle.
    child.stderr?.removeAllListeners('data');
    handle.errorLines = errors.count;
    handle.lastErrors.push(...errors.last);
    child.stderr?.on('data', (chunk: string) => {
      for (const line of chunk.split('\n').filter((l) => l.trim() !== '')) {
        handle.errorLines += 1;
        handle.lastErrors.push(line.slice(0, 300));
        if (handle.lastErrors.length > 5) handle.lastErrors.shift();
      }
    });
    return handle;
  }

  async memory(): Promise<MemoryReport> {
    const report = await this.request({ type: 'memory' }, 'memory');
    if (report.type !== 'memory') throw new Error('unexpected answer');
    return report;
  }

  /** The app process's own CPU time (process.cpuUsage), user + system, in ms. */
  async cpuMs(): Promise<number> {
    const report = await this.request({ type: 'cpu' }, 'cpu');
    return report.type === 'cpu' ? report.userMs + report.systemMs : Number.NaN;
  }

  /** Closes the app cleanly (startApp's close); kills it when that takes too long. */
  async close(): Promise<void> {
    if (this.child.exitCode !== null || !this.child.connected) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.send({ type: 'close' } satisfies AppRequest);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(timer);
  }

  private request(message: AppRequest, answer: AppReport['type']): Promise<AppReport> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the app did not answer "${message.type}"`)), REQUEST_TIMEOUT_MS);
      this.waiters.set(answer, (report) => {
        clearTimeout(timer);
        resolve(report);
      });
      this.child.send(message);
    });
  }
}
