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

export const DEFAULT_SOFTMAX: SoftmaxOptions = { epochs: 60, learningRate: 0.3, l2: 1e-5, seed: 17 };

export class SoftmaxModel<C extends string> {
  private readonly weights = new Map<string, Float64Array>();
  private readonly bias: Float64Array;

  private constructor(readonly classes: readonly C[]) {
    this.bias = new Float64Array(classes.length);
  }

  static train<C extends string>(xs: readonly SparseVector[], ys: readonly C[], options: SoftmaxOptions = DEFAULT_SOFTMAX): SoftmaxModel<C> {
    const model = new SoftmaxModel<C>([...new Set(ys)].sort());
    const labels = ys.map((y) => model.classes.indexOf(y));
    const order = xs.map((_, i) => i);
    const random = mulberry32(options.seed);
    for (let epoch = 0; epoch < options.epochs; epoch += 1) {
      shuffle(order, random);
      for (const i of order) model.step(xs[i] as SparseVector, labels[i] as number, options);
    }
    return model;
  }

  private step(x: SparseVector, label: number, { learningRate, l2 }: SoftmaxOptions): void {
    const p = this.probabilities(x);
    for (let c = 0; c < this.classes.length; c += 1) {
      const gradient = (p[c] as number) - (c === label ? 1 : 0);
      this.bias[c] = (this.bias[c] as number) - learningRate * gradient;
      for (const [feature, value] of x) {
        let w = this.weights.get(feature);
        if (!w) {
          w = new Float64Array(this.classes.length);
          this.weights.set(feature, w);
        }
        w[c] = (w[c] as number) - learningRate * (gradient * value + l2 * (w[c] as number));
      }
    }
  }

  /** Class probabilities, in the order of `classes`. */
  probabilities(x: SparseVector): Float64Array {
    const z = Float64Array.from(this.bias);
    for (const [feature, value] of x) {
      const w = this.weights.get(feature);
      if (w) for (let c = 0; c < z.length; c += 1) z[c] = (z[c] as number) + (w[c] as number) * value;
    }
    const max = Math.max(...z);
    let sum = 0;
    for (let c = 0; c < z.length; c += 1) {
      z[c] = Math.exp((z[c] as number) - max);
      sum += z[c] as number;
    }
    for (let c = 0; c < z.length; c += 1) z[c] = (z[c] as number) / sum;
    return z;
  }
}

function mulberry32(seed: number): () => number {
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
