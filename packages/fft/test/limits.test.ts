import ndarray from 'ndarray';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_MAX_BUFFER_BYTES, setMaxBufferBytes, tensor, toNested } from '@convlab/core';
import type { Tensor } from '@convlab/core';
import {
  DEFAULT_PLAN_CACHE_BYTES,
  clearPlanCache,
  fftConv2d,
  fftconvolve,
  planCacheStats,
  rfft2,
  setPlanCacheBytes,
} from '@convlab/fft';

/** A tensor of `shape` over one element (stride 0): a "huge" operand that costs nothing. */
function broadcast(shape: number[]): Tensor {
  return ndarray(new Float64Array(1), shape, shape.map(() => 0), 0);
}

afterEach(() => {
  setMaxBufferBytes(DEFAULT_MAX_BUFFER_BYTES);
  setPlanCacheBytes(DEFAULT_PLAN_CACHE_BYTES);
});

describe('FFT ops size their buffers before allocating', () => {
  const ramp = (shape: number[]) => tensor(Float64Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => i % 7), shape);

  it('fftconvolve refuses an output past the limit, naming the op, shape and bytes', () => {
    const a = ramp([300, 300]);
    setMaxBufferBytes(2 ** 20);
    expect(() => fftconvolve(a, a)).toThrow('fftconvolve: output [599, 599] float64 needs 2.87 MB, over the 1.05 MB limit of one buffer (setMaxBufferBytes)');
  });

  it("fftconvolve checks the padded FFT's spectra too, which are larger than the output", () => {
    // A 'valid' output of one element still transforms at the full padded size.
    const a = ramp([300, 300]);
    setMaxBufferBytes(2 ** 20);
    expect(() => fftconvolve(a, a, 'valid')).toThrow(/^fftconvolve: spectra of the padded 600x600 FFT \[2, 600, 301\] complex128 needs 5.78 MB, over the 1.05 MB limit/);
  });

  it('rfft2 and fftConv2d refuse sizes past the limit', () => {
    const x = ramp([300, 300]);
    const images = ramp([2, 1, 30, 30]);
    const w = ramp([4, 1, 3, 3]);
    setMaxBufferBytes(500_000);
    expect(() => rfft2(x)).toThrow('rfft2: spectrum [300, 151] complex128 needs 725 kB, over the 500 kB limit of one buffer (setMaxBufferBytes)');
    setMaxBufferBytes(10_000);
    expect(() => fftConv2d(images, w)).toThrow(/^spectralConv2d: input spectrum \[\d+\] float64 needs [\d.]+ kB, over the 10.0 kB limit/);
  });
});

describe('the plan cache', () => {
  it('keeps plans within its budget in bytes, least recently used out first, and still computes right', () => {
    clearPlanCache();
    setPlanCacheBytes(2_000_000);
    const expected = toNested(fftconvolve([[1, 2], [3, 4]], [[1, 1]]));
    for (let n = 40; n < 240; n += 7) fftconvolve(broadcast([n, n + 3]), tensor([[1, 2], [3, 4]]));
    const stats = planCacheStats();
    expect(stats.maxBytes).toBe(2_000_000);
    expect(stats.bytes).toBeLessThanOrEqual(2_000_000);
    expect(stats.plans).toBeGreaterThan(0);
    expect(toNested(fftconvolve([[1, 2], [3, 4]], [[1, 1]]))).toEqual(expected);
    setPlanCacheBytes(0);
    expect(planCacheStats()).toEqual({ plans: 0, bytes: 0, maxBytes: 0 });
    expect(toNested(fftconvolve([[1, 2], [3, 4]], [[1, 1]]))).toEqual(expected);
    expect(() => setPlanCacheBytes(-1)).toThrow('setPlanCacheBytes: bytes must be a non-negative integer, got -1');
  });

  it('holds a sweep over many shapes to its default budget (64 MiB)', () => {
    clearPlanCache();
    for (let n = 100; n < 400; n += 3) rfft2(broadcast([n, n]));
    expect(planCacheStats().bytes).toBeLessThanOrEqual(DEFAULT_PLAN_CACHE_BYTES);
    expect(planCacheStats().bytes).toBeGreaterThan(DEFAULT_PLAN_CACHE_BYTES / 2);
  });
});
