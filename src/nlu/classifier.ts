import type { Intent } from '../domain/intents';
import type { Language } from '../domain/language';
import type { Classification, IntentClassifier } from '../engine/ports';
import { extractFeatures, lightStem, wordTokens } from './features';

export interface TrainingPhrase {
  text: string;
  intent: Intent;
  language: Language;
}

/** Decision thresholds; tuned with `npm run eval:nlu`, never against the held-out set alone. */
export interface ClassifierThresholds {
  /** Below this similarity nothing is claimed: unknown. */
  minScore: number;
  /** Below this (or with a small margin) the two best intents are offered instead of a guess. */
  confidentScore: number;
  minMargin: number;
  /** Share of the message's words the bot has seen in training; below it the text is off-topic. */
  minCoverage: number;
}

export const DEFAULT_THRESHOLDS: ClassifierThresholds = { minScore: 0.2, confidentScore: 0.34, minMargin: 0.04, minCoverage: 0.34 };

interface Indexed {
  intent: Intent;
  language: Language;
}

export interface IntentScore {
  intent: Intent;
  score: number;
}

/**
 * Nearest-neighbour intent classifier over TF-IDF features. Each intent scores the mean of its
 * two most similar training phrases. Guards against confident wrong answers: an explicit
 * `unknown` class trained on off-topic text, a known-word coverage rule, a score threshold and
 * a margin rule that offers the two best intents instead of guessing.
 */
export class NluClassifier implements IntentClassifier {
  private readonly index = new Map<string, Array<{ doc: number; weight: number }>>();
  private readonly idf = new Map<string, number>();
  private readonly docs: Indexed[] = [];
  private readonly vocabulary = new Set<string>();

  private constructor(private readonly thresholds: ClassifierThresholds) {}

  static train(phrases: readonly TrainingPhrase[], thresholds: ClassifierThresholds = DEFAULT_THRESHOLDS): NluClassifier {
    const classifier = new NluClassifier(thresholds);
    classifier.fit(phrases);
    return classifier;
  }

  private fit(phrases: readonly TrainingPhrase[]): void {
    const featureSets = phrases.map((p) => extractFeatures(p.text));
    const df = new Map<string, number>();
    for (const fs of featureSets) for (const f of fs.keys()) df.set(f, (df.get(f) ?? 0) + 1);
    for (const [f, n] of df) this.idf.set(f, Math.log((featureSets.length + 1) / (n + 1)) + 1);
    featureSets.forEach((fs, doc) => {
      const phrase = phrases[doc] as TrainingPhrase;
      this.docs.push({ intent: phrase.intent, language: phrase.language });
      for (const [f, weight] of this.weigh(fs)) {
        const postings = this.index.get(f) ?? [];
        postings.push({ doc, weight });
        this.index.set(f, postings);
      }
      if (phrase.intent !== 'unknown') {
        for (const t of wordTokens(phrase.text)) {
          this.vocabulary.add(t);
          this.vocabulary.add(lightStem(t));
        }
      }
    });
  }

  /** Sublinear TF × IDF, L2-normalised. Unseen features are dropped (they carry no evidence). */
  private weigh(features: Map<string, number>): Map<string, number> {
    const out = new Map<string, number>();
    let norm = 0;
    for (const [f, tf] of features) {
      const idf = this.idf.get(f);
      if (idf === undefined) continue;
      const w = (1 + Math.log(tf + 1e-9 > 1 ? tf : 1)) * idf * (tf < 1 ? tf : 1);
      out.set(f, w);
      norm += w * w;
    }
    const len = Math.sqrt(norm) || 1;
    for (const [f, w] of out) out.set(f, w / len);
    return out;
  }

  /** Per-intent scores, best first (exposed for evaluation and debugging). */
  scores(text: string): { ranked: IntentScore[]; language: Language | null } {
    const sims = new Float64Array(this.docs.length);
    for (const [f, w] of this.weigh(extractFeatures(text))) {
      for (const p of this.index.get(f) ?? []) sims[p.doc] = (sims[p.doc] ?? 0) + w * p.weight;
    }
    const perIntent = new Map<Intent, number[]>();
    let bestDoc = -1;
    sims.forEach((s, i) => {
      const doc = this.docs[i] as Indexed;
      const list = perIntent.get(doc.intent) ?? [];
      list.push(s);
      perIntent.set(doc.intent, list);
      if (bestDoc < 0 || s > (sims[bestDoc] ?? 0)) bestDoc = i;
    });
    const ranked = [...perIntent].map(([intent, list]) => {
      const top = list.sort((a, b) => b - a).slice(0, 2);
      return { intent, score: top.reduce((a, b) => a + b, 0) / top.length };
    });
    ranked.sort((a, b) => b.score - a.score);
    const language = bestDoc >= 0 && (sims[bestDoc] ?? 0) > 0 ? (this.docs[bestDoc]?.language ?? null) : null;
    return { ranked, language };
  }

  /** Share of the message's words (2+ letters) seen in in-scope training, allowing one typo in longer words. */
  coverage(text: string): number {
    const tokens = wordTokens(text).filter((t) => t.length >= 2);
    if (tokens.length === 0) return 0;
    const known = tokens.filter((t) => this.isKnown(t)).length;
    return known / tokens.length;
  }

  private isKnown(token: string): boolean {
    if (this.vocabulary.has(token) || this.vocabulary.has(lightStem(token))) return true;
    if (token.length < 5) return false;
    for (const word of this.vocabulary) if (Math.abs(word.length - token.length) <= 1 && withinOneEdit(word, token)) return true;
    return false;
  }

  classify(text: string): Classification {
    const { ranked, language } = this.scores(text);
    const top = ranked[0];
    if (!top || top.intent === 'unknown') return { type: 'unknown', confidence: top?.score ?? 0, language };
    const { minScore, confidentScore, minMargin, minCoverage } = this.thresholds;
    if (top.score < minScore || this.coverage(text) < minCoverage) return { type: 'unknown', confidence: top.score, language };
    const second = ranked.find((r) => r.intent !== top.intent && r.intent !== 'unknown');
    const unsure = top.score < confidentScore || (second !== undefined && top.score - second.score < minMargin);
    if (unsure && second) return { type: 'unsure', candidates: [top.intent, second.intent], confidence: top.score, language };
    return { type: 'intent', intent: top.intent, confidence: top.score, language };
  }
}

/** True when a and b differ by at most one insertion, deletion or substitution. */
export function withinOneEdit(a: string, b: string): boolean {
  if (a === b) return true;
  if (Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  let j = 0;
  let edits = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      i += 1;
      j += 1;
      continue;
    }
    edits += 1;
    if (edits > 1) return false;
    if (a.length > b.length) i += 1;
    else if (b.length > a.length) j += 1;
    else {
      i += 1;
      j += 1;
    }
  }
  return edits + (a.length - i) + (b.length - j) <= 1;
}
