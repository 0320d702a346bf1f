/**
 * Multinomial logistic regression over sparse features, trained by SGD with a seeded shuffle so
 * that the same data always gives the same model (and the same eval numbers).
 */
export type SparseVector = Map<string, number>;

export interface SoftmaxOptions {
  epochs: number;
  learningRate: number;
  l2: number;
  seed: number;
}

export const DEFAULT_SOFTMAX: SoftmaxOptions = { epochs: 100, learningRate: 0.3, l2: 1e-5, seed: 17 };

/** A training vector with its features turned into column numbers (same order as the map). */
interface IndexedVector {
  columns: Int32Array;
  values: Float64Array;
}

export class SoftmaxModel<C extends string> {
  /** Column of each feature in `weights`; features are rows of `classes.length` weights. */
  private readonly columns = new Map<string, number>();
  private weights = new Float64Array(0);
  private readonly bias: Float64Array;

  private constructor(readonly classes: readonly C[]) {
    this.bias = new Float64Array(classes.length);
  }

  static train<C extends string>(xs: readonly SparseVector[], ys: readonly C[], options: SoftmaxOptions = DEFAULT_SOFTMAX): SoftmaxModel<C> {
    const model = new SoftmaxModel<C>([...new Set(ys)].sort());
    const indexed = xs.map((x) => model.index(x));
    model.weights = new Float64Array(model.columns.size * model.classes.length);
    const labels = ys.map((y) => model.classes.indexOf(y));
    const order = xs.map((_, i) => i);
    const random = mulberry32(options.seed);
    const p = new Float64Array(model.classes.length);
    for (let epoch = 0; epoch < options.epochs; epoch += 1) {
      shuffle(order, random);
      for (const i of order) model.step(indexed[i] as IndexedVector, labels[i] as number, options, p);
    }
    return model;
  }

  /** Gives every feature of a training vector a column (new ones at the end). */
  private index(x: SparseVector): IndexedVector {
    const columns = new Int32Array(x.size);
    const values = new Float64Array(x.size);
    let k = 0;
    for (const [feature, value] of x) {
      let column = this.columns.get(feature);
      if (column === undefined) {
        column = this.columns.size;
        this.columns.set(feature, column);
      }
      columns[k] = column;
      values[k] = value;
      k += 1;
    }
    return { columns, values };
  }

  private step(x: IndexedVector, label: number, { learningRate, l2 }: SoftmaxOptions, p: Float64Array): void {
    const n = this.classes.length;
    this.scoresInto(x.columns, x.values, p);
    for (let c = 0; c < n; c += 1) {
      const gradient = (p[c] as number) - (c === label ? 1 : 0);
      this.bias[c] = (this.bias[c] as number) - learningRate * gradient;
      for (let k = 0; k < x.columns.length; k += 1) {
        const at = (x.columns[k] as number) * n + c;
        const w = this.weights[at] as number;
        this.weights[at] = w - learningRate * (gradient * (x.values[k] as number) + l2 * w);
      }
    }
  }

  /** Softmax of bias + w·x into `out`, x given as column numbers and values. */
  private scoresInto(columns: Int32Array, values: Float64Array, out: Float64Array): void {
    const n = this.classes.length;
    out.set(this.bias);
    for (let k = 0; k < columns.length; k += 1) {
      const row = (columns[k] as number) * n;
      const value = values[k] as number;
      for (let c = 0; c < n; c += 1) out[c] = (out[c] as number) + (this.weights[row + c] as number) * value;
    }
    let max = -Infinity;
    for (let c = 0; c < n; c += 1) max = Math.max(max, out[c] as number);
    let sum = 0;
    for (let c = 0; c < n; c += 1) {
      out[c] = Math.exp((out[c] as number) - max);
      sum += out[c] as number;
    }
    for (let c = 0; c < n; c += 1) out[c] = (out[c] as number) / sum;
  }

  /** Class probabilities, in the order of `classes`. Features never trained on carry no weight. */
  probabilities(x: SparseVector): Float64Array {
    const columns: number[] = [];
    const values: number[] = [];
    for (const [feature, value] of x) {
      const column = this.columns.get(feature);
      if (column === undefined) continue;
      columns.push(column);
      values.push(value);
    }
    const out = new Float64Array(this.classes.length);
    this.scoresInto(Int32Array.from(columns), Float64Array.from(values), out);
    return out;
  }
}

/** A seeded generator (mulberry32): reproducible training, and the bench's reproducible message mix. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffle(items: number[], random: () => number): void {
  for (let i = items.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j] as number, items[i] as number];
  }
}
