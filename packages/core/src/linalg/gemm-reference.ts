import type { FloatArray } from '../tensor.js';
import { gemmArgs, type GemmOptions } from './gemm-args.js';

/**
 * The textbook triple loop for `C = alpha * op(A) * op(B) + beta * C`, with the same arguments as
 * `gemmInto`. Slow and obviously right: the oracle the blocked GEMM is tested against.
 */
export function gemmReferenceInto<C extends FloatArray>(
  c: C,
  a: FloatArray,
  b: FloatArray,
  m: number,
  n: number,
  k: number,
  options: GemmOptions | null = {},
): C {
  const g = gemmArgs('gemmReference', c, a, b, m, n, k, options);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let p = 0; p < k; p++) {
        const av = g.transA ? a[g.offsetA + p * g.lda + i]! : a[g.offsetA + i * g.lda + p]!;
        const bv = g.transB ? b[g.offsetB + j * g.ldb + p]! : b[g.offsetB + p * g.ldb + j]!;
        sum += av * bv;
      }
      const at = g.offsetC + i * g.ldc + j;
      c[at] = g.beta === 0 ? g.alpha * sum : g.beta * c[at]! + g.alpha * sum;
    }
  }
  return c;
}
