import { FunctionBuilder, encodeModule } from './module.js';
import { SimdOp } from './opcodes.js';
import { wasmApi } from './runtime.js';

/*
 * What this runtime's WebAssembly can do, found the portable way: by validating a tiny module that
 * uses the feature (WebAssembly is a global in Node and in browsers alike). Each answer is computed
 * once per thread.
 */

const PROBE_MEMORY = { module: 'env', name: 'memory', minPages: 1 };

/** A module whose one function loads, combines with `combine` and stores a v128. */
function probe(operands: number, combine: (f: FunctionBuilder) => void): Uint8Array {
  const f = new FunctionBuilder('probe', []);
  f.i32(0);
  for (let i = 0; i < operands; i++) f.i32(0).v128Load();
  combine(f);
  f.v128Store();
  return encodeModule(PROBE_MEMORY, [f]);
}

function validates(bytes: Uint8Array): boolean {
  try {
    return wasmApi !== undefined && wasmApi.validate(bytes);
  } catch {
    return false;
  }
}

let simd: boolean | undefined;
let relaxed: boolean | undefined;

/** Whether WebAssembly with fixed-width SIMD (v128, f32x4) is available. */
export function wasmSimdSupported(): boolean {
  simd ??= validates(probe(2, (f) => f.simd(SimdOp.f32x4_mul)));
  return simd;
}

/** Whether relaxed SIMD's f32x4.relaxed_madd (a fused multiply-add where the hardware has one) is available. */
export function wasmRelaxedSimdSupported(): boolean {
  relaxed ??= wasmSimdSupported() && validates(probe(3, (f) => f.simd(SimdOp.f32x4_relaxed_madd)));
  return relaxed;
}
