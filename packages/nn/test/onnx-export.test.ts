import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { tensor } from '@convlab/core';
import type { Tensor } from '@convlab/core';
import {
  AvgPool2d,
  Conv2d,
  Dropout,
  Flatten,
  Linear,
  MaxPool2d,
  Module,
  Random,
  ReLU,
  Sequential,
  Sigmoid,
  Tanh,
  exportOnnx,
  lenet5,
  loadMnistTest,
  softmax,
} from '@convlab/nn';
import type { LayerConfig } from '@convlab/nn';
import { perturbedLenet } from './perturbed-lenet.js';

/** Runs an exported model in onnxruntime (its CPU provider) on `x`. */
async function runOnnx(bytes: Uint8Array, x: Tensor): Promise<{ name: string; data: Float32Array; dims: readonly number[] }> {
  const session = await ort.InferenceSession.create(bytes);
  const feeds = { [session.inputNames[0]!]: new ort.Tensor('float32', Float32Array.from(x.data), x.shape) };
  const result = await session.run(feeds);
  const name = session.outputNames[0]!;
  const out = result[name]!;
  return { name, data: out.data as Float32Array, dims: out.dims };
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}


describe('exportOnnx, run in onnxruntime', () => {
  it('LeNet-5 gives the same logits as convlab within 1e-5 on 100 MNIST test images', async () => {
    const model = perturbedLenet(0.05).eval();
    const test = loadMnistTest({ limit: 100 });
    const ours = model.forward(test.images);
    const theirs = await runOnnx(exportOnnx(model, { inputShape: [1, 28, 28] }), test.images);
    expect(theirs.name).toBe('logits');
    expect(theirs.dims).toEqual([100, 10]);
    expect(maxAbsDiff(theirs.data, ours.data)).toBeLessThan(1e-5);
    // The logits are not all alike (a zero softmax layer would pass any comparison).
    expect(Math.max(...ours.data) - Math.min(...ours.data)).toBeGreaterThan(0.5);
  });

  it('every supported layer and option, with a final Softmax, on a batch of 7', async () => {
    const random = new Random(9);
    const model = new Sequential(
      new Conv2d({ inChannels: 2, outChannels: 4, kernelSize: 3, stride: 2, padding: 1, random }),
      new ReLU(),
      new Conv2d({ inChannels: 4, outChannels: 6, kernelSize: [3, 2], padding: 'same', dilation: 2, groups: 2, random }),
      new Sigmoid(),
      new AvgPool2d({ kernelSize: 3, stride: 2, padding: 1, countIncludePad: false }),
      new AvgPool2d({ kernelSize: 2, stride: 1, padding: 1 }),
      new MaxPool2d({ kernelSize: 3, stride: 2, padding: 1, dilation: 1, floor: true }),
      new Dropout({ p: 0.5 }),
      new Sequential(new Flatten(), new Linear({ inFeatures: 6 * 3 * 3, outFeatures: 8, init: 'relu', random })),
      new Tanh(),
      new Linear({ inFeatures: 8, outFeatures: 5, bias: false, random }),
    ).eval();
    const x = tensor(Float32Array.from({ length: 7 * 2 * 17 * 17 }, () => random.uniform(-1, 1)), [7, 2, 17, 17]);
    expect(model.summary([7, 2, 17, 17])).toContain('[-1, 6, 3, 3]');
    const theirs = await runOnnx(exportOnnx(model, { inputShape: [2, 17, 17], softmax: true }), x);
    expect(theirs.name).toBe('probabilities');
    expect(theirs.dims).toEqual([7, 5]);
    expect(maxAbsDiff(theirs.data, softmax(model.forward(x)).data)).toBeLessThan(1e-6);
  });

  it('refuses a layer it cannot write, naming it, and an input shape the model does not take', () => {
    class Swish extends Module {
      forward(x: Tensor): Tensor {
        return x;
      }
      backward(gy: Tensor): Tensor {
        return gy;
      }
      config(): LayerConfig {
        return { type: 'Swish' };
      }
    }
    const odd = new Swish();
    const model = new Sequential(new Flatten(), new Sequential(new Linear({ inFeatures: 4, outFeatures: 2 }), odd));
    expect(() => exportOnnx(model, { inputShape: [4] })).toThrow(/^exportOnnx: layer 1\.1 is a Swish, which ONNX export does not support/);
    expect(() => exportOnnx(lenet5(), { inputShape: [1, 32, 32] })).toThrow('exportOnnx: layer 7: Linear: input has 1250 features');
    expect(() => exportOnnx(new Sequential(new Linear({ inFeatures: 3, outFeatures: 2 })), { inputShape: [5, 3] })).toThrow(
      'exportOnnx: layer 0 (Linear) takes a 3-D input; ONNX Gemm takes [N, features]',
    );
    expect(() => exportOnnx(lenet5(), { inputShape: [] })).toThrow('exportOnnx: inputShape must be the shape of one input');
  });
});
