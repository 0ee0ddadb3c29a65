import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import * as core from '@convlab/core';
import { defaultPool, fromDense, getNumThreads, setNumThreads, shutdownPool } from '@convlab/core';
import type { Dtype, FloatArray, Tensor } from '@convlab/core';
import { fileURLToPath } from 'node:url';
import { Conv2d, Flatten, Linear, MaxPool2d, Random, SGD, Sequential, SoftmaxCrossEntropy, Tanh, fit, loadMnist } from '@convlab/nn';
import type { ConvMethod } from '@convlab/nn';
import * as linearKernels from '../src/layers/kernels/linear.js';
import * as fftParallel from '../../fft/src/spectral-parallel.js';
import { ensureBuilt } from '../../core/test/parallel-build.js';

/*
 * Parameter gradients only (Layer.backwardParameters, Sequential.backwardParameters): the same
 * parameter gradients as backward, bit for bit, and no input-gradient product at all.
 */

// Spies need a module object whose bindings can be replaced: wrap the Linear kernels. Conv2d's
// strategies are objects in core's table, spied on directly.
vi.mock('../../fft/src/spectral-parallel.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../fft/src/spectral-parallel.js')>();
  return { ...original, spectralGradInputParallelInto: vi.fn(original.spectralGradInputParallelInto) };
});
vi.mock('../src/layers/kernels/linear.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../src/layers/kernels/linear.js')>();
  return { ...original, linearGradInputInto: vi.fn(original.linearGradInputInto) };
});

const initialThreads = getNumThreads();
beforeAll(() => ensureBuilt('fft', 'spectral-parallel.js'), 180_000);
afterEach(() => {
  vi.clearAllMocks();
  vi.restoreAllMocks();
});
afterAll(async () => {
  setNumThreads(initialThreads);
  await shutdownPool();
});

function net(method: ConvMethod, dtype: Dtype): Sequential {
  const random = new Random(11);
  const model = new Sequential(
    new Conv2d({ inChannels: 2, outChannels: 3, kernelSize: 3, method, dtype, random }),
    new MaxPool2d({ kernelSize: 2 }),
    new Tanh(),
    new Conv2d({ inChannels: 3, outChannels: 4, kernelSize: 3, method, dtype, random }),
    new Tanh(),
    new Flatten(),
    new Linear({ inFeatures: 4 * 3 * 3, outFeatures: 5, dtype, random }),
  );
  for (const p of model.parameters()) {
    if (p.name.endsWith('bias')) for (let i = 0; i < p.value.size; i++) p.value.data[i] = random.uniform(-0.5, 0.5);
  }
  return model;
}

function batch(n: number, dtype: Dtype): { x: Tensor; labels: Int32Array } {
  const random = new Random(12);
  const data = dtype === 'float32' ? new Float32Array(n * 2 * 12 * 12) : new Float64Array(n * 2 * 12 * 12);
  for (let i = 0; i < data.length; i++) data[i] = random.uniform(-1, 1);
  const labels = Int32Array.from({ length: n }, () => random.int(5));
  return { x: fromDense(data, [n, 2, 12, 12]), labels };
}

/** Every parameter gradient after one backward pass, `full` through backward, else backwardParameters. */
function gradients(method: ConvMethod, dtype: Dtype, full: boolean, n = 6): FloatArray[] {
  const model = net(method, dtype);
  const { x, labels } = batch(n, dtype);
  const ce = new SoftmaxCrossEntropy();
  ce.forward(model.forward(x), labels);
  if (full) {
    const gx = model.backward(ce.backward());
    expect(gx.shape).toEqual(x.shape);
  } else {
    expect(model.backwardParameters(ce.backward())).toBeUndefined();
  }
  return model.parameters().map((p) => p.grad.data.slice());
}

function identical(a: FloatArray, b: FloatArray): boolean {
  return a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
}

describe('Sequential.backwardParameters', () => {
  for (const method of ['direct', 'im2col', 'fft'] as const) {
    for (const dtype of ['float32', 'float64'] as const) {
      it(`${method}, ${dtype}: the parameter gradients of backward, bit for bit, without the first layer's input gradient`, () => {
        setNumThreads(1);
        const full = gradients(method, dtype, true);
        const gradInput = vi.spyOn(core.conv2dStrategy(method), 'gradInput');
        const gradWeight = vi.spyOn(core.conv2dStrategy(method), 'gradWeight');
        const only = gradients(method, dtype, false);
        full.forEach((g, i) => expect(identical(only[i]!, g), `parameter ${i}`).toBe(true));
        // Both conv layers' weight gradients, and only the second one's input gradient.
        expect(gradWeight).toHaveBeenCalledTimes(2);
        expect(gradInput).toHaveBeenCalledTimes(1);
        expect(gradInput.mock.calls[0]![3].inChannels).toBe(3);
      });
    }
  }

  it('on 2 threads (the spectral plan per thread): the same gradients as backward, no input gradient for the first layer', async () => {
    setNumThreads(2);
    await defaultPool().start();
    // At this batch the first layer is large enough for the threaded plan; the second stays on the calling thread.
    const threaded = vi.spyOn(fftParallel, 'spectralGradInputParallelInto');
    const full = gradients('fft', 'float32', true, 64);
    expect(threaded).toHaveBeenCalledTimes(1);
    threaded.mockClear();
    const only = gradients('fft', 'float32', false, 64);
    full.forEach((g, i) => expect(identical(only[i]!, g), `parameter ${i}`).toBe(true));
    expect(threaded).not.toHaveBeenCalled();
    setNumThreads(1);
  });
});

