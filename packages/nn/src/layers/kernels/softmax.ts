import type { FloatArray } from '@convlab/core';

/**
 * Row-wise softmax with the log-sum-exp shift: lse = m + log(sum exp(z - m)), m = max(z), so no
 * exp overflows; p = exp(z - lse). Writes the probabilities of n rows of c logits into `probs` and
 * returns each row's log-sum-exp in `lse`.
 */
export function softmaxInto(probs: FloatArray, lse: Float64Array, logits: FloatArray, n: number, c: number): void {
  for (let r = 0; r < n; r++) {
    const base = r * c;
    let m = -Infinity;
    for (let j = 0; j < c; j++) m = Math.max(m, logits[base + j]!);
    let sum = 0;
    for (let j = 0; j < c; j++) {
      const e = Math.exp(logits[base + j]! - m);
      probs[base + j] = e;
      sum += e;
    }
    for (let j = 0; j < c; j++) probs[base + j] = probs[base + j]! / sum;
    lse[r] = m + Math.log(sum);
  }
}

/** Mean over rows of -log softmax(z)[label] = lse - z[label]. */
export function meanCrossEntropy(lse: Float64Array, logits: FloatArray, labels: ArrayLike<number>, n: number, c: number): number {
  let total = 0;
  for (let r = 0; r < n; r++) total += lse[r]! - logits[r * c + labels[r]!]!;
  return total / n;
}

/** dL/dz of the mean loss: (softmax(z) - onehot(label)) / n. */
export function crossEntropyGradInto(gz: FloatArray, probs: FloatArray, labels: ArrayLike<number>, n: number, c: number): void {
  for (let r = 0; r < n; r++) {
    const base = r * c;
    const label = labels[r]!;
    for (let j = 0; j < c; j++) gz[base + j] = (probs[base + j]! - (j === label ? 1 : 0)) / n;
  }
}
