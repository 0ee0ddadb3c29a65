import { describe, expect, it } from 'vitest';
import { tensor } from '@convlab/core';
import type { Tensor } from '@convlab/core';
import {
  Conv2d,
  Linear,
  MODEL_NAMES,
  Random,
  SoftmaxCrossEntropy,
  countParameters,
  createModel,
  deepCnn,
  gradcheck,
  lenet5,
  models,
  setConvMethod,
  shallowCnn,
} from '@convlab/nn';
import type { Differentiable, Sequential } from '@convlab/nn';

function images(n: number, seed: number, dtype: 'float32' | 'float64' = 'float32'): Tensor {
  const random = new Random(seed);
  const values = Array.from({ length: n * 28 * 28 }, () => random.next());
  return tensor(dtype === 'float32' ? Float32Array.from(values) : Float64Array.from(values), [n, 1, 28, 28]);
}

function sameBits(a: ArrayBufferView, b: ArrayBufferView): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

/** Output shape of every layer for a batch of two images. */
function shapes(model: Sequential): number[][] {
  let x = images(2, 1);
  return model.layers.map((layer) => (x = layer.forward(x)).shape);
}

describe('preset networks', () => {
  it("lenet5 is the lecture's network: the slide's shapes, 431,080 parameters", () => {
    const model = lenet5();
    expect(model.layers.map((l) => l.constructor.name)).toEqual([
      'Conv2d', 'MaxPool2d', 'Tanh', 'Conv2d', 'MaxPool2d', 'Tanh', 'Flatten', 'Linear', 'Tanh', 'Linear',
    ]);
    expect(shapes(model)).toEqual([
      [2, 20, 24, 24], [2, 20, 12, 12], [2, 20, 12, 12], [2, 50, 8, 8], [2, 50, 4, 4], [2, 50, 4, 4], [2, 800], [2, 500], [2, 500], [2, 10],
    ]);
    expect(countParameters(model)).toBe(431080);
    expect(model.parameters().map((p) => `${p.name} [${p.value.shape.join(',')}]`)).toEqual([
      '0.weight [20,1,5,5]', '0.bias [20]', '3.weight [50,20,5,5]', '3.bias [50]', '7.weight [500,800]', '7.bias [500]', '9.weight [10,500]', '9.bias [10]',
    ]);
  });

  it('the shallow and deep CNNs of the MNIST example have exactly the slide\'s parameter counts and sizes', () => {
    const shallow = shallowCnn();
    expect(countParameters(shallow)).toBe(98820);
    expect(shapes(shallow)[0]).toEqual([2, 10, 14, 14]);
    expect(shapes(shallow).at(-1)).toEqual([2, 10]);
    const deep = deepCnn();
    expect(countParameters(deep)).toBe(229340);
    const s = shapes(deep);
    expect([s[0], s[2], s[4], s[6]]).toEqual([[2, 10, 14, 14], [2, 40, 7, 7], [2, 80, 7, 7], [2, 3920]]);
    for (const name of MODEL_NAMES) expect(countParameters(createModel(name)), name).toBe(models[name]!.parameterCount);
  });

  it('init follows the lecture: LISA bounds with the pooled fan-out, zero biases, zero softmax weights', () => {
    const model = lenet5({ seed: 3 });
    const [c1, , , c2, , , , fc, , out] = model.layers as [Conv2d, unknown, unknown, Conv2d, unknown, unknown, unknown, Linear, unknown, Linear];
    const check = (data: ArrayLike<number>, bound: number) => {
      const largest = Array.from(data).reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      expect(largest).toBeLessThanOrEqual(bound * (1 + 1e-7)); // float32 rounding of a draw below the bound
      expect(largest).toBeGreaterThan(0.99 * bound);
    };
    check(c1.weight.value.data, Math.sqrt(6 / (25 + (20 * 25) / 4)));
    check(c2.weight.value.data, Math.sqrt(6 / (20 * 25 + (50 * 25) / 4)));
    check(fc.weight.value.data, Math.sqrt(6 / (800 + 500)));
    expect(Array.from(out.weight.value.data).every((v) => v === 0)).toBe(true);
    for (const p of model.parameters().filter((p) => p.name.endsWith('bias'))) expect(Array.from(p.value.data).every((v) => v === 0)).toBe(true);
  });

  it('the same seed gives bit-identical weights; another seed, others', () => {
    const a = lenet5({ seed: 7 }).parameters();
    const b = lenet5({ seed: 7 }).parameters();
    const c = lenet5({ seed: 8 }).parameters();
    a.forEach((p, i) => expect(sameBits(p.value.data, b[i]!.value.data), p.name).toBe(true));
    expect(sameBits(a[0]!.value.data, c[0]!.value.data)).toBe(false);
    const relu = deepCnn({ seed: 7, activation: 'relu' }).parameters();
    const again = deepCnn({ seed: 7 }).parameters();
    relu.forEach((p, i) => expect(sameBits(p.value.data, again[i]!.value.data), p.name).toBe(true));
  });

  it('options: activation, method, dtype; errors name the model', () => {
    const model = lenet5({ activation: 'relu', method: 'direct', dtype: 'float64' });
    expect(model.layers[2]!.constructor.name).toBe('ReLU');
    expect((model.layers[0] as Conv2d).method).toBe('direct');
    expect(model.parameters()[0]!.value.data).toBeInstanceOf(Float64Array);
    setConvMethod(model, 'im2col');
    expect((model.layers[3] as Conv2d).method).toBe('im2col');
    expect(() => lenet5({ activation: 'gelu' as never })).toThrow(/lenet5: activation must be one of 'tanh', 'relu', 'sigmoid', got "gelu"/);
    expect(() => shallowCnn({ seed: -1 })).toThrow("shallowCnn: seed must be an integer in [0, 4294967295], got -1");
    expect(() => createModel('resnet')).toThrow(/unknown model "resnet"; known models: lenet5, shallow-cnn, deep-cnn/);
  });

  it('every conv method gives the same logits within float32 round-off', () => {
    const x = images(3, 5);
    const reference = lenet5({ seed: 1, method: 'direct' });
    // A non-zero softmax layer, so the logits depend on everything.
    const fill = (m: Sequential) => {
      const w = (m.layers[9] as Linear).weight.value.data;
      const r = new Random(2);
      for (let i = 0; i < w.length; i++) w[i] = r.uniform(-0.1, 0.1);
    };
    fill(reference);
    const expected = Array.from(reference.forward(x).data);
    for (const method of ['im2col', 'fft', 'auto'] as const) {
      const model = lenet5({ seed: 1, method });
      fill(model);
      const got = Array.from(model.forward(x).data);
      const scale = Math.max(...expected.map(Math.abs));
      got.forEach((v, i) => expect(Math.abs(v - expected[i]!)).toBeLessThan(1e-5 * scale));
    }
  });
});

