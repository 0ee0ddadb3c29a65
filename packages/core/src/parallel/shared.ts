import type { Dtype, FloatArray } from '../tensor.js';
import { checkAllocation } from '../limits.js';

/*
 * Memory that worker threads see: typed arrays over a SharedArrayBuffer. A threaded kernel hands
 * its operands to the workers as such views, so nothing is copied between threads. Callers that
 * keep their tensors in shared memory (allocated here) pay no staging copy at all; any other array
 * is staged through a grow-only shared work buffer per slot.
 */

/** A page that is not cross-origin isolated has no SharedArrayBuffer: its pools have one thread, so plain memory does. */
const HAS_SHARED_MEMORY = typeof SharedArrayBuffer === 'function';

function sharedBuffer(bytes: number): ArrayBufferLike {
  return HAS_SHARED_MEMORY ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes);
}

export function sharedFloat32Array(length: number): Float32Array {
  return new Float32Array(sharedBuffer(length * Float32Array.BYTES_PER_ELEMENT));
}

export function sharedFloat64Array(length: number): Float64Array {
  return new Float64Array(sharedBuffer(length * Float64Array.BYTES_PER_ELEMENT));
}

export function sharedInt32Array(length: number): Int32Array {
  return new Int32Array(sharedBuffer(length * Int32Array.BYTES_PER_ELEMENT));
}

/** A zeroed Float32Array or Float64Array of `length` elements in shared memory. */
export function sharedArrayFor(dtype: Dtype, length: number): FloatArray {
  return dtype === 'float32' ? sharedFloat32Array(length) : sharedFloat64Array(length);
}

/** True when `x` is a view of a SharedArrayBuffer, i.e. workers can read and write it in place. */
export function isShared(x: ArrayBufferView): boolean {
  return HAS_SHARED_MEMORY && x.buffer instanceof SharedArrayBuffer;
}

const staging = new Map<string, FloatArray>();

/**
 * Staging slots name roles, not kernels: a threaded call owns the slots it stages into only until
 * it returns, so every kernel shares these few and memory holds one buffer per role and dtype
 * (sized by the largest operand seen), not one per kernel.
 */
export const SLOTS = { out: 'out', in1: 'in1', in2: 'in2', in3: 'in3', sums: 'sums' } as const;

/**
 * A shared work buffer of at least `length` elements for `slot`, grown (never shrunk) as needed so
 * that a training loop allocates nothing after its first step. Contents are valid until the next
 * call with the same slot.
 */
export function sharedScratch(dtype: Dtype, slot: string, length: number): FloatArray {
  const key = `${dtype}:${slot}`;
  const have = staging.get(key);
  if (have && have.length >= length) return have;
  checkAllocation(slot, 'shared work buffer', [length], dtype);
  const fresh = sharedArrayFor(dtype, Math.max(length, have ? Math.ceil(have.length * 1.5) : 0));
  staging.set(key, fresh);
  return fresh;
}

/**
 * `x` itself when it is shared, else a shared copy of its first `length` elements (`copy` false
 * skips the copy, for pure outputs). Write an output back with `unstage`.
 */
export function stage<T extends FloatArray>(x: T, slot: string, length: number, copy = true): T {
  if (isShared(x)) return x;
  const dtype: Dtype = x instanceof Float32Array ? 'float32' : 'float64';
  const buffer = sharedScratch(dtype, slot, length) as T;
  if (copy) buffer.set(length === x.length ? x : x.subarray(0, length));
  return buffer;
}

/** Copies the first `length` elements of a staged output back into the caller's array (no-op when not staged). */
export function unstage(target: FloatArray, staged: FloatArray, length: number): void {
  if (staged !== target) target.set(staged.subarray(0, length));
}

/** Drops the shared work buffers (their memory goes back to the garbage collector). */
export function releaseSharedScratch(): void {
  staging.clear();
}
