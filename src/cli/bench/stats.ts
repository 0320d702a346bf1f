import { mulberry32 } from '../../nlu/softmax';

/** Latency samples and their summary; percentiles by nearest rank. */

export interface LatencySummary {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentiles of `samples` (ms); zeros when there are none. */
export function summarize(samples: readonly number[]): LatencySummary {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? 0;
  return { n: sorted.length, p50: at(0.5), p95: at(0.95), p99: at(0.99), max: sorted[sorted.length - 1] ?? 0 };
}

/** `p50=… p95=… p99=… max=…` with sensible precision. */
export function formatLatency(s: LatencySummary): string {
  return `p50=${ms(s.p50)} p95=${ms(s.p95)} p99=${ms(s.p99)} max=${ms(s.max)}`;
}

export function ms(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  return value >= 100 ? `${value.toFixed(0)}ms` : `${value.toFixed(1)}ms`;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolves when `check` is true or `timeoutMs` has passed; polling is fine here: this is a load driver, not a test. */
export async function waitUntil(check: () => boolean, timeoutMs: number, intervalMs = 20): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() >= deadline) return false;
    await sleep(intervalMs);
  }
  return true;
}

/** A seeded generator, so two runs send the same mix. */
export const seededRandom = mulberry32;
