import os from 'node:os';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  activationParallelInto,
  convInfo,
  defaultPool,
  getNumThreads,
  maxPool2dBackwardInto,
  maxPool2dBackwardParallelInto,
  maxPool2dInto,
  maxPool2dParallelInto,
  reluBackwardInto,
  reluInto,
  setNumThreads,
  sharedFloat32Array,
  sharedInt32Array,
  shutdownPool,
  sigmoidBackwardInto,
  sigmoidInto,
  tanhBackwardInto,
  tanhInto,
} from '@convlab/core';
import { randomValues, seededRandom } from '../../../testing/close.js';
import { ensureCoreBuilt } from './parallel-build.js';

/*
 * Core's max pooling and activations on a worker pool against the same kernels on one thread:
 * the same numbers bit for bit (each block of samples or elements runs the single-threaded kernel).
 * They use the workers only when every array is in shared memory (no staging copies): otherwise
 * they run on the calling thread.
 */

const initialThreads = getNumThreads();
const random = seededRandom(11);

beforeAll(async () => {
  ensureCoreBuilt();
  // Three threads (an uneven split) even on a 2-core machine, where setNumThreads would cap it.
  const cores = vi.spyOn(os, 'availableParallelism').mockReturnValue(4);
  setNumThreads(3);
  cores.mockRestore();
  await defaultPool().start();
}, 180_000);
afterEach(() => {
  vi.restoreAllMocks();
});
afterAll(async () => {
  setNumThreads(initialThreads);
  await shutdownPool();
});

function identical(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

function values(n: number): Float32Array {
  return Float32Array.from(randomValues(random, n));
}

/** A copy of `a` in shared memory (as a layer's own buffers are). */
function shared(a: Float32Array): Float32Array {
  const out = sharedFloat32Array(a.length);
  out.set(a);
  return out;
}

describe('threaded max pooling', () => {
  // Overlapping 3x3 windows with stride 2 and padding 1: switches may repeat, gradients add up.
  const g = convInfo([37, 5, 21, 19], [5, 1, 3, 3], { stride: 2, padding: 1, groups: 5 }, 'test');
  const inSize = 37 * 5 * 21 * 19;
  const outSize = 37 * 5 * g.outHeight * g.outWidth;
  const x = values(inSize);
  x[17] = NaN; // NaN wins its windows, as in PyTorch

  it('forward: the same outputs and switches as one thread; workers only for shared arrays', () => {
    const out1 = new Float32Array(outSize);
    const sw1 = new Int32Array(outSize);
    maxPool2dInto(out1, sw1, x, g);
    const run = vi.spyOn(defaultPool(), 'run');
    const out = shared(new Float32Array(outSize));
    const sw = sharedInt32Array(outSize);
    maxPool2dParallelInto(out, sw, shared(x), g, defaultPool());
    expect(run).toHaveBeenCalledTimes(1);
    expect(identical(out, out1)).toBe(true);
    expect(identical(sw, sw1)).toBe(true);
    const plain = new Float32Array(outSize);
    maxPool2dParallelInto(plain, sharedInt32Array(outSize), x, g, defaultPool());
    expect(run).toHaveBeenCalledTimes(1);
    expect(identical(plain, out1)).toBe(true);
  });

  it('backward: the same input gradient as one thread, whatever gx held before', () => {
    const sw = sharedInt32Array(outSize);
    maxPool2dParallelInto(new Float32Array(outSize), sw, x, g, defaultPool());
    const gy = values(outSize);
    const gx1 = new Float32Array(inSize);
    maxPool2dBackwardInto(gx1, gy, sw, g);
    const run = vi.spyOn(defaultPool(), 'run');
    const gx = shared(values(inSize));
    maxPool2dBackwardParallelInto(gx, shared(gy), sw, g, defaultPool());
    expect(run).toHaveBeenCalledTimes(1);
    expect(identical(gx, gx1)).toBe(true);
    const plain = values(inSize);
    maxPool2dBackwardParallelInto(plain, gy, sw, g, defaultPool());
    expect(run).toHaveBeenCalledTimes(1);
    expect(identical(plain, gx1)).toBe(true);
  });
});

describe('threaded activations', () => {
  const n = 100_003;
  const x = values(n).map((v) => v * 4);
  x[5] = NaN;
  const kernels = {
    tanh: [tanhInto, tanhBackwardInto],
    sigmoid: [sigmoidInto, sigmoidBackwardInto],
    relu: [reluInto, reluBackwardInto],
  } as const;
  for (const [name, [forward, backward]] of Object.entries(kernels) as Array<[keyof typeof kernels, (typeof kernels)[keyof typeof kernels]]>) {
    it(`${name}: forward and backward equal the kernels on one thread; workers only for shared arrays`, () => {
      const run = vi.spyOn(defaultPool(), 'run');
      const y = shared(new Float32Array(n));
      activationParallelInto(name, y, shared(x), null, defaultPool());
      const y1 = new Float32Array(n);
      forward(y1, x);
      expect(identical(y, y1)).toBe(true);
      const gy = values(n);
      const gx = shared(new Float32Array(n));
      activationParallelInto(name, gx, shared(gy), y, defaultPool());
      const gx1 = new Float32Array(n);
      backward(gx1, gy, y1);
      expect(identical(gx, gx1)).toBe(true);
      expect(run).toHaveBeenCalledTimes(2);
      const plain = new Float32Array(n);
      activationParallelInto(name, plain, x, null, defaultPool());
      expect(run).toHaveBeenCalledTimes(2);
      expect(identical(plain, y1)).toBe(true);
    });
  }
});
