import ndarray from 'ndarray';
import { afterEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_MAX_BUFFER_BYTES,
  conv2d,
  conv2dGradInput,
  conv2dGradWeight,
  convolve,
  convolve2d,
  correlate,
  dense,
  formatBytes,
  getMaxBufferBytes,
  kron,
  matmul,
  scratch,
  setMaxBufferBytes,
  tensor,
  upsample,
  zeros,
} from '@convlab/core';
import type { Tensor } from '@convlab/core';

/*
 * Every op sizes its output (and work buffers) before allocating and refuses, in one line naming
 * the op, the shape and the bytes, what passes the per-buffer limit. The operands here are
 * broadcast views (stride 0 over one element), so a "huge" input costs nothing to make.
 */

/** A tensor of `shape` that holds one float32 element: every index reads it. */
function broadcast(shape: number[], dtype: 'float32' | 'float64' = 'float32'): Tensor {
  const data = dtype === 'float32' ? new Float32Array(1) : new Float64Array(1);
  return ndarray(data, shape, shape.map(() => 0), 0);
}

afterEach(() => setMaxBufferBytes(DEFAULT_MAX_BUFFER_BYTES));

describe('the per-buffer limit', () => {
  it('is 2 GiB by default and settable; a bad value is refused', () => {
    expect(getMaxBufferBytes()).toBe(2 ** 31);
    setMaxBufferBytes(1000);
    expect(getMaxBufferBytes()).toBe(1000);
    expect(() => setMaxBufferBytes(0)).toThrow('setMaxBufferBytes: bytes must be a positive integer, got 0');
    expect(() => setMaxBufferBytes(1.5)).toThrow('setMaxBufferBytes: bytes must be a positive integer, got 1.5');
  });

  it('formats bytes as people read them', () => {
    expect(formatBytes(999)).toBe('999 bytes');
    expect(formatBytes(12_800_000_000)).toBe('12.8 GB');
    expect(formatBytes(2 ** 31)).toBe('2.15 GB');
    expect(formatBytes(640_000_000)).toBe('640 MB');
  });
});

describe('ops refuse an output past the limit, at once, naming op, shape and bytes', () => {
  const over = (what: string) => new RegExp(`^${what.replace(/[[\]]/g, '\\$&')} needs [\\d.]+ [kMGTP]?B, over the 2.15 GB limit of one buffer \\(setMaxBufferBytes\\)$`);

  it("conv2d: the issue's example", () => {
    const call = () => conv2d(broadcast([1_000_000, 3, 12, 12]), broadcast([50, 3, 5, 5]));
    expect(call).toThrow(RangeError);
    expect(call).toThrow('conv2d: output [1000000, 50, 8, 8] float32 needs 12.8 GB, over the 2.15 GB limit of one buffer (setMaxBufferBytes)');
  });

  it.each<[string, () => unknown, RegExp]>([
    ['conv2dGradInput', () => conv2dGradInput(broadcast([1_000_000, 50, 8, 8]), broadcast([50, 30, 5, 5]), [1_000_000, 30, 12, 12]), over('conv2dGradInput: dL/dx [1000000, 30, 12, 12] float32')],
    ['conv2dGradWeight', () => conv2dGradWeight(broadcast([1, 1, 60_000, 60_000]), broadcast([1, 1, 30_000, 30_000]), [1, 1, 30_001, 30_001]), over('conv2dGradWeight: dL/dw [1, 1, 30001, 30001] float32')],
    ['kron', () => kron(broadcast([1000, 1000], 'float64'), broadcast([1000, 1000], 'float64')), over('kron: output [1000000, 1000000] float64')],
    ['upsample', () => upsample(broadcast([100, 100, 100]), [100, 100]), over('upsample: output [100, 10000, 10000] float32')],
    ['convolve', () => convolve(broadcast([40_000, 40_000]), broadcast([3, 3])), over('convolve: output [40002, 40002] float32')],
    ['correlate', () => correlate(broadcast([40_000, 40_000]), broadcast([3, 3])), over('correlate: output [40002, 40002] float32')],
    ['convolve2d', () => convolve2d(broadcast([40_000, 40_000], 'float64'), broadcast([3, 3], 'float64')), over('convolve2d: output [40002, 40002] float64')],
    ['convolve2d with a fill value', () => convolve2d(broadcast([40_000, 40_000], 'float64'), broadcast([3, 3], 'float64'), 'full', 'fill', 1), over('convolve2d: sums [40002, 40002] float64')],
    ['zeros', () => zeros([100_000, 100_000]), over('zeros: shape [100000, 100000] float64')],
    ['matmul', () => matmul(broadcast([100_000, 1]), broadcast([1, 100_000])), over('matmul: output [100000, 100000] float32')],
    ['dense of a view', () => dense(broadcast([100_000, 100_000])), over('dense: copy of a view [100000, 100000] float32')],
    ['a work buffer', () => scratch('float64', 'test:huge', 2 ** 30), over('test:huge: work buffer [1073741824] float64')],
  ])('%s', (_name, call, message) => {
    expect(call).toThrow(RangeError);
    expect(call).toThrow(message);
  });

  it('names the typed-array length limit when that is the one passed', () => {
    setMaxBufferBytes(2 ** 40);
    expect(() => zeros([2 ** 17, 2 ** 16], 'float32')).toThrow('zeros: shape [131072, 65536] float32 needs 34.4 GB, over the 4294967296 elements a typed array can hold');
  });

  it('a lowered limit applies to every op, and what fits is computed as before', () => {
    setMaxBufferBytes(64);
    expect(() => tensor([[1, 2, 3], [4, 5, 6], [7, 8, 9]])).toThrow('tensor: shape [3, 3] float64 needs 72 bytes, over the 64 bytes limit of one buffer (setMaxBufferBytes)');
    expect(Array.from(convolve([1, 2, 3, 4, 5], [1, 2, 3]).data)).toEqual([1, 4, 10, 16, 22, 22, 15]);
  });
});
