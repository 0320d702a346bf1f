import type { Intent } from '../domain/intents';
import type { Language } from '../domain/language';
import { NluClassifier, type ClassifierThresholds, type TrainingPhrase } from './classifier';
import { normalizeForMatching } from './normalize';

export interface Tally {
  total: number;
  correct: number;
  /** Not decided, but the right intent was among the two offered. */
  offered: number;
}

export interface EvalReport {
  perIntent: Map<string, Tally>;
  inScope: Tally;
  offTopic: Tally;
  errors: Array<{ text: string; expected: Intent; got: string }>;
}

const emptyTally = (): Tally => ({ total: 0, correct: 0, offered: 0 });

/** Scores a trained classifier on labelled phrases; keys of perIntent are `<lng>/<intent>`. */
export function evaluate(classifier: NluClassifier, cases: readonly TrainingPhrase[]): EvalReport {
  const report: EvalReport = { perIntent: new Map(), inScope: emptyTally(), offTopic: emptyTally(), errors: [] };
  for (const c of cases) {
    const result = classifier.classify(c.text);
    // Strict: offering two intents is right for neither an in-scope nor an off-topic phrasing.
    const decided = result.type === 'intent' ? result.intent : result.type;
    const ok = decided === c.intent;
    const offered = result.type === 'unsure' && result.candidates.includes(c.intent);
    const key = `${c.language}/${c.intent}`;
    const tallies = [report.perIntent.get(key) ?? emptyTally(), c.intent === 'unknown' ? report.offTopic : report.inScope];
    report.perIntent.set(key, tallies[0] as Tally);
    for (const t of tallies) {
      t.total += 1;
      if (ok) t.correct += 1;
      if (offered) t.offered += 1;
    }
    if (!ok) report.errors.push({ text: c.text, expected: c.intent, got: result.type === 'unsure' ? `unsure(${result.candidates.join('|')})` : decided });
  }
  return report;
}

/** k-fold cross-validation over the training phrases: each fold is held out once. */
export function crossValidate(phrases: readonly TrainingPhrase[], folds: number, thresholds?: ClassifierThresholds): EvalReport[] {
  const reports: EvalReport[] = [];
  for (let f = 0; f < folds; f += 1) {
    const train = phrases.filter((_, i) => i % folds !== f);
    const test = phrases.filter((_, i) => i % folds === f);
    reports.push(evaluate(NluClassifier.train(train, thresholds), test));
  }
  return reports;
}

/** Sums tallies of several reports. */
export function mergeReports(reports: readonly EvalReport[]): EvalReport {
  const merged: EvalReport = { perIntent: new Map(), inScope: emptyTally(), offTopic: emptyTally(), errors: [] };
  const add = (into: Tally, from: Tally): void => {
    into.total += from.total;
    into.correct += from.correct;
    into.offered += from.offered;
  };
  for (const r of reports) {
    add(merged.inScope, r.inScope);
    add(merged.offTopic, r.offTopic);
    for (const [k, t] of r.perIntent) {
      const into = merged.perIntent.get(k) ?? emptyTally();
      add(into, t);
      merged.perIntent.set(k, into);
    }
    merged.errors.push(...r.errors);
  }
  return merged;
}

export function byLanguage(report: EvalReport, language: Language): { inScope: Tally; offTopic: Tally } {
  const inScope = emptyTally();
  const offTopic = emptyTally();
  for (const [key, t] of report.perIntent) {
    if (!key.startsWith(`${language}/`)) continue;
    const into = key.endsWith('/unknown') ? offTopic : inScope;
    into.total += t.total;
    into.correct += t.correct;
    into.offered += t.offered;
  }
  return { inScope, offTopic };
}

/** Two phrasings are the same for training purposes when they normalise to the same letters. */
export function phrasingKey(text: string): string {
  return normalizeForMatching(text).replace(/\s+/g, '');
}

/**
 * Splits test cases into those that also occur in training (common phrasings such as
 * "السلام عليكم" that independent writers produce alike) and the unseen rest. Accuracy on
 * unseen phrasings is the measure of understanding; the seen ones only check memory.
 */
export function splitBySeen(cases: readonly TrainingPhrase[], training: readonly TrainingPhrase[]): { seen: TrainingPhrase[]; unseen: TrainingPhrase[] } {
  const trained = new Set(training.map((p) => phrasingKey(p.text)));
  const seen: TrainingPhrase[] = [];
  const unseen: TrainingPhrase[] = [];
  for (const c of cases) (trained.has(phrasingKey(c.text)) ? seen : unseen).push(c);
  return { seen, unseen };
}
