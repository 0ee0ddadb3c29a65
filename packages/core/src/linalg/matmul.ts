import ndarray from 'ndarray';
import { checkTensor, dense, resultDtype, type FloatArray, type Tensor } from '../tensor.js';
import { allocate } from '../limits.js';
import { gemmInto } from './gemm.js';

/** A 2-D tensor as a GEMM operand: its buffer, offset, leading dimension and whether it is stored transposed. */
interface MatrixOperand {
  data: FloatArray;
  offset: number;
  ld: number;
  trans: boolean;
}

/**
 * Reads a rows x cols tensor without copying when its strides allow: unit column stride is a
 * row-major matrix, unit row stride a transposed one (a `.transpose(1, 0)` view). Anything else
 * (negative or non-unit steps) is gathered into a contiguous copy.
 */
function operand(x: Tensor): MatrixOperand {
  const [rows, cols] = x.shape as [number, number];
  const [rowStride, colStride] = x.stride as [number, number];
  if ((colStride === 1 || cols <= 1) && (rows <= 1 || rowStride >= Math.max(1, cols))) {
    return { data: x.data, offset: x.offset, ld: rows <= 1 ? Math.max(1, cols) : rowStride, trans: false };
  }
  if ((rowStride === 1 || rows <= 1) && (cols <= 1 || colStride >= Math.max(1, rows))) {
    return { data: x.data, offset: x.offset, ld: cols <= 1 ? Math.max(1, rows) : colStride, trans: true };
  }
  return { data: dense(x).data, offset: 0, ld: Math.max(1, cols), trans: false };
}

/**
 * The matrix product of 2-D tensors `a` [m, k] and `b` [k, n] -> [m, n] (numpy's `a @ b`),
 * float32 when both are float32. Transposed and sliced views are read in place.
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  checkTensor(a, 'matmul', 'a', [2]);
  checkTensor(b, 'matmul', 'b', [2]);
  const [m, k] = a.shape as [number, number];
  const [kb, n] = b.shape as [number, number];
  if (k !== kb) {
    throw new Error(`matmul: inner dimensions differ: a is [${m}, ${k}] and b is [${kb}, ${n}] (${k} != ${kb})`);
  }
  const out = allocate('matmul', 'output', [m, n], resultDtype(a, b));
  const A = operand(a);
  const B = operand(b);
  gemmInto(out, A.data, B.data, m, n, k, {
    transA: A.trans,
    transB: B.trans,
    lda: A.ld,
    ldb: B.ld,
    offsetA: A.offset,
    offsetB: B.offset,
  });
  return ndarray(out, [m, n]);
}
