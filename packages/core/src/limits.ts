import type { Dtype, FloatArray } from './dtype.js';

/**
 * The largest single buffer an operation allocates. Every op computes its output (and work
 * buffer) size first and checks it here, so a mistaken shape fails at once with a line that names
 * the op, the shape and the bytes, instead of V8's "Array buffer allocation failed" or a real
 * multi-gigabyte allocation. 2 GiB by default (V8 on 64-bit allows 4 GiB per typed array).
 */
export const DEFAULT_MAX_BUFFER_BYTES = 2 ** 31;

/** The most elements V8 (Node 20, 64-bit) lets one typed array hold, whatever the limit in bytes. */
export const MAX_TYPED_ARRAY_LENGTH = 2 ** 32;

let maxBufferBytes = DEFAULT_MAX_BUFFER_BYTES;

/** The current per-buffer limit in bytes. */
export function getMaxBufferBytes(): number {
  return maxBufferBytes;
}

/** Sets the per-buffer limit, a positive integer of bytes (raise it to work with larger tensors). */
export function setMaxBufferBytes(bytes: number): void {
  if (typeof bytes !== 'number' || !Number.isSafeInteger(bytes) || bytes < 1) {
    throw new RangeError(`setMaxBufferBytes: bytes must be a positive integer, got ${JSON.stringify(bytes)}`);
  }
  maxBufferBytes = bytes;
}

const BYTES_PER_ELEMENT: Record<Dtype, number> = { float32: 4, float64: 8 };

/** Bytes as people read them: `12.8 GB`, `640 MB`, `12 kB` (decimal units). */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'kB', 'MB', 'GB', 'TB', 'PB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  if (unit === 0) return `${bytes} bytes`;
  return `${value >= 100 ? value.toFixed(0) : value.toPrecision(3)} ${units[unit]}`;
}

/**
 * Throws a one-line RangeError when a buffer of `shape` elements of `dtype` (or of
 * `bytesPerElement` bytes each) would pass the limit: `conv2d: output [1000000, 50, 8, 8] float32
 * needs 12.8 GB, over the 2.15 GB limit of one buffer`. `what` says which buffer it is.
 */
export function checkAllocation(who: string, what: string, shape: readonly number[], dtype: Dtype | 'complex128' | 'int32'): void {
  const per = dtype === 'complex128' ? 16 : dtype === 'int32' ? 4 : BYTES_PER_ELEMENT[dtype];
  let length = 1;
  for (const d of shape) length *= d;
  const bytes = length * per;
  if (bytes <= maxBufferBytes && length <= MAX_TYPED_ARRAY_LENGTH) return;
  const limit = bytes > maxBufferBytes ? `the ${formatBytes(maxBufferBytes)} limit of one buffer (setMaxBufferBytes)` : `the ${MAX_TYPED_ARRAY_LENGTH} elements a typed array can hold`;
  throw new RangeError(`${who}: ${what} [${shape.join(', ')}] ${dtype} needs ${formatBytes(bytes)}, over ${limit}`);
}

/** A zeroed typed array for `shape`, after `checkAllocation`. */
export function allocate(who: string, what: string, shape: readonly number[], dtype: Dtype): FloatArray {
  checkAllocation(who, what, shape, dtype);
  const length = shape.reduce((n, d) => n * d, 1);
  return dtype === 'float32' ? new Float32Array(length) : new Float64Array(length);
}
