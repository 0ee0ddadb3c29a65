import type { FloatArray } from '../tensor.js';
import { gemmArgs, type GemmOptions } from './gemm-args.js';
import { packPanels, writeScaled } from './gemm-pack.js';
import { gemmSimdInto } from './gemm-simd.js';
import { simdGemmKernel } from '../wasm/gemm-kernel.js';

/*
 * A cache-blocked GEMM in the GotoBLAS / BLIS arrangement, in plain scalar JavaScript:
 *
 *   for each NC-wide column block of C
 *     for each KC-deep slice of the inner dimension: pack op(B)'s KC x NC block into NR-wide panels
 *       for each MC-tall row block: pack op(A)'s MC x KC block into MR-tall panels
 *         for each MR x NR tile of C: the micro-kernel, MR * NR accumulators in local variables
 *
 * Packing copies the operands once per block into contiguous Float64Arrays laid out in exactly the
 * order the micro-kernel reads them, so the kernel is one monomorphic, unit-stride loop whatever the
 * input dtype, transposition or leading dimension, and the products accumulate in doubles. Tiles
 * past the matrix edge are zero-padded in the packs and cropped when written back.
 *
 * The packs are fixed-size module constants, allocated once (2.3 MB of address space per thread;
 * the operating system commits the pages on first use) and never per call. Being constants lets
 * V8 fold their base and length into the compiled micro-kernel, which measured about 15% faster
 * than passing grow-on-demand buffers in (benchmarks/gemm-conv2d).
 *
 * A float32 C is rounded once per KC-deep slice (once in all when k <= KC).
 *
 * When A and B are Float32Array and SIMD is on (`simd` option, else `setSimd` / CONVLAB_SIMD,
 * else wherever the runtime has WebAssembly SIMD), the same blocking runs with a WebAssembly f32x4
 * micro-kernel instead (gemm-simd.ts): the products of a KC-deep slice then accumulate in float32,
 * and are added into C (float32, or float64 for the kernels that gather sums in doubles) per slice.
 */

/** Rows and columns of the register tile. 4 x 4 measured fastest here (see docs/conv2d.md). */
const MR = 4;
const NR = 4;
/**
 * Depth of a slice of the inner dimension: an MR x KC panel of A and a KC x NR panel of B (16 KiB each) stay in L1.
 * Exported for kernels that reproduce the GEMM's sums without calling it (conv/implicit-im2col.ts).
 */
export const KC = 512;
/** Rows of A packed at once (64 x 512 doubles = 256 KiB, for L2). */
const MC = 64;
/** Columns of B packed at once (512 x 512 doubles = 2 MiB, for L2/L3). */
const NC = 512;

const packedA = new Float64Array(MC * KC);
const packedB = new Float64Array(KC * NC);
const tile = new Float64Array(MR * NR);

/**
 * `C = alpha * op(A) * op(B) + beta * C` into the caller's `c` (returned). op(A) is m x k, op(B) is
 * k x n, all row-major with leading dimensions and offsets as in BLAS (see `GemmOptions`). Any mix
 * of Float32Array and Float64Array; the arithmetic is in doubles.
 */
export function gemmInto<C extends FloatArray>(
  c: C,
  a: FloatArray,
  b: FloatArray,
  m: number,
  n: number,
  k: number,
  options: GemmOptions | null = {},
): C {
  const g = gemmArgs('gemm', c, a, b, m, n, k, options);
  if (m === 0 || n === 0) return c;
  if (k === 0 || g.alpha === 0) {
    scaleMatrix(c, g.offsetC, g.ldc, m, n, g.beta);
    return c;
  }
  if (g.simd && a instanceof Float32Array && b instanceof Float32Array) {
    const kernel = simdGemmKernel();
    if (kernel) {
      gemmSimdInto(c, a, b, g, kernel);
      return c;
    }
  }
  // Element (i, p) of op(A) is a[offsetA + i * aRow + p * aCol]; element (p, j) of op(B) is b[offsetB + p * bRow + j * bCol].
  const aRow = g.transA ? 1 : g.lda;
  const aCol = g.transA ? g.lda : 1;
  const bRow = g.transB ? 1 : g.ldb;
  const bCol = g.transB ? g.ldb : 1;
  for (let jc = 0; jc < n; jc += NC) {
    const nc = Math.min(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = Math.min(KC, k - pc);
      packPanels(packedB, b, g.offsetB + pc * bRow + jc * bCol, bCol, bRow, nc, kc, NR);
      // The first slice applies beta to the old C; later slices add to what the first wrote.
      const beta = pc === 0 ? g.beta : 1;
      for (let ic = 0; ic < m; ic += MC) {
        const mc = Math.min(MC, m - ic);
        packPanels(packedA, a, g.offsetA + ic * aRow + pc * aCol, aRow, aCol, mc, kc, MR);
        for (let jr = 0; jr < nc; jr += NR) {
          const nr = Math.min(NR, nc - jr);
          for (let ir = 0; ir < mc; ir += MR) {
            microKernel4x4(kc, ir * kc, jr * kc);
            writeScaled(c, g.offsetC + (ic + ir) * g.ldc + jc + jr, g.ldc, Math.min(MR, mc - ir), nr, g.alpha, beta, tile, NR);
          }
        }
      }
    }
  }
  return c;
}

/**
 * tile = (the MR x kc panel of packedA at ao) * (the kc x NR panel of packedB at bo), row-major
 * 4 x 4. Sixteen accumulators in locals; each step loads 4 + 4 values and does 16 multiply-adds.
 */
function microKernel4x4(kc: number, ao: number, bo: number): void {
  const pa = packedA;
  const pb = packedB;
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
  let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
  let c30 = 0, c31 = 0, c32 = 0, c33 = 0;
  for (let p = 0; p < kc; p++) {
    const a0 = pa[ao]!, a1 = pa[ao + 1]!, a2 = pa[ao + 2]!, a3 = pa[ao + 3]!;
    const b0 = pb[bo]!, b1 = pb[bo + 1]!, b2 = pb[bo + 2]!, b3 = pb[bo + 3]!;
    c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
    c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
    c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
    c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
    ao += 4;
    bo += 4;
  }
  tile[0] = c00; tile[1] = c01; tile[2] = c02; tile[3] = c03;
  tile[4] = c10; tile[5] = c11; tile[6] = c12; tile[7] = c13;
  tile[8] = c20; tile[9] = c21; tile[10] = c22; tile[11] = c23;
  tile[12] = c30; tile[13] = c31; tile[14] = c32; tile[15] = c33;
}

/** C = beta * C over an m x n block (beta 0 writes zeros, as BLAS does when k is 0). */
function scaleMatrix(c: FloatArray, start: number, ldc: number, m: number, n: number, beta: number): void {
  if (beta === 1) return;
  for (let i = 0; i < m; i++) {
    const row = start + i * ldc;
    for (let j = 0; j < n; j++) c[row + j] = beta === 0 ? 0 : beta * c[row + j]!;
  }
}
