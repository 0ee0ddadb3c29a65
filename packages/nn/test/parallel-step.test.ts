import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultPool, fromDense, getNumThreads, setNumThreads, shutdownPool, type FloatArray, type Tensor } from '@convlab/core';
import { Conv2d, Random, SGD, SoftmaxCrossEntropy, lenet5, type Sequential } from '@convlab/nn';
import { expectClose } from '../../../testing/close.js';
import { ensureBuilt } from '../../core/test/parallel-build.js';

/*
 * nn's LeNet-5 training step on 2 threads (its layers on core's worker pool, the results between
 * layers in shared buffers the layers own) against the same step on 1 thread: the same losses and
 * gradients within float32 round-off (bit for bit with im2col), and bit for bit the same from run
 * to run on 2 threads.
 */

const BATCH = 24;

beforeAll(() => ensureBuilt('fft', 'spectral-parallel.js'), 180_000);
const initialThreads = getNumThreads();
afterAll(async () => {
  setNumThreads(initialThreads);
  await shutdownPool();
});

function batch(): { x: Tensor; labels: Int32Array } {
  const rng = new Random(5);
  const data = new Float32Array(BATCH * 28 * 28);
  for (let i = 0; i < data.length; i++) data[i] = rng.next();
  const labels = new Int32Array(BATCH);
  for (let i = 0; i < BATCH; i++) labels[i] = rng.int(10);
  return { x: fromDense(data, [BATCH, 1, 28, 28]), labels };
}

function model(method: 'im2col' | 'fft'): Sequential {
  const m = lenet5({ method, seed: 3 });
  // LISA starts the softmax layer at zero; random weights make every gradient non-trivial.
  const w = m.parameters().at(-2)!.value.data;
  const rng = new Random(4);
  for (let i = 0; i < w.length; i++) w[i] = rng.uniform(-0.1, 0.1);
  return m;
}

/** Two SGD steps; the losses, and every parameter's gradient of the second step. */
function train(net: Sequential): { losses: number[]; grads: FloatArray[] } {
  const { x, labels } = batch();
  const ce = new SoftmaxCrossEntropy();
  const sgd = new SGD(net.parameters(), { lr: 0.1 });
  const losses: number[] = [];
  for (let step = 0; step < 2; step++) {
    sgd.zeroGrad();
    losses.push(ce.forward(net.forward(x), labels));
    net.backwardParameters(ce.backward());
    if (step === 0) sgd.step();
  }
  return { losses, grads: net.parameters().map((p) => p.grad.data.slice()) };
}

function identical(a: FloatArray, b: FloatArray): boolean {
  return a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
}

describe('nn lenet5 training step on core\'s thread setting', () => {
  for (const method of ['im2col', 'fft'] as const) {
    it(`${method}: setNumThreads(2) gives the 1-thread losses and gradients (bit for bit with im2col), identical run to run`, async () => {
      setNumThreads(1);
      const one = train(model(method));
      setNumThreads(2);
      await defaultPool().start();
      const a = train(model(method));
      const b = train(model(method));
      expect(a.losses).toEqual(b.losses);
      a.grads.forEach((g, i) => expect(identical(g, b.grads[i]!), `gradient ${i}`).toBe(true));
      if (method === 'im2col') {
        expect(a.losses).toEqual(one.losses);
        a.grads.forEach((g, i) => expect(identical(g, one.grads[i]!), `gradient ${i}`).toBe(true));
      } else {
        expectClose(a.losses, one.losses, { rel: 1e-5 });
        a.grads.forEach((g, i) => expectClose(g, one.grads[i]!, { rel: 1e-5 }));
      }
    });
  }
});

function randomTensor(shape: number[], seed: number): Tensor {
  const rng = new Random(seed);
  const data = new Float32Array(shape.reduce((a, b) => a * b));
  for (let i = 0; i < data.length; i++) data[i] = rng.uniform(-1, 1);
  return fromDense(data, shape);
}

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
