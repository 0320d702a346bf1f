/** The IPC messages between the bench and the app process it forks. */

export type AppRequest = { type: 'memory' } | { type: 'cpu' } | { type: 'close' };

export interface MemoryReport {
  type: 'memory';
  heapUsed: number;
  heapTotal: number;
  rss: number;
  external: number;
  /** False when the process could not be made to collect garbage first. */
  collected: boolean;
}

export type AppReport =
  | { type: 'ready'; port: number }
  | MemoryReport
  | { type: 'cpu'; userMs: number; systemMs: number }
  | { type: 'closed' }
  | { type: 'failed'; message: string };
