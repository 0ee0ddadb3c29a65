import { describe, expect, it } from 'vitest';
import { conv2d, convolve2d, tensor, toNested, zeros } from '@convlab/core';
import { chooseConvMethod, fftconvolve } from '@convlab/fft';
import { SGD, SoftmaxCrossEntropy, deserializeModel, exportOnnx, lenet5, loadSafetensors, saveSafetensors, serializeModel } from '@convlab/nn';
import { expectClose } from '../../../testing/close.js';

// The examples of the packages' README files, run as written there.

describe('README examples', () => {
  it('@convlab/core', () => {
    expect(toNested(convolve2d(tensor([[1, 2, 3], [4, 5, 6], [7, 8, 9]]), tensor([[1, 2], [3, 4]])))).toEqual([
      [1, 4, 7, 6],
      [7, 23, 33, 24],
      [19, 53, 63, 42],
      [21, 52, 59, 36],
    ]);
    const y = conv2d(zeros([500, 1, 28, 28], 'float32'), zeros([20, 1, 5, 5], 'float32'));
    expect(y.shape).toEqual([500, 20, 24, 24]);
  });

  it('@convlab/fft', () => {
    expectClose(toNested(fftconvolve(tensor([1, 2, 3, 4, 5]), tensor([1, 2, 3]))) as number[], [1, 4, 10, 16, 22, 22, 15]);
    expect(chooseConvMethod([500, 20, 12, 12], [50, 20, 5, 5])).toBe('fft');
  });

  it('@convlab/nn', () => {
    const model = lenet5({ seed: 1 });
    const ce = new SoftmaxCrossEntropy();
    const opt = new SGD(model.parameters(), { lr: 0.1 });
    const images = tensor(new Float32Array(2 * 28 * 28), [2, 1, 28, 28]);

    opt.zeroGrad();
    const loss = ce.forward(model.forward(images), [3, 7]);
    model.backward(ce.backward());
    opt.step();
    expect(loss).toBeGreaterThan(0);

    const bytes = serializeModel(model);
    const copy = deserializeModel(bytes, 'lenet5');
    const a = model.eval().forward(images).data;
    const b = copy.eval().forward(images).data;
    expect(Array.from(b)).toEqual(Array.from(a));
    expect(Object.getPrototypeOf(bytes)).toBe(Uint8Array.prototype);

    expect(model.summary([1, 1, 28, 28])).toContain('Total params: 431,080');
    const st = saveSafetensors(model);
    expect(Array.from(loadSafetensors(st).eval().forward(images).data)).toEqual(Array.from(a));
    const onnx = exportOnnx(model, { inputShape: [1, 28, 28] });
    expect(Object.getPrototypeOf(onnx)).toBe(Uint8Array.prototype);
    expect(onnx.length).toBeGreaterThan(4 * 431080);
  });
});
