import { describe, expect, it } from 'vitest';
import { dense, tensor } from '@convlab/core';
import {
  Dropout,
  Flatten,
  Linear,
  MaxPool2d,
  Random,
  ReLU,
  Sequential,
  SoftmaxCrossEntropy,
  Tanh,
  countParameters,
  glorotBound,
  initWeight,
  manualSeed,
} from '@convlab/nn';

describe('Linear', () => {
  it('has PyTorch\'s layout: weight [out, in], bias [out], zero bias; the value is the live tensor', () => {
    const layer = new Linear({ inFeatures: 3, outFeatures: 2 });
    const [w, b] = layer.parameters();
    expect(w!.value.shape).toEqual([2, 3]);
    expect(b!.value.shape).toEqual([2]);
    expect(w!.value.data).toBeInstanceOf(Float32Array);
    expect(Array.from(b!.value.data)).toEqual([0, 0]);
    w!.value.data.set([1, 2, 3, 4, 5, 6]);
    b!.value.data.set([0.5, -0.5]);
    const y = layer.forward(tensor([[1, 1, 1]], 'float32'));
    expect(Array.from(y.data)).toEqual([6.5, 14.5]);
  });

  it('errors: options, feature mismatch, dtype mismatch, backward before forward', () => {
    expect(() => new Linear({ inFeatures: 0, outFeatures: 2 })).toThrow(/Linear: inFeatures must be a positive integer, got 0/);
    expect(() => new Linear({ inFeatures: 2, outFeatures: 2, dtype: 'int8' as never })).toThrow(/Linear: dtype must be 'float32' or 'float64'/);
    expect(() => new Linear({ inFeatures: 2, outFeatures: 2, init: 'xavier' as never })).toThrow(/Linear: init must be one of 'tanh', 'sigmoid', 'relu', 'zeros'/);
    const layer = new Linear({ inFeatures: 3, outFeatures: 2 });
    expect(() => layer.backward(tensor([[1, 2]], 'float32'))).toThrow(/Linear: backward called before forward/);
    expect(() => layer.forward(tensor([[1, 2]], 'float32'))).toThrow(/Linear: input shape \[1, 2\] does not end in inFeatures 3/);
    expect(() => layer.forward(tensor([[1, 2, 3]]))).toThrow(/Linear: input is float64 but the layer's parameters are float32/);
  });
});

describe('initialisation', () => {
  it('tanh: uniform within +-sqrt(6/(fanIn+fanOut)), filling the range; sigmoid: 4x; relu: std sqrt(2/fanIn)', () => {
    const n = 20000;
    const out = new Float64Array(n);
    initWeight(out, 'tanh', 300, 100, new Random(1));
    const bound = Math.sqrt(6 / 400);
    expect(glorotBound(300, 100)).toBe(bound);
    expect(Math.max(...out)).toBeLessThan(bound);
    expect(Math.min(...out)).toBeGreaterThanOrEqual(-bound);
    expect(Math.max(...out)).toBeGreaterThan(0.99 * bound);
    initWeight(out, 'sigmoid', 300, 100, new Random(1));
    expect(Math.max(...out)).toBeGreaterThan(0.99 * 4 * bound);
    expect(Math.max(...out)).toBeLessThan(4 * bound);
    initWeight(out, 'relu', 50, 100, new Random(1));
    const variance = out.reduce((s, v) => s + v * v, 0) / n;
    expect(variance).toBeGreaterThan((2 / 50) * 0.95);
    expect(variance).toBeLessThan((2 / 50) * 1.05);
  });

  it('the same generator seed gives bit-identical weights; the default generator is reseeded by manualSeed', () => {
    const a = new Linear({ inFeatures: 7, outFeatures: 5, random: new Random(42) });
    const b = new Linear({ inFeatures: 7, outFeatures: 5, random: new Random(42) });
    const c = new Linear({ inFeatures: 7, outFeatures: 5, random: new Random(43) });
    expect(a.weight.value.data).toEqual(b.weight.value.data);
    expect(a.weight.value.data).not.toEqual(c.weight.value.data);
    manualSeed(5);
    const d = new Linear({ inFeatures: 7, outFeatures: 5 });
    const e = new Linear({ inFeatures: 7, outFeatures: 5 });
    expect(d.weight.value.data).not.toEqual(e.weight.value.data);
    manualSeed(5);
    expect(new Linear({ inFeatures: 7, outFeatures: 5 }).weight.value.data).toEqual(d.weight.value.data);
  });
});

describe('Dropout', () => {
  it('inverted dropout: zeros about p of the elements, scales survivors by 1/(1-p); eval is the identity', () => {
    const n = 10000;
    const x = tensor(new Float64Array(n).fill(1), [n]);
    const drop = new Dropout({ p: 0.25, random: new Random(3) });
    const y = dense(drop.forward(x)).data;
    const zeros = y.filter((v) => v === 0).length;
    expect(zeros / n).toBeGreaterThan(0.23);
    expect(zeros / n).toBeLessThan(0.27);
    expect(y.every((v) => v === 0 || v === 1 / 0.75)).toBe(true);
    const g = dense(drop.backward(tensor(new Float64Array(n).fill(2), [n]))).data;
    expect(g.every((v, i) => v === 2 * y[i]!)).toBe(true);
    drop.eval();
    expect(drop.forward(x)).toBe(x);
  });

  it('same seed, same masks; p = 0 and p = 1 behave as PyTorch', () => {
    const x = tensor(Float64Array.from({ length: 50 }, (_, i) => i + 1), [5, 10]);
    const m1 = new Dropout({ random: new Random(9) }).forward(x);
    const m2 = new Dropout({ random: new Random(9) }).forward(x);
    expect(m1.data).toEqual(m2.data);
    expect(new Dropout({ p: 0 }).forward(x)).toBe(x);
    expect(Array.from(new Dropout({ p: 1 }).forward(x).data).every((v) => v === 0)).toBe(true);
    expect(() => new Dropout({ p: 1.5 })).toThrow(/Dropout: p must be a probability in \[0, 1\], got 1.5/);
  });
});

describe('Sequential', () => {
  it('names parameters by layer index, propagates train/eval, counts parameters', () => {
    const model = new Sequential(new Linear({ inFeatures: 4, outFeatures: 3 }), new ReLU(), new Dropout({ p: 0.5 }), new Linear({ inFeatures: 3, outFeatures: 2 }));
    expect(model.parameters().map((p) => p.name)).toEqual(['0.weight', '0.bias', '3.weight', '3.bias']);
    expect(countParameters(model)).toBe(4 * 3 + 3 + 3 * 2 + 2);
    model.eval();
    expect(model.layers.every((l) => !l.training)).toBe(true);
    model.train();
    expect(model.layers.every((l) => l.training)).toBe(true);
    expect(() => new Sequential(new Tanh(), {} as never)).toThrow(/Sequential: argument 1 is not a layer/);
  });

  it('one training step as API.md writes it lowers the loss', () => {
    const random = new Random(1);
    const model = new Sequential(new Flatten(), new Linear({ inFeatures: 8, outFeatures: 6, random }), new Tanh(), new Linear({ inFeatures: 6, outFeatures: 3, random }));
    const x = tensor(Float32Array.from({ length: 4 * 2 * 2 * 2 }, () => random.uniform(-1, 1)), [4, 2, 2, 2]);
    const labels = [0, 1, 2, 1];
    const ce = new SoftmaxCrossEntropy();
    const params = model.parameters();
    const before = ce.forward(model.forward(x), labels);
    for (const p of params) p.grad.data.fill(0);
    model.backward(ce.backward());
    for (const p of params) for (let i = 0; i < p.value.size; i++) p.value.data[i] -= 0.5 * p.grad.data[i]!;
    expect(ce.forward(model.forward(x), labels)).toBeLessThan(before);
  });
});

describe('SoftmaxCrossEntropy errors', () => {
  const ce = new SoftmaxCrossEntropy();
  const logits = tensor([[1, 2, 3], [4, 5, 6]]);
  it('names the bad label and the range', () => {
    expect(() => ce.forward(logits, [0, 3])).toThrow(/SoftmaxCrossEntropy: label 1 is 3, expected an integer class index in \[0, 2\]/);
    expect(() => ce.forward(logits, [0, 1.5])).toThrow(/label 1 is 1.5/);
    expect(() => ce.forward(logits, [-1, 0])).toThrow(/label 0 is -1/);
    expect(() => ce.forward(logits, [0])).toThrow(/SoftmaxCrossEntropy: got 1 labels for 2 rows of logits/);
    expect(() => ce.forward(tensor([1, 2, 3]), [0])).toThrow(/SoftmaxCrossEntropy: logits must be 2-D/);
    expect(() => new SoftmaxCrossEntropy().backward()).toThrow(/SoftmaxCrossEntropy: backward called before forward/);
  });
});

describe('layers without parameters', () => {
  it('Flatten keeps the batch axis and restores the shape in backward', () => {
    const f = new Flatten();
    expect(f.forward(tensor(new Float64Array(24), [2, 3, 2, 2])).shape).toEqual([2, 12]);
    expect(f.backward(tensor(new Float64Array(24), [2, 12])).shape).toEqual([2, 3, 2, 2]);
    expect(() => f.forward(tensor([1, 2]))).toThrow(/Flatten: input must have a batch axis/);
  });

  it('keep the input dtype', () => {
    const x = tensor(new Float32Array(16), [1, 1, 4, 4]);
    for (const layer of [new Tanh(), new ReLU(), new MaxPool2d({ kernelSize: 2 }), new Flatten()]) {
      expect(layer.forward(x).data).toBeInstanceOf(Float32Array);
    }
  });
});
