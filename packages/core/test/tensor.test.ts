import { describe, expect, it } from 'vitest';
import { tensor, toNested, zeros, dense } from '@convlab/core';

describe('tensor', () => {
  it('round-trips nested arrays as float64 by default', () => {
    const f = tensor([[1, 2, 3], [4, 5, 6], [7, 8, 9]]);
    expect(f.data).toBeInstanceOf(Float64Array);
    expect(f.shape).toEqual([3, 3]);
    expect(toNested(f)).toEqual([[1, 2, 3], [4, 5, 6], [7, 8, 9]]);
  });

  it('builds float32 tensors and zeros of a shape', () => {
    const x = zeros([2, 1, 3, 3], 'float32');
    expect(x.data).toBeInstanceOf(Float32Array);
    expect(x.data.length).toBe(18);
    expect(tensor([0.5, 1.5], 'float32').data).toEqual(new Float32Array([0.5, 1.5]));
  });

  it('wraps a typed array with a shape without copying', () => {
    const buf = new Float64Array([1, 2, 3, 4, 5, 6]);
    const t = tensor(buf, [2, 3]);
    expect(t.data).toBe(buf);
    expect(toNested(t)).toEqual([[1, 2, 3], [4, 5, 6]]);
  });

  it('gathers non-contiguous views in row-major order', () => {
    const t = tensor([[1, 2, 3], [4, 5, 6]]);
    expect(toNested(t.transpose(1, 0))).toEqual([[1, 4], [2, 5], [3, 6]]);
    expect(toNested(t.pick(null, 1))).toEqual([2, 5]);
    expect(toNested(t.hi(2, 3).lo(0, 1))).toEqual([[2, 3], [5, 6]]);
    expect(Array.from(dense(t.step(1, -1)).data)).toEqual([3, 2, 1, 6, 5, 4]);
  });

  it('rejects ragged arrays, non-numbers and mismatched shapes with a message naming the problem', () => {
    expect(() => tensor([[1, 2], [3]])).toThrow(/ragged nested array: element \[1\] has length 1, expected length 2/);
    expect(() => tensor([[1, 2], 3] as never)).toThrow(/ragged/);
    expect(() => tensor([1, 'a'] as never)).toThrow(/element \[1\] is string, expected a number/);
    expect(() => tensor(new Float64Array(5), [2, 3])).toThrow(/holds 6 elements but the array has 5/);
    expect(() => zeros([2, -1])).toThrow(/non-negative integers/);
  });
});
