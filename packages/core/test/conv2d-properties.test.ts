import { describe, expect, it } from 'vitest';
import {
  chooseConv2dMethod,
  contiguous,
  conv2d,
  conv2dGradBias,
  conv2dGradInput,
  conv2dGradWeight,
  convInfo,
  convolve2d,
  correlate2d,
  tensor,
  toNested,
  type Conv2dMethodOptions,
  type Dtype,
  type Tensor,
} from '@convlab/core';
import { expectClose, flat, randomValues, seededRandom } from '../../../testing/close.js';

function randomTensor(random: () => number, shape: number[], dtype: Dtype = 'float64'): Tensor {
  const values = randomValues(random, shape.reduce((a, b) => a * b, 1));
  return tensor(dtype === 'float32' ? Float32Array.from(values) : Float64Array.from(values), shape);
}

function int(random: () => number, lo: number, hi: number): number {
  return lo + Math.floor(random() * (hi - lo + 1));
}

/** A random, valid conv2d configuration: shapes, options, and the output shape it gives. */
function randomConfig(random: () => number) {
  const groups = int(random, 1, 3);
  const inPerGroup = int(random, 1, 3);
  const outPerGroup = int(random, 1, 5);
  const [kh, kw] = [int(random, 1, 5), int(random, 1, 5)];
  const [sh, sw] = [int(random, 1, 3), int(random, 1, 3)];
  const [dh, dw] = [int(random, 1, 2), int(random, 1, 2)];
  const [ph, pw] = [int(random, 0, 2), int(random, 0, 2)];
  // Pick the output size, then the input size that gives it (at least 1; the padding then covers the kernel).
  const inputFor = (out: number, k: number, s: number, d: number, p: number) => Math.max((out - 1) * s + d * (k - 1) + 1 - 2 * p, 1);
  let h = inputFor(int(random, 1, 6), kh, sh, dh, ph);
  let w = inputFor(int(random, 1, 6), kw, sw, dw, pw);
  // Keep the size whole: round the input up to the next size the stride fits.
  while ((h + 2 * ph - dh * (kh - 1) - 1) % sh !== 0) h++;
  while ((w + 2 * pw - dw * (kw - 1) - 1) % sw !== 0) w++;
  const xShape = [int(random, 1, 3), groups * inPerGroup, h, w];
  const wShape = [groups * outPerGroup, inPerGroup, kh, kw];
  const options: Conv2dMethodOptions = { stride: [sh, sw], dilation: [dh, dw], padding: [ph, pw], groups };
  return { xShape, wShape, options };
}

describe('conv2d: direct and im2col agree', () => {
  for (const dtype of ['float64', 'float32'] as const) {
    it(`on 40 random shapes, forward and both gradients (${dtype})`, () => {
      const random = seededRandom(dtype === 'float64' ? 11 : 12);
      const tol = dtype === 'float64' ? { rel: 1e-12 } : { rel: 1e-5 };
      for (let trial = 0; trial < 40; trial++) {
        const { xShape, wShape, options } = randomConfig(random);
        const x = randomTensor(random, xShape, dtype);
        const w = randomTensor(random, wShape, dtype);
        const b = randomTensor(random, [wShape[0]!], dtype);
        const direct = conv2d(x, w, b, { ...options, method: 'direct' });
        const im2col = conv2d(x, w, b, { ...options, method: 'im2col' });
        expect(im2col.shape).toEqual(direct.shape);
        expectClose(im2col.data, direct.data, tol);
        const gy = randomTensor(random, direct.shape, dtype);
        expectClose(
          conv2dGradInput(gy, w, xShape, { ...options, method: 'im2col' }).data,
          conv2dGradInput(gy, w, xShape, { ...options, method: 'direct' }).data,
          tol,
        );
        expectClose(
          conv2dGradWeight(x, gy, wShape, { ...options, method: 'im2col' }).data,
          conv2dGradWeight(x, gy, wShape, { ...options, method: 'direct' }).data,
          tol,
        );
      }
    });
  }
});