describe('gradcheck of the whole LeNet-5 (float64, batch 2, with the loss)', () => {
  it.each([
    ['direct', 12],
    ['fft', 6],
  ] as const)('every parameter tensor and the input (%s convolutions)', (method, samples) => {
    const model = lenet5({ dtype: 'float64', seed: 11, method });
    // Random softmax weights: with LISA's zeros every earlier gradient would be zero.
    const out = model.layers[9] as Linear;
    const r = new Random(12);
    for (let i = 0; i < out.weight.value.size; i++) out.weight.value.data[i] = r.uniform(-0.3, 0.3);
    const ce = new SoftmaxCrossEntropy();
    const labels = [3, 7];
    const f: Differentiable = {
      forward: (x) => ce.forward(model.forward(x), labels),
      backward: () => model.backward(ce.backward()),
      parameters: () => model.parameters(),
    };
    const result = gradcheck(f, images(2, 13, 'float64'), { samples, eps: 1e-5 });
    expect(result.entries.map((e) => e.name)).toEqual(['input', '0.weight', '0.bias', '3.weight', '3.bias', '7.weight', '7.bias', '9.weight', '9.bias']);
    for (const e of result.entries) {
      expect(e.scale, e.name).toBeGreaterThan(0);
      expect(e.relError, `${e.name}: ${JSON.stringify(e.worst)}`).toBeLessThan(1e-6);
    }
  });
});
