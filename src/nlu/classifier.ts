import type { Intent } from '../domain/intents';
import type { Language } from '../domain/language';
import type { Classification, IntentClassifier } from '../engine/ports';
import { extractFeatures, lightStem, wordTokens } from './features';
import { phoneticKey } from './phonetic';
import { SoftmaxModel, type SparseVector } from './softmax';

export interface TrainingPhrase {
  text: string;
  intent: Intent;
  language: Language;
}

/** Decision thresholds; tuned by cross-validation on the training phrasings, never on the blind set. */
export interface ClassifierThresholds {
  /** Below this probability of the best intent, the two best are offered instead of a guess. */
  confidentProbability: number;
  /** …and likewise when the two best are closer than this. */
  minMargin: number;
  /** Below this cosine similarity to every in-scope phrasing, the text is off-topic. */
  minSimilarity: number;
  /** Share of the message's words seen in in-scope training; below it the text is off-topic. */
  minCoverage: number;
  /** Off-topic when the nearest off-topic phrasing is at least this much closer than the nearest in-scope one (null: off). */
  offTopicVeto: number | null;
}

export const DEFAULT_THRESHOLDS: ClassifierThresholds = {
  confidentProbability: 0.25,
  minMargin: 0.05,
  minSimilarity: 0.2,
  minCoverage: 0.5,
  offTopicVeto: 0,
};

export interface IntentScore {
  intent: Intent;
  score: number;
}

/**
 * Intent classifier: a softmax model over TF-IDF features (words, light stems, consonant
 * skeletons shared by Arabic script and Arabizi / Urdu script and Roman Urdu, word pairs,
 * character n-grams) decides; guards stop confident wrong answers: an explicit `unknown` class
 * trained on off-topic text, a known-word coverage rule, a minimum similarity to some in-scope
 * training phrasing, and a probability/margin rule that offers the two best intents instead of guessing.
 */