/** Central differences of f at every element of `t` (f must read `t.data` afresh). */
function numericGradient(t: Tensor, f: () => number, h = 1e-3): number[] {
  const g: number[] = [];
  for (let i = 0; i < t.data.length; i++) {
    const keep = t.data[i]!;
    t.data[i] = keep + h;
    const up = f();
    t.data[i] = keep - h;
    const down = f();
    t.data[i] = keep;
    g.push((up - down) / (2 * h));
  }
  return g;
}

function dot(a: Tensor, b: Tensor): number {
  let s = 0;
  for (let i = 0; i < a.data.length; i++) s += a.data[i]! * b.data[i]!;
  return s;
}

describe('conv2d gradients agree with central finite differences (float64)', () => {
  const configs: Array<[string, number[], number[], Conv2dMethodOptions]> = [
    ['plain 3x3', [2, 2, 5, 4], [3, 2, 3, 3], {}],
    ['stride 2, padding 1', [1, 2, 6, 5], [2, 2, 3, 2], { stride: 2, padding: 1, floor: true }],
    ["'same', even kernel, dilation 2", [1, 2, 6, 7], [2, 2, 2, 4], { padding: 'same', dilation: [1, 2] }],
    ['groups 2', [2, 4, 4, 4], [4, 2, 2, 3], { groups: 2, padding: [0, 1] }],
  ];
  for (const [name, xShape, wShape, options] of configs) {
    for (const method of ['direct', 'im2col'] as const) {
      it(`${name} (${method}): <L, conv2d(x, w, b)>`, () => {
        const random = seededRandom(99);
        const x = randomTensor(random, xShape);
        const w = randomTensor(random, wShape);
        const b = randomTensor(random, [wShape[0]!]);
        const opts = { ...options, method };
        const L = randomTensor(random, conv2d(x, w, b, opts).shape);
        const loss = () => dot(L, conv2d(x, w, b, opts));
        // The loss is linear in each argument, so central differences are exact up to round-off.
        expectClose(conv2dGradInput(L, w, xShape, opts).data, numericGradient(x, loss), { rel: 1e-9 });
        expectClose(conv2dGradWeight(x, L, wShape, opts).data, numericGradient(w, loss), { rel: 1e-9 });
        expectClose(conv2dGradBias(L).data, numericGradient(b, loss), { rel: 1e-9 });
      });
    }
  }
});

describe("the lecture's formulas", () => {
  // The slide's example: a_i is the 4x4 magic square, delta_j the 3x3 sensitivity map.
  const magic = [[16, 2, 3, 13], [5, 11, 10, 8], [9, 7, 6, 12], [4, 14, 15, 1]];
  const delta = [[0.8, 0.1, -0.6], [0.3, 0.5, 0.7], [-0.4, 0, -0.2]];

  for (const method of ['direct', 'im2col'] as const) {
    it(`weight gradient dJ/dK = a o delta, the 'valid' correlation (${method})`, () => {
      const x = tensor([[magic]]);
      const gy = tensor([[delta]]);
      const gw = conv2dGradWeight(x, gy, [1, 1, 2, 2], { method });
      // numpy: scipy.signal.correlate2d(magic, delta, 'valid') = [[20.4, 2.8], [4.9, 12.7]]
      expectClose(gw.data, [20.4, 2.8, 4.9, 12.7], { rel: 1e-14 });
      expectClose(gw.data, flat(toNested(correlate2d(tensor(magic), tensor(delta), 'valid'))), { rel: 1e-14 });
    });

    it(`input gradient delta_i = full convolution of delta_j with K_ij (${method})`, () => {
      const random = seededRandom(5);
      const gy = randomTensor(random, [1, 1, 3, 3]);
      const k = randomTensor(random, [1, 1, 2, 2]);
      const gx = conv2dGradInput(gy, k, [1, 1, 4, 4], { method });
      const full = convolve2d(gy.pick(0, 0), k.pick(0, 0), 'full');
      expectClose(gx.data, flat(toNested(full)), { rel: 1e-14 });
    });

    it(`forward is cross-correlation: conv2d = correlate2d 'valid' per map, summed over input maps (${method})`, () => {
      const random = seededRandom(6);
      const x = randomTensor(random, [1, 2, 6, 5]);
      const w = randomTensor(random, [1, 2, 3, 2]);
      const y = conv2d(x, w, null, { method });
      const a = toNested(correlate2d(x.pick(0, 0), w.pick(0, 0), 'valid')) as number[][];
      const c = toNested(correlate2d(x.pick(0, 1), w.pick(0, 1), 'valid')) as number[][];
      expectClose(y.data, a.flat().map((v, i) => v + c.flat()[i]!), { rel: 1e-14 });
    });
  }

  it('bias gradient dJ/db_j = sum(delta_j) over the batch', () => {
    const gy = tensor([[[[1, 2], [3, 4]], [[0.5, 0], [0, 0]]], [[[10, 20], [30, 40]], [[-1, -1], [-1, -1]]]]);
    expect(Array.from(conv2dGradBias(gy).data)).toEqual([110, -3.5]);
  });
});

