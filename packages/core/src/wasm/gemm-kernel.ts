import { FunctionBuilder, encodeModule } from './module.js';
import { SimdOp, ValType } from './opcodes.js';
import { wasmRelaxedSimdSupported, wasmSimdSupported } from './support.js';
import { PAGE_BYTES, wasmApi } from './runtime.js';

/*
 * The float32 micro-kernel of the blocked GEMM as a WebAssembly SIMD function, written byte by
 * byte here (no toolchain). Its memory is one per thread (each worker imports this module and
 * builds its own), laid out as three fixed regions the GEMM driver fills and reads:
 *
 *   packed A   MC x KC floats in MR-tall panels (for each depth index the panel's MR values)
 *   packed B   KC x NC floats in NR-wide panels (for each depth index the panel's NR values)
 *   C block    MC x NC floats, row-major, leading dimension NC: the kernel's products
 *
 * `block(kc, rowPanels, columnPanels)` multiplies every MR x KC panel of A by every KC x NR panel
 * of B, each MR x NR tile of products summed in f32x4 registers (MR rows x NR / 4 vectors: 8
 * accumulators, which with two B vectors and one broadcast A value fit the 16 vector registers of
 * x86-64 and ARM's 32), and stores the tiles into the C block. Every element of C is the sum of its
 * products in depth order whatever tile it lands in, so splitting C between threads changes no
 * bit. With relaxed SIMD each step is one f32x4.relaxed_madd (fused on hardware with FMA); without
 * it a multiply and an add.
 */

/** Rows (of A) and columns (of B) of a register tile. */
export const SIMD_MR = 4;
export const SIMD_NR = 8;
/** Depth of a slice: an MR x KC panel of A (4 KiB) and a KC x NR panel of B (8 KiB) stay in L1. */
export const SIMD_KC = 256;
/** Rows of A packed at once (128 KiB, for L2). */
export const SIMD_MC = 128;
/** Columns of B packed at once (512 KiB, for L2). */
export const SIMD_NC = 512;

const FLOAT = 4;
const A_BYTES = SIMD_MC * SIMD_KC * FLOAT;
const B_BYTES = SIMD_KC * SIMD_NC * FLOAT;
const C_BYTES = SIMD_MC * SIMD_NC * FLOAT;
const A_AT = 0;
const B_AT = A_AT + A_BYTES;
const C_AT = B_AT + B_BYTES;
const PAGES = Math.ceil((C_AT + C_BYTES) / PAGE_BYTES);

/** The function `block(kc, rowPanels, columnPanels)` over the fixed regions; `fused` uses relaxed_madd. */
function blockFunction(fused: boolean): FunctionBuilder {
  const f = new FunctionBuilder('block', [ValType.i32, ValType.i32, ValType.i32]);
  const [kc, rowPanels, columnPanels] = [0, 1, 2];
  const i32 = () => f.local(ValType.i32);
  const [j, i, p, aAt, bAt, bPanel, cTile, cColumn] = [i32(), i32(), i32(), i32(), i32(), i32(), i32(), i32()];
  const vectors = SIMD_NR / 4;
  const acc: number[][] = [];
  for (let r = 0; r < SIMD_MR; r++) acc.push(Array.from({ length: vectors }, () => f.local(ValType.v128)));
  const b = Array.from({ length: vectors }, () => f.local(ValType.v128));
  const a = f.local(ValType.v128);
  const rowBytes = SIMD_NC * FLOAT;

  f.i32(B_AT).set(bPanel).i32(C_AT).set(cColumn).i32(0).set(j);
  f.repeat(j, columnPanels, 1, () => {
    f.i32(A_AT).set(aAt).get(cColumn).set(cTile).i32(0).set(i);
    f.repeat(i, rowPanels, 1, () => {
      for (const row of acc) for (const v of row) f.v128Zero().set(v);
      f.get(bPanel).set(bAt).i32(0).set(p);
      f.repeat(p, kc, 1, () => {
        b.forEach((v, q) => f.get(bAt).v128Load(16 * q).set(v));
        for (let r = 0; r < SIMD_MR; r++) {
          f.get(aAt).f32Splat(FLOAT * r).set(a);
          b.forEach((v, q) => {
            const sum = acc[r]![q]!;
            if (fused) f.get(a).get(v).get(sum).simd(SimdOp.f32x4_relaxed_madd);
            else f.get(a).get(v).simd(SimdOp.f32x4_mul).get(sum).simd(SimdOp.f32x4_add);
            f.set(sum);
          });
        }
        f.increment(aAt, SIMD_MR * FLOAT).increment(bAt, SIMD_NR * FLOAT);
      });
      // aAt has walked onto the next A panel. Store the tile, then step down MR rows of the C block.
      acc.forEach((row, r) => row.forEach((v, q) => f.get(cTile).get(v).v128Store(r * rowBytes + 16 * q)));
      f.increment(cTile, SIMD_MR * rowBytes);
    });
    // bAt has walked onto the next B panel.
    f.get(bAt).set(bPanel).increment(cColumn, SIMD_NR * FLOAT);
  });
  return f;
}

/** A thread's GEMM kernel: the memory regions as Float32Array views and the block function. */
export interface SimdGemmKernel {
  packedA: Float32Array;
  packedB: Float32Array;
  /** The C block, leading dimension SIMD_NC. */
  block: Float32Array;
  run: (kc: number, rowPanels: number, columnPanels: number) => void;
  /** Whether the kernel uses relaxed SIMD's fused multiply-add. */
  fused: boolean;
}

/** The bytes of the kernel module (exported for tests and for the documentation's size figure). */
export function gemmKernelModule(fused: boolean): Uint8Array {
  return encodeModule({ module: 'env', name: 'memory', minPages: PAGES }, [blockFunction(fused)]);
}

let kernel: SimdGemmKernel | null | undefined;

/** This thread's kernel, built on first use; null where WebAssembly SIMD is missing. */
export function simdGemmKernel(): SimdGemmKernel | null {
  if (kernel !== undefined) return kernel;
  if (!wasmApi || !wasmSimdSupported()) return (kernel = null);
  const fused = wasmRelaxedSimdSupported();
  const memory = new wasmApi.Memory({ initial: PAGES, maximum: PAGES });
  const instance = new wasmApi.Instance(new wasmApi.Module(gemmKernelModule(fused)), { env: { memory } });
  const run = instance.exports['block'] as (kc: number, rowPanels: number, columnPanels: number) => void;
  kernel = {
    packedA: new Float32Array(memory.buffer, A_AT, A_BYTES / FLOAT),
    packedB: new Float32Array(memory.buffer, B_AT, B_BYTES / FLOAT),
    block: new Float32Array(memory.buffer, C_AT, C_BYTES / FLOAT),
    run,
    fused,
  };
  return kernel;
}
