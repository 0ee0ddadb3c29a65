import type { FloatArray } from '../tensor.js';
import type { GemmArgs } from './gemm-args.js';
import { packPanels, writeScaled } from './gemm-pack.js';
import { SIMD_KC, SIMD_MC, SIMD_MR, SIMD_NC, SIMD_NR, type SimdGemmKernel } from '../wasm/gemm-kernel.js';

/*
 * The blocked GEMM of float32 operands on the WebAssembly SIMD micro-kernel (wasm/gemm-kernel.ts): the loop
 * nest of gemm.ts, with the packs in the kernel's memory instead of Float64Arrays. Packing is the
 * only copy of A and B, as on the scalar path (it was there anyway, to lay the panels out in the
 * order the kernel reads them); the kernel writes a whole MC x NC block of products into its
 * memory, which is scaled into C, as the scalar path's tiles are, once per KC-deep slice.
 */

export function gemmSimdInto(c: FloatArray, a: Float32Array, b: Float32Array, g: GemmArgs, kernel: SimdGemmKernel): void {
  const { m, n, k } = g;
  const aRow = g.transA ? 1 : g.lda;
  const aCol = g.transA ? g.lda : 1;
  const bRow = g.transB ? 1 : g.ldb;
  const bCol = g.transB ? g.ldb : 1;
  for (let jc = 0; jc < n; jc += SIMD_NC) {
    const nc = Math.min(SIMD_NC, n - jc);
    for (let pc = 0; pc < k; pc += SIMD_KC) {
      const kc = Math.min(SIMD_KC, k - pc);
      packPanels(kernel.packedB, b, g.offsetB + pc * bRow + jc * bCol, bCol, bRow, nc, kc, SIMD_NR);
      const beta = pc === 0 ? g.beta : 1;
      for (let ic = 0; ic < m; ic += SIMD_MC) {
        const mc = Math.min(SIMD_MC, m - ic);
        packPanels(kernel.packedA, a, g.offsetA + ic * aRow + pc * aCol, aRow, aCol, mc, kc, SIMD_MR);
        kernel.run(kc, Math.ceil(mc / SIMD_MR), Math.ceil(nc / SIMD_NR));
        writeScaled(c, g.offsetC + ic * g.ldc + jc, g.ldc, mc, nc, g.alpha, beta, kernel.block, SIMD_NC);
      }
    }
  }
}
