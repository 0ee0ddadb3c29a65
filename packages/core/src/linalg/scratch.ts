import type { Dtype, FloatArray } from '../tensor.js';
import { checkAllocation, getMaxBufferBytes } from '../limits.js';

/**
 * Grow-only work buffers shared by the kernels, one per (dtype, slot) pair, so that repeated calls
 * (a training loop) allocate nothing. A slot's contents are valid only until the next call that
 * uses the same slot; each kernel uses its own slot names, and no kernel holds a slot across a
 * call to another kernel that uses the same name.
 */
const buffers = new Map<string, FloatArray>();
const indexBuffers = new Map<string, Int32Array>();

export function scratch(dtype: 'float64', slot: string, length: number): Float64Array;
export function scratch(dtype: 'float32', slot: string, length: number): Float32Array;
export function scratch(dtype: Dtype, slot: string, length: number): FloatArray;
export function scratch(dtype: Dtype, slot: string, length: number): FloatArray {
  const key = `${dtype}:${slot}`;
  const have = buffers.get(key);
  if (have && have.length >= length) return have;
  checkAllocation(slot, 'work buffer', [length], dtype);
  // Grow by at least half again so a slowly growing size does not reallocate every call (within the limit).
  const most = Math.floor(getMaxBufferBytes() / (dtype === 'float32' ? 4 : 8));
  const size = Math.max(length, Math.min(most, have ? Math.ceil(have.length * 1.5) : 0));
  const fresh = dtype === 'float32' ? new Float32Array(size) : new Float64Array(size);
  buffers.set(key, fresh);
  return fresh;
}

/** Drops every cached work buffer (their memory goes back to the garbage collector). */
export function releaseScratch(): void {
  buffers.clear();
  indexBuffers.clear();
}

/** A grow-only Int32Array work buffer (offset tables), by slot, with the same rules as `scratch`. */
export function scratchInt32(slot: string, length: number): Int32Array {
  const have = indexBuffers.get(slot);
  if (have && have.length >= length) return have;
  checkAllocation(slot, 'work buffer', [length], 'int32');
  const fresh = new Int32Array(Math.max(length, have ? Math.ceil(have.length * 1.5) : 0));
  indexBuffers.set(slot, fresh);
  return fresh;
}
