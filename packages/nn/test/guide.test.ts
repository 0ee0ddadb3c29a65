import { describe, expect, it } from 'vitest';
import {
  conv2d,
  conv2dGradWeight,
  convolve,
  convolve2d,
  correlate,
  correlate2d,
  setSimd,
  simdEnabled,
  simdRequested,
  tensor,
  toNested,
  upsample,
  zeros,
} from '@convlab/core';
import { chooseConvMethod, fftconvolve } from '@convlab/fft';
import { deserializeModel, gunzip, lenet5, loadModel, mnistFromBytes, serializeModel, SGD, SoftmaxCrossEntropy } from '@convlab/nn';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectClose, flat } from '../../../testing/close.js';

// Every value docs/guide.md shows, checked.
describe('docs/guide.md', () => {
  it('tensors and views', () => {
    const f = tensor([[1, 2, 3], [4, 5, 6], [7, 8, 9]]);
    expect(f.data).toBeInstanceOf(Float64Array);
    expect(toNested(f.transpose(1, 0))).toEqual([[1, 4, 7], [2, 5, 8], [3, 6, 9]]);
  });

  it('convolution and correlation as scipy.signal', () => {
    expect(toNested(convolve(tensor([1, 2, 3, 4, 5]), tensor([1, 2, 3])))).toEqual([1, 4, 10, 16, 22, 22, 15]);
    expect(toNested(convolve(tensor([1, 2, 3, 4, 5]), tensor([1, 2, 3]), { mode: 'valid' }))).toEqual([10, 16, 22]);
    expect(toNested(convolve2d(tensor([[1, 2, 3], [4, 5, 6], [7, 8, 9]]), tensor([[1, 2], [3, 4]])))).toEqual([
      [1, 4, 7, 6],
      [7, 23, 33, 24],
      [19, 53, 63, 42],
      [21, 52, 59, 36],
    ]);
    expect(toNested(correlate(tensor([1, 2, 3, 4, 5]), tensor([1, 2, 3, 4]), { mode: 'same' }))).toEqual([11, 20, 30, 40, 26]);
    expect(toNested(correlate2d(tensor([[1, 2, 3, 4, 5]]), tensor([[1, 2, 3, 4]]), 'same'))).toEqual([[20, 30, 40, 26, 14]]);
    expect(toNested(upsample(tensor([[1, 3], [2, 4]]), [2, 2]))).toEqual([
      [1, 1, 3, 3],
      [1, 1, 3, 3],
      [2, 2, 4, 4],
      [2, 2, 4, 4],
    ]);
  });

  it("the lecture's weight gradient and the filter that does not fit", () => {
    const gw = conv2dGradWeight(
      tensor([[[[16, 2, 3, 13], [5, 11, 10, 8], [9, 7, 6, 12], [4, 14, 15, 1]]]]),
      tensor([[[[0.8, 0.1, -0.6], [0.3, 0.5, 0.7], [-0.4, 0, -0.2]]]]),
      [1, 1, 2, 2],
    );
    expectClose(gw.data, [20.4, 2.8, 4.9, 12.7], { rel: 1e-14 });
    expect(() => conv2d(zeros([1, 1, 7, 7]), zeros([1, 1, 3, 3]), null, { stride: 3 })).toThrow(
      'conv2d: the filter does not fit: output height (7 + 2*0 - 1*(3-1) - 1)/3 + 1 = 2.33 is not a whole number',
    );
  });

  it('FFT convolution and the cost model', () => {
    expectClose(fftconvolve(tensor([1, 2, 3, 4, 5]), tensor([1, 2, 3])).data, [1, 4, 10, 16, 22, 22, 15], { rel: 1e-14 });
    expect(chooseConvMethod([500, 20, 12, 12], [50, 20, 5, 5])).toBe('fft');
    expect(chooseConvMethod([500, 1, 28, 28], [20, 1, 5, 5])).toBe('im2col');
    expect(chooseConvMethod([1, 1, 64, 64], [1, 1, 15, 15])).toBe('fft');
  });

  it('one training step of LeNet-5 lowers the loss on its batch, and a saved model predicts the same', () => {
    const model = lenet5({ seed: 1 });
    const ce = new SoftmaxCrossEntropy();
    const opt = new SGD(model.parameters(), { lr: 0.1 });
    const images = zeros([4, 1, 28, 28], 'float32');
    for (let i = 0; i < images.data.length; i++) images.data[i] = ((i * 7919) % 256) / 255;
    const labels = [3, 1, 4, 1];
    let first = 0;
    for (let step = 0; step < 3; step++) {
      opt.zeroGrad();
      const loss = ce.forward(model.forward(images), labels);
      if (step === 0) first = loss;
      model.backward(ce.backward());
      opt.step();
    }
    expect(first).toBeCloseTo(Math.log(10), 5); // the softmax layer starts at zero, as in the LISA tutorial
    expect(ce.forward(model.forward(images), labels)).toBeLessThan(first);

    const dir = mkdtempSync(join(tmpdir(), 'convlab-guide-'));
    try {
      const path = join(dir, 'lenet5.cvlm');
      model.save(path);
      model.eval();
      const loaded = loadModel(path);
      loaded.eval();
      expect(flat(toNested(loaded.forward(images)))).toEqual(flat(toNested(model.forward(images))));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('in a browser: MNIST and models as bytes', async () => {
    const gz = (name: string) => readFileSync(new URL(`../../../fixtures/mnist-tiny/gz/${name}.gz`, import.meta.url));
    const mnist = mnistFromBytes(
      {
        trainImages: await gunzip(gz('train-images-idx3-ubyte')),
        trainLabels: await gunzip(gz('train-labels-idx1-ubyte')),
        testImages: await gunzip(gz('t10k-images-idx3-ubyte')),
        testLabels: await gunzip(gz('t10k-labels-idx1-ubyte')),
      },
      { limit: 5 },
    );
    expect(mnist.train.images.shape).toEqual([5, 1, 28, 28]);
    expect(Array.from(mnist.train.labels)).toEqual([5, 0, 4, 1, 9]);
    expect(Array.from(mnist.test.labels)).toEqual([7, 2, 1, 0, 4]);
    const model = lenet5().eval();
    const bytes = serializeModel(model);
    const copy = deserializeModel(bytes, 'saved model').eval();
    expect(Array.from(copy.forward(mnist.test.images).data)).toEqual(Array.from(model.forward(mnist.test.images).data));
  });

  it('threads and SIMD: setSimd(true) runs WebAssembly SIMD in Node 20, setSimd(false) the pure-JavaScript kernels', () => {
    const before = simdRequested();
    try {
      setSimd(true);
      expect(simdEnabled()).toBe(true);
      setSimd(false);
      expect(simdEnabled()).toBe(false);
    } finally {
      setSimd(before);
    }
  });
});