export class NluClassifier implements IntentClassifier {
  private readonly idf = new Map<string, number>();
  private inScopeIndex = PostingIndex.EMPTY;
  private offTopicIndex = PostingIndex.EMPTY;
  private offTopicDocs = 0;
  private readonly docLanguages: Language[] = [];
  private readonly vocabulary = new Set<string>();
  /**
   * Consonant skeletons of in-scope words, by script: "6alab" is known when "طلب" was trained,
   * and "درخواست" when "darkhwast" was. Only across scripts: within one script the skeleton
   * would let "states" pass for "status".
   */
  private readonly skeletonsOfScript = { arabic: new Set<string>(), latin: new Set<string>() };
  private model: SoftmaxModel<Intent> | null = null;

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
    const vectors = featureSets.map((fs) => this.weigh(fs));
    this.model = SoftmaxModel.train(vectors, phrases.map((p) => p.intent));
    const inScope = new PostingLists();
    const offTopic = new PostingLists();
    phrases.forEach((phrase, i) => {
      if (phrase.intent === 'unknown') {
        const doc = this.offTopicDocs++;
        for (const [f, weight] of vectors[i] as SparseVector) offTopic.add(f, doc, weight);
        return;
      }
      const doc = this.docLanguages.push(phrase.language) - 1;
      for (const [f, weight] of vectors[i] as SparseVector) inScope.add(f, doc, weight);
      for (const t of wordTokens(phrase.text)) {
        this.vocabulary.add(t);
        this.vocabulary.add(lightStem(t));
        const key = phoneticKey(t);
        if (key.length >= 3) this.skeletonsOfScript[scriptOf(t)].add(key);
      }
    });
    this.inScopeIndex = inScope.freeze();
    this.offTopicIndex = offTopic.freeze();
  }

  /** TF × IDF with L2 normalisation. Features never seen in training are dropped (no evidence). */
  private weigh(features: Map<string, number>): SparseVector {
    const out: SparseVector = new Map();
    let norm = 0;
    for (const [f, tf] of features) {
      const idf = this.idf.get(f);
      if (idf === undefined) continue;
      const w = (tf > 1 ? 1 + Math.log(tf) : tf) * idf;
      out.set(f, w);
      norm += w * w;
    }
    const len = Math.sqrt(norm) || 1;
    for (const [f, w] of out) out.set(f, w / len);
    return out;
  }

  /** Intent probabilities best first, and the nearest in-scope phrasing's similarity and language. */
  scores(text: string): { ranked: IntentScore[]; similarity: number; offTopicSimilarity: number; language: Language | null } {
    const x = this.weigh(extractFeatures(text));
    const model = this.model as SoftmaxModel<Intent>; // set by train(), the only constructor path
    const p = model.probabilities(x);
    const ranked = model.classes.map((intent, i) => ({ intent, score: p[i] as number })).sort((a, b) => b.score - a.score);
    const sims = new Float64Array(this.docLanguages.length);
    for (const [f, w] of x) this.inScopeIndex.addInto(f, w, sims);
    let best = -1;
    sims.forEach((s, i) => {
      if (best < 0 || s > (sims[best] as number)) best = i;
    });
    const similarity = best >= 0 ? (sims[best] as number) : 0;
    const offSims = new Float64Array(this.offTopicDocs);
    for (const [f, w] of x) this.offTopicIndex.addInto(f, w, offSims);
    const offTopicSimilarity = offSims.length > 0 ? Math.max(...offSims) : 0;
    return { ranked, similarity, offTopicSimilarity, language: similarity > 0 ? (this.docLanguages[best] ?? null) : null };
  }

  /** Share of the message's words (2+ letters) seen in in-scope training, allowing one typo in longer words, a missing space, or a transliteration. */
  coverage(text: string): number {
    const tokens = wordTokens(text).filter((t) => t.length >= 2);
    if (tokens.length === 0) return 0;
    return tokens.filter((t) => this.isKnown(t)).length / tokens.length;
  }

  private isKnown(token: string): boolean {
    if (this.vocabulary.has(token) || this.vocabulary.has(lightStem(token))) return true;
    const key = phoneticKey(token);
    const script = scriptOf(token);
    if (key.length >= 3 && this.skeletonsOfScript[script === 'arabic' ? 'latin' : 'arabic'].has(key)) return true;
    // Two known Arabic-script words typed without a space ("السلامعليكم", "عنديشكوى"); not in Latin
    // script, where English is full of such pairs ("nowhere", "into").
    if (script === 'arabic') {
      for (let i = 3; i <= token.length - 3; i += 1) if (this.vocabulary.has(token.slice(0, i)) && this.vocabulary.has(token.slice(i))) return true;
    }
    if (token.length < 5) return false;
    for (const word of this.vocabulary) if (withinOneEdit(word, token)) return true;
    return false;
  }

  classify(text: string): Classification {
    const { ranked, similarity, offTopicSimilarity, language } = this.scores(text);
    const top = ranked[0];
    if (!top || top.intent === 'unknown') return { type: 'unknown', confidence: top?.score ?? 0, language };
    const { confidentProbability, minMargin, minSimilarity, minCoverage, offTopicVeto } = this.thresholds;
    if (similarity < minSimilarity || this.coverage(text) < minCoverage) return { type: 'unknown', confidence: top.score, language };
    if (offTopicVeto !== null && offTopicSimilarity - similarity >= offTopicVeto) return { type: 'unknown', confidence: top.score, language };
    const second = ranked.find((r) => r.intent !== top.intent && r.intent !== 'unknown');
    const unsure = top.score < confidentProbability || (second !== undefined && top.score - second.score < minMargin);
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

/** Arabic script (Arabic, Urdu) or not; tokens are already normalised, so one letter tells. */
function scriptOf(token: string): 'arabic' | 'latin' {
  return /[\u0600-\u06FF]/.test(token) ? 'arabic' : 'latin';
}

/** Posting lists while training: per feature, the documents it occurs in and its weight there. */
class PostingLists {
  private readonly lists = new Map<string, { docs: number[]; weights: number[] }>();

  add(feature: string, doc: number, weight: number): void {
    const list = this.lists.get(feature);
    if (list) {
      list.docs.push(doc);
      list.weights.push(weight);
    } else {
      this.lists.set(feature, { docs: [doc], weights: [weight] });
    }
  }

  freeze(): PostingIndex {
    let total = 0;
    for (const list of this.lists.values()) total += list.docs.length;
    const ids = new Map<string, number>();
    const starts = new Int32Array(this.lists.size + 1);
    const docs = new Int32Array(total);
    const weights = new Float64Array(total);
    let at = 0;
    for (const [feature, list] of this.lists) {
      starts[ids.size] = at;
      ids.set(feature, ids.size);
      docs.set(list.docs, at);
      weights.set(list.weights, at);
      at += list.docs.length;
    }
    starts[ids.size] = at;
    return new PostingIndex(ids, starts, docs, weights);
  }
}

/**
 * The trained posting lists in three flat arrays: feature number i owns `starts[i]` up to
 * `starts[i + 1]` of `docs` and `weights`. As one `{doc, weight}` object per posting (about
 * 400,000) they were most of what the garbage collector marked, every few seconds under load.
 */
class PostingIndex {
  static readonly EMPTY = new PostingIndex(new Map(), new Int32Array(1), new Int32Array(0), new Float64Array(0));

  constructor(
    private readonly ids: ReadonlyMap<string, number>,
    private readonly starts: Int32Array,
    private readonly docs: Int32Array,
    private readonly weights: Float64Array,
  ) {}

  /** Adds `w` × the feature's weight in each document to that document's score. */
  addInto(feature: string, w: number, scores: Float64Array): void {
    const id = this.ids.get(feature);
    if (id === undefined) return;
    const end = this.starts[id + 1] as number;
    for (let k = this.starts[id] as number; k < end; k += 1) {
      const doc = this.docs[k] as number;
      scores[doc] = (scores[doc] as number) + w * (this.weights[k] as number);
    }
  }
}
