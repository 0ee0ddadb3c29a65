import { dense, fromDense } from '@convlab/core';
import type { Tensor } from '@convlab/core';
import type { Random } from '../random.js';
import type { Dataset } from '../data/dataset.js';
import { shiftImagesInPlace } from './augment.js';

/** The order of one epoch's examples: 0..n-1, shuffled by `random` (Fisher-Yates) or in order. */
export function epochOrder(n: number, random: Random | null): Int32Array {
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  if (random) random.shuffle(order);
  return order;
}

/** Minibatches in an epoch of n examples; the last one may be smaller (PyTorch's drop_last=false). */
export function batchCount(n: number, batchSize: number): number {
  return Math.ceil(n / batchSize);
}

/** Copies the examples `order[from .. to)` into a fresh batch: images [to-from, C, H, W] and labels; optionally shifted at random (augment.ts). */
export function gatherBatch(
  data: Dataset,
  order: Int32Array,
  from: number,
  to: number,
  augment?: { shift: number; random: Random },
): { x: Tensor; labels: Int32Array } {
  const [, c, h, w] = data.images.shape as [number, number, number, number];
  const per = c * h * w;
  const count = to - from;
  const src = dense(data.images).data;
  const pixels = src instanceof Float32Array ? new Float32Array(count * per) : new Float64Array(count * per);
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const k = order[from + i]!;
    pixels.set(src.subarray(k * per, (k + 1) * per), i * per);
    labels[i] = data.labels[k]!;
  }
  if (augment && augment.shift > 0) shiftImagesInPlace(pixels, count, c, h, w, augment.shift, augment.random);
  return { x: fromDense(pixels, [count, c, h, w]), labels };
}
