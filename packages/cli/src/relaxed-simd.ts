import { setFlagsFromString } from 'node:v8';

/*
 * Relaxed SIMD (f32x4.relaxed_madd: a fused multiply-add where the CPU has FMA) is finished in
 * Node 20's V8 but ships enabled only from V8 11.4 (Node 22). The flag must be set before the first
 * WebAssembly module is compiled; V8 flags are process-wide, so the worker threads get it too.
 * Where the runtime already has relaxed SIMD this changes nothing.
 */
export function enableRelaxedSimd(): void {
  setFlagsFromString('--experimental-wasm-relaxed-simd');
}
