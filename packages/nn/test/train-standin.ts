import { fromDense } from '@convlab/core';
import type { Tensor } from '@convlab/core';
import { Random } from '@convlab/nn';

/**
 * A deliberately small model, loss and optimiser that follow the layer contract, so the
 * training loop's own logic (batches, checkpoints, resume, stop) is tested apart from the
 * layer library: multinomial logistic regression on flattened images, float32.
 */
export class SoftmaxRegression {
  readonly weight: Tensor;
  readonly bias: Tensor;
  readonly weightGrad: Tensor;
  readonly biasGrad: Tensor;
  training = true;
  private x: Float32Array | null = null;
  private n = 0;

  constructor(
    readonly inputs: number,
    readonly classes: number,
    random: Random,
  ) {
    const w = new Float32Array(classes * inputs);
    for (let i = 0; i < w.length; i++) w[i] = random.uniform(-0.01, 0.01);
    this.weight = fromDense(w, [classes, inputs]);
    this.bias = fromDense(new Float32Array(classes), [classes]);
    this.weightGrad = fromDense(new Float32Array(classes * inputs), [classes, inputs]);
    this.biasGrad = fromDense(new Float32Array(classes), [classes]);
  }

  forward(x: Tensor): Tensor {
    const n = x.shape[0]!;
    const d = this.inputs;
    const k = this.classes;
    const xs = x.data as Float32Array;
    this.x = xs;
    this.n = n;
    const out = new Float32Array(n * k);
    const w = this.weight.data;
    const b = this.bias.data;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < k; j++) {
        let s = b[j]!;
        for (let t = 0; t < d; t++) s += w[j * d + t]! * xs[i * d + t]!;
        out[i * k + j] = s;
      }
    }
    return fromDense(out, [n, k]);
  }

  backward(gy: Tensor): Tensor {
    const { n, inputs: d, classes: k } = this;
    const xs = this.x!;
    const g = gy.data;
    const gw = this.weightGrad.data;
    const gb = this.biasGrad.data;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < k; j++) {
        const gij = g[i * k + j]!;
        gb[j] += gij;
        for (let t = 0; t < d; t++) gw[j * d + t] += gij * xs[i * d + t]!;
      }
    }
    return fromDense(new Float32Array(n * d), [n, 1, 1, d]);
  }

  parameters() {
    return [
      { name: 'weight', value: this.weight, grad: this.weightGrad },
      { name: 'bias', value: this.bias, grad: this.biasGrad },
    ];
  }

  train(mode = true) {
    this.training = mode;
    return this;
  }

  eval() {
    return this.train(false);
  }
}

/** Softmax cross-entropy, mean over the batch, with the log-sum-exp shift. */
export class CrossEntropy {
  private probs: Float64Array | null = null;
  private labels: Int32Array | null = null;
  private k = 0;

  forward(logits: Tensor, labels: Int32Array): number {
    const [n, k] = logits.shape as [number, number];
    const z = logits.data;
    const p = new Float64Array(n * k);
    let total = 0;
    for (let i = 0; i < n; i++) {
      let m = -Infinity;
      for (let j = 0; j < k; j++) m = Math.max(m, z[i * k + j]!);
      let s = 0;
      for (let j = 0; j < k; j++) s += Math.exp(z[i * k + j]! - m);
      for (let j = 0; j < k; j++) p[i * k + j] = Math.exp(z[i * k + j]! - m) / s;
      total += m + Math.log(s) - z[i * k + labels[i]!]!;
    }
    this.probs = p;
    this.labels = labels;
    this.k = k;
    return total / n;
  }

  backward(): Tensor {
    const p = this.probs!;
    const labels = this.labels!;
    const n = labels.length;
    const k = this.k;
    const g = new Float32Array(n * k);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < k; j++) g[i * k + j] = (p[i * k + j]! - (j === labels[i] ? 1 : 0)) / n;
    }
    return fromDense(g, [n, k]);
  }
}

/** SGD with momentum; its velocity is state a checkpoint must keep. */
export class MomentumSGD {
  private velocity: Float32Array[];

  constructor(
    private readonly params: Array<{ value: Tensor; grad: Tensor }>,
    public lr: number,
    private readonly momentum: number,
  ) {
    this.velocity = params.map((p) => new Float32Array(p.value.size));
  }

  zeroGrad(): void {
    for (const p of this.params) p.grad.data.fill(0);
  }

  step(): void {
    this.params.forEach((p, i) => {
      const v = this.velocity[i]!;
      const w = p.value.data;
      const g = p.grad.data;
      for (let t = 0; t < v.length; t++) {
        v[t] = this.momentum * v[t]! + g[t]!;
        w[t] -= this.lr * v[t]!;
      }
    });
  }

  getState(): unknown {
    return { velocity: this.velocity.map((v) => v.slice()) };
  }

  setState(state: unknown): void {
    this.velocity = (state as { velocity: Float32Array[] }).velocity.map((v) => v.slice());
  }
}
