import { wasmSimdSupported } from './support.js';

/*
 * Whether float32 kernels use their WebAssembly SIMD versions: `setSimd(false)` (any runtime) or
 * the environment variable CONVLAB_SIMD=0 (where there is one) selects the pure-JavaScript kernels;
 * the default is SIMD wherever the runtime validates it. A threaded call passes the calling
 * thread's choice to its workers with each task, so every part of a call takes the same path.
 */

let chosen: boolean | undefined;

function fromEnvironment(): boolean {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  const value = env?.['CONVLAB_SIMD'];
  if (value === undefined || value === '') return true;
  if (value === '0' || value === '1') return value === '1';
  throw new Error(`CONVLAB_SIMD must be 0 or 1, got ${JSON.stringify(value)}`);
}

/** Turns the SIMD kernels on or off for this thread (and the workers of its later threaded calls). */
export function setSimd(enabled: boolean): void {
  if (typeof enabled !== 'boolean') throw new Error(`setSimd: enabled must be true or false, got ${JSON.stringify(enabled)}`);
  chosen = enabled;
}

/** Whether the SIMD kernels are wanted (setSimd, else CONVLAB_SIMD, else yes), supported or not. */
export function simdRequested(): boolean {
  chosen ??= fromEnvironment();
  return chosen;
}

/** Whether float32 kernels run their SIMD versions here: requested and supported by the runtime. */
export function simdEnabled(): boolean {
  return simdRequested() && wasmSimdSupported();
}
