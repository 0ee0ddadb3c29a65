import { arrayFor, checkTensor, dtypeOf, fromDense } from '@convlab/core';
import type { Tensor } from '@convlab/core';
import { crossEntropyGradInto, meanCrossEntropy, softmaxInto } from './kernels/softmax.js';
import { flatData } from './layer.js';

/** Labels: one integer class index per row. */
export type Labels = ArrayLike<number>;

function checkLogits(logits: unknown, who: string): asserts logits is Tensor {
  checkTensor(logits, who, 'logits', [2]);
  const [n, c] = logits.shape as [number, number];
  if (n === 0 || c === 0) throw new Error(`${who}: logits must be [N, classes] with N, classes > 0, got [${n}, ${c}]`);
}

/**
 * Softmax followed by the negative log-likelihood, averaged over the batch: PyTorch's
 * `cross_entropy(logits, labels)` with its default mean reduction. The log-sum-exp is shifted by
 * the row maximum, so large logits neither overflow nor lose the loss. `backward()` returns
 * dL/dlogits = (softmax - onehot) / N, the lecture's output delta `p - 1(y = i)` of the mean.
 */
export class SoftmaxCrossEntropy {
  private probs?: Float64Array;
  private lse?: Float64Array;
  private labels?: Int32Array;
  private shape?: [number, number];
  private dtype: 'float32' | 'float64' = 'float64';

  /** The mean loss of `logits` [N, classes] for `labels` (N integers in [0, classes)). */
  forward(logits: Tensor, labels: Labels): number {
    const who = 'SoftmaxCrossEntropy';
    checkLogits(logits, who);
    const [n, c] = logits.shape as [number, number];
    const checked = checkLabels(labels, n, c, who);
    const z = flatData(logits);
    if (!this.probs || this.probs.length !== n * c) this.probs = new Float64Array(n * c);
    if (!this.lse || this.lse.length !== n) this.lse = new Float64Array(n);
    softmaxInto(this.probs, this.lse, z, n, c);
    this.labels = checked;
    this.shape = [n, c];
    this.dtype = dtypeOf(logits);
    return meanCrossEntropy(this.lse, z, checked, n, c);
  }

  /** dL/dlogits of the mean loss of the last forward call, in the logits' dtype. */
  backward(): Tensor {
    if (!this.shape) throw new Error('SoftmaxCrossEntropy: backward called before forward');
    const [n, c] = this.shape;
    const gz = arrayFor(this.dtype, n * c);
    crossEntropyGradInto(gz, this.probs!, this.labels!, n, c);
    return fromDense(gz, this.shape);
  }
}

/** Labels as an Int32Array, or a clear error: wrong count, not an integer, out of range. */
export function checkLabels(labels: unknown, n: number, classes: number, who: string): Int32Array {
  const list = labels as ArrayLike<number> | undefined;
  if (!list || typeof list !== 'object' || typeof list.length !== 'number') {
    throw new Error(`${who}: labels must be an array of class indices (number[] or Int32Array)`);
  }
  if (list.length !== n) throw new Error(`${who}: got ${list.length} labels for ${n} rows of logits`);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const y = list[i]!;
    if (!Number.isInteger(y) || y < 0 || y >= classes) {
      throw new Error(`${who}: label ${i} is ${y}, expected an integer class index in [0, ${classes - 1}]`);
    }
    out[i] = y;
  }
  return out;
}

/** Row-wise softmax of [N, classes] logits (class probabilities), in the logits' dtype. */
export function softmax(logits: Tensor): Tensor {
  checkLogits(logits, 'softmax');
  const [n, c] = logits.shape as [number, number];
  const probs = arrayFor(dtypeOf(logits), n * c);
  softmaxInto(probs, new Float64Array(n), flatData(logits), n, c);
  return fromDense(probs, [n, c]);
}