describe('backwardParameters of single layers', () => {
  it('Linear: the same dL/dW and dL/db as backward, and no gy W product', () => {
    const make = () => new Linear({ inFeatures: 7, outFeatures: 3, dtype: 'float64', random: new Random(3) });
    const x = fromDense(Float64Array.from({ length: 4 * 7 }, (_, i) => Math.sin(i)), [4, 7]);
    const gy = fromDense(Float64Array.from({ length: 4 * 3 }, (_, i) => Math.cos(i)), [4, 3]);
    const a = make();
    a.forward(x);
    a.backward(gy);
    const gradInput = vi.mocked(linearKernels.linearGradInputInto);
    gradInput.mockClear();
    const b = make();
    b.forward(x);
    b.backwardParameters(gy);
    expect(gradInput).not.toHaveBeenCalled();
    expect(Array.from(b.weight.grad.data)).toEqual(Array.from(a.weight.grad.data));
    expect(Array.from(b.bias!.grad.data)).toEqual(Array.from(a.bias!.grad.data));
  });

  it('a standalone Conv2d.backward still returns dL/dx; backwardParameters checks gy like backward', () => {
    const conv = new Conv2d({ inChannels: 1, outChannels: 2, kernelSize: 3, method: 'im2col', dtype: 'float64' });
    const x = fromDense(new Float64Array(2 * 1 * 5 * 5).fill(1), [2, 1, 5, 5]);
    conv.forward(x);
    const gx = conv.backward(fromDense(new Float64Array(2 * 2 * 3 * 3).fill(1), [2, 2, 3, 3]));
    expect(gx.shape).toEqual([2, 1, 5, 5]);
    expect(() => conv.backwardParameters(fromDense(new Float64Array(4), [2, 2, 1, 1]))).toThrow(
      /Conv2d.backward: gradient shape \[2, 2, 1, 1\] does not match the output shape \[2, 2, 3, 3\]/,
    );
    expect(() => new Conv2d({ inChannels: 1, outChannels: 2, kernelSize: 3 }).backwardParameters(x)).toThrow(/Conv2d: backward called before forward/);
  });

  it('layers without parameters do nothing; an empty Sequential too', () => {
    const tanh = new Tanh();
    expect(() => tanh.backwardParameters(fromDense(new Float64Array(1), [1]))).not.toThrow();
    const empty = new Sequential();
    const g = fromDense(new Float64Array([1, 2]), [2]);
    expect(empty.backward(g)).toBe(g);
    expect(empty.backwardParameters(g)).toBeUndefined();
  });

  it('a hand-made first layer with only forward and backward still gets its backward call', () => {
    let calls = 0;
    const identity = {
      training: true,
      forward: (x: Tensor) => x,
      backward: (g: Tensor) => {
        calls++;
        return g;
      },
    };
    const model = new Sequential(identity as never, new Linear({ inFeatures: 2, outFeatures: 1, dtype: 'float64' }));
    model.forward(fromDense(new Float64Array([1, 2]), [1, 2]));
    model.backwardParameters(fromDense(new Float64Array([1]), [1, 1]));
    expect(calls).toBe(1);
  });
});

describe('the training loop', () => {
  it('fit asks a Sequential for parameter gradients only', async () => {
    const data = loadMnist({ dir: fileURLToPath(new URL('../../../fixtures/mnist-tiny/plain', import.meta.url)) });
    const random = new Random(2);
    const model = new Sequential(new Flatten(), new Linear({ inFeatures: 784, outFeatures: 10, random }));
    const full = vi.spyOn(model, 'backward');
    const only = vi.spyOn(model, 'backwardParameters');
    await fit({ model, optimizer: new SGD(model.parameters(), { lr: 0.1 }), loss: new SoftmaxCrossEntropy(), train: data.train, epochs: 1, batchSize: 8, random });
    expect(only).toHaveBeenCalled();
    expect(full).not.toHaveBeenCalled();
  });
});
