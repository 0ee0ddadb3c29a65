import { describe, expect, it } from 'vitest';
import { tensor } from '@convlab/core';
import type { Tensor } from '@convlab/core';
import {
  AvgPool2d,
  Dropout,
  Flatten,
  Linear,
  MaxPool2d,
  Random,
  ReLU,
  Sequential,
  Sigmoid,
  SoftmaxCrossEntropy,
  Tanh,
  gradcheck,
} from '@convlab/nn';
import type { Differentiable, GradcheckResult, Layer } from '@convlab/nn';

/** Values uniform in [-1, 1), float64, from a seeded generator. */
function randomTensor(shape: number[], seed: number, scale = 1): Tensor {
  const random = new Random(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return tensor(Float64Array.from({ length: n }, () => scale * random.uniform(-1, 1)), shape);
}

/** Asserts every compared tensor within tolerance, and that the check compared something. */
function expectGradOk(result: GradcheckResult, names: string[]): void {
  expect(result.entries.map((e) => e.name)).toEqual(names);
  for (const e of result.entries) {
    expect(e.checked, e.name).toBeGreaterThan(0);
    expect(e.scale, `${e.name}: numeric gradient all zero`).toBeGreaterThan(0);
    expect(e.relError, `${e.name}: worst ${JSON.stringify(e.worst)}`).toBeLessThan(1e-6);
  }
  expect(result.ok).toBe(true);
}

const f64 = { dtype: 'float64' as const };

describe('gradcheck: every layer, float64 central differences', () => {
  it('Linear, with and without bias, and with batch axes', () => {
    expectGradOk(gradcheck(new Linear({ inFeatures: 5, outFeatures: 3, ...f64 }), randomTensor([4, 5], 1)), ['input', 'weight', 'bias']);
    expectGradOk(gradcheck(new Linear({ inFeatures: 5, outFeatures: 3, bias: false, ...f64 }), randomTensor([2, 5], 2)), ['input', 'weight']);
    expectGradOk(gradcheck(new Linear({ inFeatures: 4, outFeatures: 2, ...f64 }), randomTensor([2, 3, 4], 3)), ['input', 'weight', 'bias']);
  });

  it('activations: Tanh, Sigmoid, ReLU', () => {
    for (const layer of [new Tanh(), new Sigmoid(), new ReLU()]) {
      expectGradOk(gradcheck(layer, randomTensor([3, 4, 2], 4, 2)), ['input']);
    }
  });

  const pools: Array<[string, () => Layer, number[]]> = [
    ['MaxPool2d 2x2', () => new MaxPool2d({ kernelSize: 2 }), [2, 3, 6, 4]],
    ['MaxPool2d 3x3 stride 2 (overlapping)', () => new MaxPool2d({ kernelSize: 3, stride: 2 }), [2, 2, 7, 9]],
    ['MaxPool2d 3x3 stride 1 padding 1 (overlapping, padded)', () => new MaxPool2d({ kernelSize: 3, stride: 1, padding: 1 }), [1, 2, 5, 5]],
    ['MaxPool2d dilation 2', () => new MaxPool2d({ kernelSize: 2, stride: 1, dilation: 2 }), [1, 2, 6, 6]],
    ['AvgPool2d 2x2', () => new AvgPool2d({ kernelSize: 2 }), [2, 3, 6, 4]],
    ['AvgPool2d 3x3 stride 2 (overlapping)', () => new AvgPool2d({ kernelSize: 3, stride: 2 }), [2, 2, 7, 9]],
    ['AvgPool2d 3x3 stride 1 padding 1, count_include_pad false', () => new AvgPool2d({ kernelSize: 3, stride: 1, padding: 1, countIncludePad: false }), [1, 2, 5, 5]],
  ];
  for (const [name, make, shape] of pools) {
    it(name, () => expectGradOk(gradcheck(make(), randomTensor(shape, 5)), ['input']));
  }

  it('Flatten', () => expectGradOk(gradcheck(new Flatten(), randomTensor([2, 3, 2, 2], 6)), ['input']));

  it('Dropout with a fixed mask (the generator reset before every forward), and in eval mode', () => {
    const random = new Random(7);
    const start = random.getState();
    const drop = new Dropout({ p: 0.4, random });
    const fixedMask: Differentiable = {
      forward: (x) => {
        random.setState(start);
        return drop.forward(x);
      },
      backward: (gy) => drop.backward(gy!),
    };
    expectGradOk(gradcheck(fixedMask, randomTensor([4, 6], 8)), ['input']);
    drop.eval();
    expectGradOk(gradcheck(drop, randomTensor([4, 6], 8)), ['input']);
  });

  it('SoftmaxCrossEntropy: dL/dlogits of the mean loss', () => {
    const ce = new SoftmaxCrossEntropy();
    const labels = [2, 0, 1, 2, 4];
    const loss: Differentiable = { forward: (z) => ce.forward(z, labels), backward: () => ce.backward() };
    expectGradOk(gradcheck(loss, randomTensor([5, 5], 9, 3)), ['input']);
  });

  it('Sequential with a loss: every parameter of a small MLP', () => {
    const random = new Random(10);
    const model = new Sequential(
      new Linear({ inFeatures: 6, outFeatures: 5, random, ...f64 }),
      new Tanh(),
      new Linear({ inFeatures: 5, outFeatures: 4, random, init: 'sigmoid', ...f64 }),
      new Sigmoid(),
      new Linear({ inFeatures: 4, outFeatures: 3, random, init: 'relu', ...f64 }),
    );
    const ce = new SoftmaxCrossEntropy();
    const labels = [0, 2, 1];
    const wrapped: Differentiable = {
      forward: (x) => ce.forward(model.forward(x), labels),
      backward: () => model.backward(ce.backward()),
      parameters: () => model.parameters(),
    };
    expectGradOk(gradcheck(wrapped, randomTensor([3, 6], 11)), ['input', '0.weight', '0.bias', '2.weight', '2.bias', '4.weight', '4.bias']);
  });
});

describe('gradcheck itself', () => {
  it('catches a wrong backward', () => {
    const wrong: Differentiable = {
      forward: (x) => x,
      backward: (gy) => tensor(Float64Array.from(gy!.data, (v) => 1.01 * v), gy!.shape),
    };
    const result = gradcheck(wrong, randomTensor([3], 12));
    expect(result.ok).toBe(false);
    expect(result.maxRelError).toBeGreaterThan(0.005);
  });

  it('refuses float32, since differences in float32 drown in round-off', () => {
    expect(() => gradcheck(new Tanh(), tensor([1, 2], 'float32'))).toThrow(/gradcheck: the input must be float64, got float32/);
    expect(() => gradcheck(new Linear({ inFeatures: 2, outFeatures: 1 }), tensor([[1, 2]]))).toThrow(
      /gradcheck: parameter weight is float32; build the layer with dtype 'float64'/,
    );
  });

  it('samples large tensors with a seeded choice', () => {
    const layer = new Linear({ inFeatures: 30, outFeatures: 20, ...f64 });
    const result = gradcheck(layer, randomTensor([2, 30], 13), { samples: 25 });
    expect(result.entries.map((e) => e.checked)).toEqual([25, 25, 20]);
    expect(result.ok).toBe(true);
  });
});
