import { performance } from 'node:perf_hooks';
import { NluClassifier } from '../../nlu/classifier';
import { loadTrainingPhrases } from '../../nlu/training-data';
import type { BenchContext } from './context';
import { formatLatency, summarize } from './stats';

/** Baseline (d): the classifier alone, on every training phrasing (the floor of understanding one message). */
export async function classifierBaseline(ctx: BenchContext): Promise<void> {
  const phrases = loadTrainingPhrases();
  const t0 = performance.now();
  const classifier = NluClassifier.train(phrases);
  const trainMs = performance.now() - t0;
  const rounds = ctx.plan.quick ? 1 : 3;
  const samples: number[] = [];
  for (let r = 0; r < rounds; r += 1) {
    for (const p of phrases) {
      const s = performance.now();
      classifier.classify(p.text);
      samples.push(performance.now() - s);
    }
  }
  const latency = summarize(samples);
  const total = samples.reduce((a, b) => a + b, 0);
  ctx.baselines.push({ name: 'classifier alone (classify)', unit: 'msg/s', rate: (samples.length / total) * 1000, latency, cpuPerMessage: null, notes: [`training on ${phrases.length} phrasings: ${trainMs.toFixed(0)} ms`] });
  ctx.say(`baseline: classifier alone: ${samples.length} classifications | ${formatLatency(latency)} | training ${trainMs.toFixed(0)} ms on ${phrases.length} phrasings`);
}
