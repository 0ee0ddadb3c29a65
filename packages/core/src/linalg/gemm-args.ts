import type { FloatArray } from '../tensor.js';
import { optionsObject } from '../options.js';
import { simdEnabled } from '../wasm/simd-setting.js';

/**
 * `C = alpha * op(A) * op(B) + beta * C` on flat row-major buffers, BLAS style: op(A) is m x k,
 * op(B) is k x n, C is m x n. `transA` means A is stored k x m (op(A) = A^T), likewise `transB`.
 */
export interface GemmOptions {
  transA?: boolean;
  transB?: boolean;
  /** Scales op(A) * op(B) (default 1). */
  alpha?: number;
  /** Scales the old C (default 0: C is overwritten and its old contents, NaN included, ignored). */
  beta?: number;
  /** Leading dimensions: the distance between consecutive stored rows (default: the stored row length). */
  lda?: number;
  ldb?: number;
  ldc?: number;
  /** Index of element [0, 0] in each buffer (default 0). */
  offsetA?: number;
  offsetB?: number;
  offsetC?: number;
  /**
   * For Float32Array A and B (C either dtype): true runs the WebAssembly SIMD micro-kernel, which
   * sums in float32 (where the runtime has it), false the pure-JavaScript one, which sums in
   * doubles (default: `simdEnabled()`). Float64 operands always take the pure-JavaScript path.
   */
  simd?: boolean;
}

/** Validated GEMM arguments with every default filled in. */
export interface GemmArgs {
  m: number;
  n: number;
  k: number;
  transA: boolean;
  transB: boolean;
  alpha: number;
  beta: number;
  lda: number;
  ldb: number;
  ldc: number;
  offsetA: number;
  offsetB: number;
  offsetC: number;
  simd: boolean;
}

function checkCount(who: string, name: string, value: number): void {
  if (!Number.isInteger(value) || value < 0) {
    throw new Error(`${who}: ${name} must be a non-negative integer, got ${value}`);
  }
}

/** Checks that a stored rows x cols matrix at `offset` with leading dimension `ld` lies inside `data`. */
function checkOperand(
  who: string,
  name: string,
  data: FloatArray,
  rows: number,
  cols: number,
  ld: number,
  offset: number,
): void {
  if (!(data instanceof Float32Array || data instanceof Float64Array)) {
    throw new Error(`${who}: ${name} must be a Float32Array or Float64Array`);
  }
  checkCount(who, `offset${name}`, offset);
  if (!Number.isInteger(ld) || ld < Math.max(1, cols)) {
    throw new Error(`${who}: ld${name} ${ld} must be an integer >= ${Math.max(1, cols)} (the stored row length of ${name}, ${rows}x${cols})`);
  }
  if (rows === 0 || cols === 0) return;
  const last = offset + (rows - 1) * ld + cols - 1;
  if (last >= data.length) {
    throw new Error(
      `${who}: ${name} holds ${data.length} elements, but a ${rows}x${cols} matrix at offset ${offset} with ld${name} ${ld} needs ${last + 1}`,
    );
  }
}

export function gemmArgs(
  who: string,
  c: FloatArray,
  a: FloatArray,
  b: FloatArray,
  m: number,
  n: number,
  k: number,
  optionsIn: GemmOptions | null | undefined,
): GemmArgs {
  const options = optionsObject(optionsIn, who);
  checkCount(who, 'm', m);
  checkCount(who, 'n', n);
  checkCount(who, 'k', k);
  const transA = options.transA ?? false;
  const transB = options.transB ?? false;
  const alpha = options.alpha ?? 1;
  const beta = options.beta ?? 0;
  const simd = options.simd ?? simdEnabled();
  if (typeof simd !== 'boolean') throw new Error(`${who}: simd must be true or false, got ${JSON.stringify(simd)}`);
  if (typeof alpha !== 'number' || typeof beta !== 'number') {
    throw new Error(`${who}: alpha and beta must be numbers, got ${alpha} and ${beta}`);
  }
  // Stored shapes: A is m x k (k x m when transposed), B is k x n (n x k when transposed).
  const [aRows, aCols] = transA ? [k, m] : [m, k];
  const [bRows, bCols] = transB ? [n, k] : [k, n];
  const args: GemmArgs = {
    m,
    n,
    k,
    transA,
    transB,
    alpha,
    beta,
    lda: options.lda ?? Math.max(1, aCols),
    ldb: options.ldb ?? Math.max(1, bCols),
    ldc: options.ldc ?? Math.max(1, n),
    offsetA: options.offsetA ?? 0,
    offsetB: options.offsetB ?? 0,
    offsetC: options.offsetC ?? 0,
    simd,
  };
  checkOperand(who, 'A', a, aRows, aCols, args.lda, args.offsetA);
  checkOperand(who, 'B', b, bRows, bCols, args.ldb, args.offsetB);
  checkOperand(who, 'C', c, m, n, args.ldc, args.offsetC);
  return args;
}