describe('conv2d: views, dtypes and options', () => {
  it('gives the same answer on non-contiguous views as on contiguous copies', () => {
    const random = seededRandom(21);
    // x as an HW-transposed, channel-sliced view; w stepped backwards along kw; gy transposed.
    const xBig = randomTensor(random, [2, 4, 7, 6]);
    const x = xBig.transpose(0, 1, 3, 2).hi(2, 3, 6, 7).lo(0, 1, 0, 0);
    const w = randomTensor(random, [3, 2, 3, 3]).step(1, 1, 1, -1);
    const b = randomTensor(random, [6]).step(2);
    for (const method of ['direct', 'im2col'] as const) {
      const opts = { padding: 1, method };
      const y = conv2d(x, w, b, opts);
      expectClose(y.data, conv2d(contiguous(x), contiguous(w), contiguous(b), opts).data, { rel: 1e-15 });
      const gyBig = randomTensor(random, [y.shape[0]!, y.shape[1]!, y.shape[3]!, y.shape[2]!]);
      const gy = gyBig.transpose(0, 1, 3, 2);
      expectClose(
        conv2dGradInput(gy, w, x.shape, opts).data,
        conv2dGradInput(contiguous(gy), contiguous(w), x.shape, opts).data,
        { rel: 1e-15 },
      );
      expectClose(
        conv2dGradWeight(x, gy, w.shape, opts).data,
        conv2dGradWeight(contiguous(x), contiguous(gy), w.shape, opts).data,
        { rel: 1e-15 },
      );
      expectClose(conv2dGradBias(gy).data, conv2dGradBias(contiguous(gy)).data, { rel: 1e-15 });
    }
  });

  it('gives float32 only when every input is float32, with the same values', () => {
    const random = seededRandom(3);
    const x = randomTensor(random, [1, 2, 5, 5], 'float32');
    const w = randomTensor(random, [3, 2, 3, 3], 'float32');
    const b32 = randomTensor(random, [3], 'float32');
    const b64 = contiguous(b32, 'float64');
    expect(conv2d(x, w, b32).data).toBeInstanceOf(Float32Array);
    const mixed = conv2d(x, w, b64);
    expect(mixed.data).toBeInstanceOf(Float64Array);
    expectClose(mixed.data, conv2d(contiguous(x, 'float64'), contiguous(w, 'float64'), b64).data, { rel: 1e-15 });
    expect(conv2d(x, contiguous(w, 'float64')).data).toBeInstanceOf(Float64Array);
    const gy = randomTensor(random, [1, 3, 3, 3], 'float32');
    expect(conv2dGradInput(gy, w, [1, 2, 5, 5]).data).toBeInstanceOf(Float32Array);
    expect(conv2dGradInput(contiguous(gy, 'float64'), w, [1, 2, 5, 5]).data).toBeInstanceOf(Float64Array);
    expect(conv2dGradWeight(x, gy, [3, 2, 3, 3]).data).toBeInstanceOf(Float32Array);
    expect(conv2dGradWeight(contiguous(x, 'float64'), gy, [3, 2, 3, 3]).data).toBeInstanceOf(Float64Array);
    expect(conv2dGradBias(gy).data).toBeInstanceOf(Float32Array);
  });

  it("{ floor: true } drops the input rows and columns the stride never reaches (the lecture's 7x7, 3x3, stride 3)", () => {
    const random = seededRandom(8);
    const x = randomTensor(random, [2, 1, 7, 7]);
    const w = randomTensor(random, [2, 1, 3, 3]);
    for (const method of ['direct', 'im2col'] as const) {
      const y = conv2d(x, w, null, { stride: 3, floor: true, method });
      expect(y.shape).toEqual([2, 2, 2, 2]);
      const cropped = contiguous(x.hi(2, 1, 6, 6));
      expectClose(y.data, conv2d(cropped, w, null, { stride: 3, method }).data, { rel: 1e-15 });
      // The dropped row and column get no gradient.
      const gx = conv2dGradInput(randomTensor(random, [2, 2, 2, 2]), w, [2, 1, 7, 7], { stride: 3, floor: true, method });
      for (let i = 0; i < 7; i++) {
        expect(gx.get(0, 0, 6, i)).toBe(0);
        expect(gx.get(1, 0, i, 6)).toBe(0);
      }
    }
  });

  it("padding 'same' keeps the size for odd and even kernels", () => {
    const random = seededRandom(9);
    const x = randomTensor(random, [1, 1, 6, 7]);
    for (const [kh, kw] of [[3, 3], [4, 2], [1, 6]]) {
      expect(conv2d(x, randomTensor(random, [2, 1, kh!, kw!]), null, { padding: 'same' }).shape).toEqual([1, 2, 6, 7]);
    }
  });

  it('picks direct for depthwise-like shapes and im2col otherwise, and both paths run by default', () => {
    expect(chooseConv2dMethod(convInfo([500, 20, 12, 12], [50, 20, 5, 5]))).toBe('im2col');
    expect(chooseConv2dMethod(convInfo([500, 1, 28, 28], [20, 1, 5, 5]))).toBe('im2col');
    expect(chooseConv2dMethod(convInfo([2, 8, 6, 6], [8, 1, 3, 3], { groups: 8 }))).toBe('direct');
    const random = seededRandom(10);
    const x = randomTensor(random, [1, 4, 5, 5]);
    const w = randomTensor(random, [4, 1, 3, 3]);
    expectClose(conv2d(x, w, null, { groups: 4 }).data, conv2d(x, w, null, { groups: 4, method: 'im2col' }).data, { rel: 1e-12 });
  });

  it('reuses its work buffers safely across shapes (big, small, big again)', () => {
    const random = seededRandom(4);
    const bigX = randomTensor(random, [3, 3, 9, 9]);
    const bigW = randomTensor(random, [5, 3, 3, 3]);
    const smallX = randomTensor(random, [1, 1, 3, 3]);
    const smallW = randomTensor(random, [1, 1, 2, 2]);
    for (const method of ['direct', 'im2col'] as const) {
      const first = Array.from(conv2d(bigX, bigW, null, { method }).data);
      const small = conv2d(smallX, smallW, null, { method });
      expectClose(small.data, flat(toNested(correlate2d(smallX.pick(0, 0), smallW.pick(0, 0), 'valid'))), { rel: 1e-15 });
      expect(Array.from(conv2d(bigX, bigW, null, { method }).data)).toEqual(first);
    }
  });
});
