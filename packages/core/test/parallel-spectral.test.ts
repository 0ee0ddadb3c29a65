import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkerPool, defaultPool, fromDense, getNumThreads, setNumThreads, shutdownPool, type FloatArray, type Tensor } from '@convlab/core';
import { SpectralConv2d } from '@convlab/fft';
import { Conv2d, Random } from '@convlab/nn';
import { ThreadedSpectralConv2d } from '../../nn/src/layers/kernels/spectral-threads.js';
import { expectClose } from '../../../testing/close.js';
import { ensureBuilt } from './parallel-build.js';

/*
 * The spectral conv2d on worker threads (one SpectralConv2d plan per thread over its block of
 * samples) against the single plan: forward and input gradient bit for bit, weight and bias
 * gradients within float32 round-off, every result identical from run to run; and nn's Conv2d
 * with method 'fft' switching to it when core's thread setting is above 1.
 */

const pools: WorkerPool[] = [];
const initialThreads = getNumThreads();

beforeAll(() => ensureBuilt('nn', 'layers/kernels/spectral-threads.js'), 180_000);
afterAll(async () => {
  setNumThreads(initialThreads);
  await Promise.all(pools.map((p) => p.shutdown()));
  await shutdownPool();
});

function randomTensor(shape: number[], seed: number): Tensor {
  const rng = new Random(seed);
  const data = new Float32Array(shape.reduce((a, b) => a * b));
  for (let i = 0; i < data.length; i++) data[i] = rng.uniform(-1, 1);
  return fromDense(data, shape);
}

function identical(a: FloatArray, b: FloatArray): boolean {
  return a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
}

const x = randomTensor([9, 4, 12, 12], 1);
const w = randomTensor([6, 4, 5, 5], 2);
const b = randomTensor([6], 3);
const gy = randomTensor([9, 6, 8, 8], 4);

describe('ThreadedSpectralConv2d', () => {
  const single = new SpectralConv2d({});
  const y1 = single.forward(x, w, b);
  const g1 = single.backward(gy, { bias: true });

  for (const threads of [2, 3]) {
    it(`on ${threads} threads: forward and dL/dx bit for bit, dL/dw and dL/db within round-off, identical run to run`, async () => {
      const pool = new WorkerPool({ threads });
      pools.push(pool);
      await pool.start();
      const runs = [0, 1].map(() => {
        const plan = new ThreadedSpectralConv2d({}, pool);
        const y = plan.forward(x, w, b);
        return { y, g: plan.backward(gy, { bias: true }) };
      });
      const [r, again] = runs as [(typeof runs)[0], (typeof runs)[0]];
      expect(identical(r.y.data, y1.data)).toBe(true);
      expect(identical(r.g.gradInput!.data, g1.gradInput!.data)).toBe(true);
      expectClose(r.g.gradWeight!.data, g1.gradWeight!.data, { rel: 1e-6 });
      expectClose(r.g.gradBias!.data, g1.gradBias!.data, { rel: 1e-6 });
      for (const key of ['gradInput', 'gradWeight', 'gradBias'] as const) {
        expect(identical(r.g[key]!.data, again.g[key]!.data), key).toBe(true);
      }
    });
  }

  it('recomputes the spectra of a part whose forward ran on another thread (workers started between the passes)', async () => {
    const pool = new WorkerPool({ threads: 2 });
    pools.push(pool);
    const plan = new ThreadedSpectralConv2d({}, pool);
    // Workers not started yet: both parts of forward run here, so the worker has no plan for part 1.
    const y = plan.forward(x, w, b);
    await pool.start();
    const g = plan.backward(gy, { bias: true });
    expect(identical(y.data, y1.data)).toBe(true);
    expect(identical(g.gradInput!.data, g1.gradInput!.data)).toBe(true);
    expectClose(g.gradWeight!.data, g1.gradWeight!.data, { rel: 1e-6 });
  });

  it('skips the input gradient when asked, and names a backward before forward', () => {
    const plan = new ThreadedSpectralConv2d({}, new WorkerPool({ threads: 1 }));
    expect(() => plan.backward(gy)).toThrow('Conv2d: backward called before forward');
    plan.forward(x, w, null);
    const g = plan.backward(gy, { input: false, bias: false });
    expect(g.gradInput).toBeUndefined();
    expect(g.gradBias).toBeUndefined();
    expectClose(g.gradWeight!.data, g1.gradWeight!.data, { rel: 1e-6 });
  });
});

describe("nn's Conv2d method 'fft' on threads", () => {
  it('gives the single-threaded layer\'s output and gradients (LeNet layer 2 at batch 16)', async () => {
    const input = randomTensor([16, 20, 12, 12], 5);
    const grad = randomTensor([16, 50, 8, 8], 6);
    const run = (threads: number) => {
      setNumThreads(threads);
      const layer = new Conv2d({ inChannels: 20, outChannels: 50, kernelSize: 5, method: 'fft', random: new Random(7) });
      const y = layer.forward(input);
      const gx = layer.backward(grad);
      return { y: y.data, gx: gx.data, gw: layer.weight.grad.data, gb: layer.bias!.grad.data };
    };
    const one = run(1);
    setNumThreads(2);
    await defaultPool().start();
    const two = run(2);
    const twoAgain = run(2);
    expect(identical(two.y, one.y)).toBe(true);
    expect(identical(two.gx, one.gx)).toBe(true);
    expectClose(two.gw, one.gw, { rel: 1e-6 });
    expectClose(two.gb, one.gb, { rel: 1e-6 });
    expect(identical(two.gw, twoAgain.gw) && identical(two.gb, twoAgain.gb)).toBe(true);
  });
});
