/** The Kronecker product, and the Kronecker upsample with a block of ones used by pooling backprop. */

import { dense, fromDense, resultDtype, dtypeOf } from '../tensor.js';
import { allocate } from '../limits.js';
import type { Tensor } from '../tensor.js';
import { asTensor, checkRank, shapeText } from './inputs.js';
import type { TensorLike } from './inputs.js';

/** A 2-D shape as [rows, cols]; a 1-D one is a single row, as numpy reads it. */
function asMatrixShape(shape: readonly number[]): [number, number] {
  return shape.length === 2 ? [shape[0]!, shape[1]!] : [1, shape[0]!];
}

/**
 * The Kronecker product as `numpy.kron` (and `scipy.linalg.kron` for 2-D): the block matrix
 * whose block (i, j) is `a[i, j] * b`, shape `[ma * mb, na * nb]`. A 1-D input is read as one
 * row, as numpy does, and two 1-D inputs give a 1-D result of length `na * nb`.
 */
export function kron(a: TensorLike, b: TensorLike): Tensor {
  const who = 'kron';
  const x = asTensor(a, who, 'a');
  const y = asTensor(b, who, 'b');
  checkRank(x, who, 'a', [1, 2]);
  checkRank(y, who, 'b', [1, 2]);
  const [ma, na] = asMatrixShape(x.shape);
  const [mb, nb] = asMatrixShape(y.shape);
  const rows = ma * mb;
  const cols = na * nb;
  const shape = x.shape.length === 1 && y.shape.length === 1 ? [cols] : [rows, cols];
  const out = allocate(who, 'output', shape, resultDtype(x, y));
  const A = dense(x).data;
  const B = dense(y).data;
  for (let i = 0; i < ma; i++) {
    for (let k = 0; k < mb; k++) {
      let o = (i * mb + k) * cols;
      const bRow = k * nb;
      for (let j = 0; j < na; j++) {
        const aij = A[i * na + j]!;
        for (let l = 0; l < nb; l++) out[o++] = aij * B[bRow + l]!;
      }
    }
  }
  return fromDense(out, shape);
}

function checkFactors(factors: unknown, who: string): [number, number] {
  const pair = typeof factors === 'number' ? [factors, factors] : factors;
  if (!Array.isArray(pair) || pair.length !== 2 || !pair.every((f) => Number.isInteger(f) && f >= 1)) {
    throw new Error(`${who}: factors must be a positive integer or a pair [fh, fw] of them, got ${JSON.stringify(factors)}`);
  }
  return [pair[0] as number, pair[1] as number];
}

/**
 * `kron(x, ones(fh, fw))` over the last two axes of an N-D `x` (N >= 2): every element becomes
 * an `fh x fw` block, so `[..., H, W]` becomes `[..., H * fh, W * fw]`. This is the mean-pooling
 * backprop of the lecture (divide by `fh * fw` for the mean). Keeps `x`'s dtype; `factors` may
 * be one number for both axes.
 */
export function upsample(x: TensorLike, factors: number | readonly [number, number]): Tensor {
  const who = 'upsample';
  const t = asTensor(x, who, 'x');
  if (t.shape.length < 2) {
    throw new Error(`${who}: x must have at least 2 axes (upsampling acts on the last two), got shape ${shapeText(t.shape)}`);
  }
  const [fh, fw] = checkFactors(factors, who);
  const shape = [...t.shape];
  const h = shape.at(-2)!;
  const w = shape.at(-1)!;
  const planes = t.size / (h * w) || 0;
  const outW = w * fw;
  shape[shape.length - 2] = h * fh;
  shape[shape.length - 1] = outW;
  const out = allocate(who, 'output', shape, dtypeOf(t));
  const src = dense(t).data;
  let o = 0;
  for (let p = 0; p < planes; p++) {
    for (let i = 0; i < h; i++) {
      const row = (p * h + i) * w;
      const first = o;
      for (let j = 0; j < w; j++) {
        const v = src[row + j]!;
        for (let c = 0; c < fw; c++) out[o++] = v;
      }
      // The other fh - 1 rows of the block row repeat the first.
      for (let r = 1; r < fh; r++) {
        out.copyWithin(o, first, first + outW);
        o += outW;
      }
    }
  }
  return fromDense(out, shape);
}
