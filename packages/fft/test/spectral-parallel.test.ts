import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkerPool, conv2d, convInfo, fromDense, type FloatArray, type Tensor } from '@convlab/core';
import { SpectralConv2d, fftConv2d, spectralStrategy } from '@convlab/fft';
import { expectClose, randomValues, seededRandom } from '../../../testing/close.js';
import { ensureBuilt } from '../../core/test/parallel-build.js';

/*
 * SpectralConv2d on a pool's threads (each thread keeps the spectra of its block of samples)
 * against the plan on the calling thread: forward and input gradient bit for bit, weight and bias
 * gradients within float32 round-off, every result identical from run to run; and core's conv2d
 * and fftConv2d given a pool.
 */

const pools: WorkerPool[] = [];

beforeAll(() => ensureBuilt('fft', 'spectral-parallel.js'), 180_000);
afterAll(async () => {
  await Promise.all(pools.map((p) => p.shutdown()));
});

function randomTensor(shape: number[], seed: number): Tensor {
  return fromDense(Float32Array.from(randomValues(seededRandom(seed), shape.reduce((a, b) => a * b))), shape);
}

function identical(a: FloatArray, b: FloatArray): boolean {
  return a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
}

const x = randomTensor([9, 4, 12, 12], 1);
const w = randomTensor([6, 4, 5, 5], 2);
const b = randomTensor([6], 3);
const gy = randomTensor([9, 6, 8, 8], 4);

describe('SpectralConv2d on a pool', () => {
  const single = new SpectralConv2d({});
  const y1 = single.forward(x, w, b);
  const g1 = single.backward(gy, { bias: true });

  for (const threads of [2, 3]) {
    it(`on ${threads} threads: forward and dL/dx bit for bit, dL/dw and dL/db within round-off, identical run to run`, async () => {
      const pool = new WorkerPool({ threads });
      pools.push(pool);
      await pool.start();
      const runs = [0, 1].map(() => {
        const plan = new SpectralConv2d({}, pool);
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
    const plan = new SpectralConv2d({}, pool);
    // Workers not started yet: both parts of forward run here, so the worker has no plan for part 1.
    const y = plan.forward(x, w, b);
    await pool.start();
    const g = plan.backward(gy, { bias: true });
    expect(identical(y.data, y1.data)).toBe(true);
    expect(identical(g.gradInput!.data, g1.gradInput!.data)).toBe(true);
    expectClose(g.gradWeight!.data, g1.gradWeight!.data, { rel: 1e-6 });
  });

  it('skips the input gradient when asked, and names a backward before forward', () => {
    const plan = new SpectralConv2d({}, new WorkerPool({ threads: 1 }));
    expect(() => plan.backward(gy)).toThrow('SpectralConv2d.backward: call forward first');
    plan.forward(x, w, null);
    const g = plan.backward(gy, { input: false, bias: false });
    expect(g.gradInput).toBeUndefined();
    expect(g.gradBias).toBeUndefined();
    expectClose(g.gradWeight!.data, g1.gradWeight!.data, { rel: 1e-6 });
  });
});

describe("core's conv2d and fftConv2d given a pool", () => {
  it('give the calling thread\'s numbers bit for bit on 2 threads', async () => {
    const pool = new WorkerPool({ threads: 2 });
    pools.push(pool);
    await pool.start();
    for (const method of ['direct', 'im2col', 'fft'] as const) {
      const one = conv2d(x, w, b, { method });
      const two = conv2d(x, w, b, { method, pool });
      expect(identical(two.data, one.data), method).toBe(true);
    }
    expect(identical(fftConv2d(x, w, b, { pool }).data, fftConv2d(x, w, b).data)).toBe(true);
  });
});

describe("the 'fft' strategy's plan over flat arrays", () => {
  const info = convInfo(x.shape, w.shape, {}, 'test');
  const single = new SpectralConv2d({});
  const y1 = single.forward(x, w, b);
  const g1 = single.backward(gy, { bias: true });

  for (const threads of [1, 2]) {
    it(`on ${threads} thread(s): the tensor plan's numbers; a gy other than gradWeight's is transformed afresh`, async () => {
      const pool = new WorkerPool({ threads });
      pools.push(pool);
      await pool.start();
      const plan = spectralStrategy.plan({}, pool);
      const out = new Float32Array(y1.size);
      spectralStrategy.forward(out, x.data as Float32Array, w.data as Float32Array, b.data as Float32Array, info, plan);
      expect(identical(out, y1.data)).toBe(true);
      const gw = new Float32Array(w.size);
      const gx = new Float32Array(x.size);
      spectralStrategy.gradWeight(gw, x.data as Float32Array, gy.data as Float32Array, info, plan);
      spectralStrategy.gradInput(gx, gy.data as Float32Array, w.data as Float32Array, info, plan);
      expectClose(gw, g1.gradWeight!.data, { rel: 1e-6 });
      expect(identical(gx, g1.gradInput!.data)).toBe(true);
      // Another output gradient for the input gradient alone: not the spectrum gradWeight made.
      const gy2 = randomTensor([9, 6, 8, 8], 8);
      single.forward(x, w, b);
      const want = single.backward(gy2, { weight: false, bias: false }).gradInput!;
      spectralStrategy.gradInput(gx, gy2.data as Float32Array, w.data as Float32Array, info, plan);
      expect(identical(gx, want.data)).toBe(true);
    });
  }
});
