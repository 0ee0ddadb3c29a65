import ndarray from 'ndarray';
import { describe, expect, it } from 'vitest';
import {
  applyConvMode,
  centered,
  checkMode,
  contiguous,
  convolve,
  convolve2d,
  correlate,
  correlate2d,
  dense,
  dtypeOf,
  flip,
  fullShape,
  inputsSwapNeeded,
  kron,
  rot90,
  tensor,
  toNested,
  upsample,
  zeros,
} from '@convlab/core';
import type { ConvMode, Dtype, Tensor } from '@convlab/core';
import { expectClose, randomValues, seededRandom } from '../../../testing/close.js';

const MODES: ConvMode[] = ['full', 'same', 'valid'];
const random = seededRandom(20240519);

function randomTensor(shape: number[], dtype: Dtype = 'float64'): Tensor {
  const n = shape.reduce((p, d) => p * d, 1);
  const data = dtype === 'float32' ? Float32Array.from(randomValues(random, n)) : Float64Array.from(randomValues(random, n));
  return tensor(data, shape);
}

function randomShape(rank: number, max = 5): number[] {
  return Array.from({ length: rank }, () => 1 + Math.floor(random() * max));
}

function expectSame(actual: Tensor, expected: Tensor, rel = 1e-12): void {
  expect(actual.shape).toEqual(expected.shape);
  expectClose(dense(actual).data, dense(expected).data, { rel });
}

function allAxes(x: Tensor): number[] {
  return x.shape.map((_, i) => i);
}

describe('the facts API.md states', () => {
  it("correlate and correlate2d centre 'same' differently for an even kernel", () => {
    expect(toNested(correlate([1, 2, 3, 4, 5], [1, 2, 3, 4], { mode: 'same' }))).toEqual([11, 20, 30, 40, 26]);
    expect(toNested(correlate2d([[1, 2, 3, 4, 5]], [[1, 2, 3, 4]], 'same'))).toEqual([[20, 30, 40, 26, 14]]);
    // Both are windows of the same full correlation.
    expect(toNested(correlate([1, 2, 3, 4, 5], [1, 2, 3, 4]))).toEqual([4, 11, 20, 30, 40, 26, 14, 5]);
  });

  it('mode defaults to full, and a bare mode string works as in scipy', () => {
    expect(toNested(convolve([1, 2, 3, 4, 5], [1, 2, 3]))).toEqual([1, 4, 10, 16, 22, 22, 15]);
    expect(toNested(convolve([1, 2, 3, 4, 5], [1, 2, 3], 'valid'))).toEqual([10, 16, 22]);
    expect(toNested(convolve([1, 2, 3, 4, 5], [1, 2, 3], {}))).toEqual([1, 4, 10, 16, 22, 22, 15]);
    expect(toNested(convolve2d([[1, 2, 3], [4, 5, 6], [7, 8, 9]], [[1, 2], [3, 4]]))).toEqual([
      [1, 4, 7, 6],
      [7, 23, 33, 24],
      [19, 53, 63, 42],
      [21, 52, 59, 36],
    ]);
  });

  it("'valid' with the second input the larger gives the full-overlap part (scipy swaps)", () => {
    expect(toNested(convolve([1, 2, 3], [1, 2, 3, 4, 5], 'valid'))).toEqual([10, 16, 22]);
    // correlate swaps and reverses: [1,2,3] slid along [1..5] -> lags 2, 1, 0 of b against a.
    expect(toNested(correlate([1, 2, 3], [1, 2, 3, 4, 5], 'valid'))).toEqual([26, 20, 14]);
    expect(toNested(correlate2d([[1, 2, 3]], [[1, 2, 3, 4, 5]], 'valid'))).toEqual([[26, 20, 14]]);
  });

  it("'same' has the first input's shape even when the second is larger", () => {
    expect(toNested(convolve([1, 2], [1, 2, 3, 4], 'same'))).toEqual([4, 7]);
    const ones = tensor(new Float64Array(20).fill(1), [5, 4]);
    // scipy.signal.convolve2d([[1,2,3],[4,5,6]], np.ones((5,4)), 'same')
    expect(toNested(convolve2d([[1, 2, 3], [4, 5, 6]], ones, 'same'))).toEqual([
      [12, 21, 21],
      [12, 21, 21],
    ]);
  });
});

describe('scipy helpers mirrored', () => {
  it('centered keeps the centre box, extra element cut from the end', () => {
    expect(centered([8], [5])).toEqual({ start: [1], shape: [5] });
    expect(centered([7, 6], [3, 3])).toEqual({ start: [2, 1], shape: [3, 3] });
  });

  it('checkMode defaults to full and names a bad mode; fullShape is s1 + s2 - 1', () => {
    expect(checkMode(undefined, 'x')).toBe('full');
    expect(checkMode('same', 'x')).toBe('same');
    expect(() => checkMode('Full', 'fftconvolve')).toThrow(/^fftconvolve: mode must be 'full', 'valid' or 'same', got "Full"/);
    expect(fullShape([5, 2], [3, 4])).toEqual([7, 5]);
  });

  it('applyConvMode picks the full, same and valid windows', () => {
    expect(applyConvMode([5], [4], 'full')).toEqual({ start: [0], shape: [8] });
    expect(applyConvMode([5], [4], 'same')).toEqual({ start: [1], shape: [5] });
    expect(applyConvMode([5], [4], 'valid')).toEqual({ start: [3], shape: [2] });
    expect(applyConvMode([3, 2], [5, 4], 'valid')).toEqual({ start: [2, 1], shape: [3, 3] });
  });

  it('inputsSwapNeeded swaps only in valid mode when the second is larger, and rejects mixed shapes', () => {
    expect(inputsSwapNeeded('valid', [2, 2], [3, 3], 'x')).toBe(true);
    expect(inputsSwapNeeded('valid', [3, 3], [3, 3], 'x')).toBe(false);
    expect(inputsSwapNeeded('full', [2, 2], [3, 3], 'x')).toBe(false);
    expect(() => inputsSwapNeeded('valid', [3, 2], [2, 3], 'x')).toThrow(/x: mode 'valid'.*\[3, 2\] and \[2, 3\]/);
    // Along the given axes only, as scipy's axes argument (fftconvolve passes its transformed axes).
    expect(inputsSwapNeeded('valid', [3, 2], [2, 3], 'x', [0])).toBe(false);
    expect(inputsSwapNeeded('valid', [3, 2], [2, 3], 'x', [1])).toBe(true);
    expect(() => inputsSwapNeeded('valid', [1, 3, 2], [1, 2, 3], 'x', [1, 2], [[3, 2], [2, 3]])).toThrow(
      /x: mode 'valid'.*\[3, 2\] and \[2, 3\]/,
    );
  });
});

describe('properties', () => {
  it('correlate(a, b) == convolve(a, flip(b over every axis)) in every mode, 1-D to 3-D', () => {
    for (let trial = 0; trial < 30; trial++) {
      const rank = 1 + (trial % 3);
      const a = randomTensor(randomShape(rank));
      const b = randomTensor(randomShape(rank));
      for (const mode of MODES) {
        let expected: Tensor;
        try {
          expected = convolve(a, flip(b, allAxes(b)), { mode });
        } catch {
          expect(() => correlate(a, b, { mode })).toThrow(/valid/);
          continue;
        }
        expectSame(correlate(a, b, { mode }), expected);
      }
    }
  });

  it("correlate2d == convolve2d(a, rot90(b, 2)) for full and valid, and for 'same' when b is odd", () => {
    for (let trial = 0; trial < 30; trial++) {
      const a = randomTensor(randomShape(2, 6));
      const oddB = randomTensor(randomShape(2, 3).map((n) => 2 * n - 1));
      const anyB = randomTensor(randomShape(2, 6));
      for (const [b, modes] of [
        [oddB, MODES],
        [anyB, ['full', 'valid']],
      ] as const) {
        for (const mode of modes) {
          let expected: Tensor;
          try {
            expected = convolve2d(a, rot90(b, 2), mode);
          } catch {
            continue;
          }
          expectSame(correlate2d(a, b, mode), expected);
        }
      }
    }
  });

  it("for an even kernel, correlate2d 'same' starts one later in the full result than correlate 'same'", () => {
    const a = randomTensor([5, 6]);
    const b = randomTensor([2, 4]);
    const full = correlate(a, b);
    const at = (t: Tensor, i: number, j: number) => t.get(i, j);
    const c = correlate(a, b, 'same');
    const c2 = correlate2d(a, b, 'same');
    for (let i = 0; i < 5; i++) {
      for (let j = 0; j < 6; j++) {
        expect(at(c, i, j)).toBe(at(full, i + 0, j + 1)); // (n - 1) // 2 = 0, 1
        expect(at(c2, i, j)).toBe(at(full, i + 1, j + 2)); // n // 2 = 1, 2
      }
    }
  });

  it("convolve is commutative in 'full' and 'valid'", () => {
    for (let trial = 0; trial < 30; trial++) {
      const rank = 1 + (trial % 3);
      const a = randomTensor(randomShape(rank));
      const b = randomTensor(randomShape(rank));
      expectSame(convolve(a, b), convolve(b, a));
      if (a.shape.every((n, i) => n >= b.shape[i]!)) expectSame(convolve(a, b, 'valid'), convolve(b, a, 'valid'));
      if (rank === 2) expectSame(convolve2d(a, b), convolve2d(b, a));
    }
  });

  it('views (pick, lo/hi, step, transpose) give the same answer as contiguous copies', () => {
    const base = randomTensor([4, 7, 6]);
    const kernel = randomTensor([3, 2]);
    const views: Tensor[] = [
      base.pick(1, null, null),
      base.pick(null, 2, null),
      base.lo(1, 1, 2).hi(3, 5, 3),
      base.step(1, -2, 2),
      base.transpose(2, 0, 1).pick(null, 3, null),
      base.transpose(0, 2, 1),
    ];
    const kernelView = kernel.transpose(1, 0).step(-1, 1);
    for (const view of views) {
      const copy = contiguous(view);
      if (view.shape.length === 2) {
        for (const mode of MODES) {
          expectSame(convolve2d(view, kernelView, mode), convolve2d(copy, contiguous(kernelView), mode));
          expectSame(correlate2d(view, kernelView, mode), correlate2d(copy, contiguous(kernelView), mode));
          expectSame(convolve(view, kernelView, { mode }), convolve(copy, contiguous(kernelView), { mode }));
        }
        expectSame(kron(view, kernelView), kron(copy, contiguous(kernelView)));
      } else {
        const k3 = base.lo(0, 0, 0).hi(2, 3, 2).step(1, -1, 1);
        for (const mode of MODES) {
          expectSame(correlate(view, k3, { mode }), correlate(copy, contiguous(k3), { mode }));
        }
      }
      expectSame(upsample(view, [2, 3]), upsample(copy, [2, 3]));
      expectSame(rot90(view, 1), rot90(copy, 1));
      expectSame(flip(view), flip(copy));
    }
  });

  it('upsample equals kron with a block of ones on every 2-D slice', () => {
    const x = randomTensor([2, 3, 4]);
    const ones = tensor(new Float64Array(6).fill(1), [2, 3]);
    const up = upsample(x, [2, 3]);
    expect(up.shape).toEqual([2, 6, 12]);
    for (let i = 0; i < 2; i++) expectSame(up.pick(i, null, null), kron(x.pick(i, null, null), ones));
    expectSame(upsample(x, 2), upsample(x, [2, 2]));
  });

  it('rot90 four times, and flip twice, give back the input; rot90(x, 2) is flip(x)', () => {
    const x = randomTensor([2, 3, 5]);
    expectSame(rot90(rot90(rot90(rot90(x)))), x);
    expectSame(rot90(x, -1), rot90(x, 3));
    expectSame(rot90(x, 2), flip(x));
    expectSame(flip(flip(x, [0, -1]), [2, 0]), x);
    expect(toNested(rot90([[1, 2], [3, 4]]))).toEqual([[2, 4], [1, 3]]);
    expect(toNested(flip([1, 2, 3]))).toEqual([3, 2, 1]);
  });
});

describe('dtypes and buffers', () => {
  it('float32 only when every input is float32; nested arrays are float64', () => {
    const f32 = randomTensor([3, 4], 'float32');
    const f64 = randomTensor([2, 2]);
    expect(dtypeOf(convolve(f32, f32))).toBe('float32');
    expect(dtypeOf(convolve(f32, f64))).toBe('float64');
    expect(dtypeOf(correlate2d(f32, [[1, 2]]))).toBe('float64');
    expect(dtypeOf(kron(f32, f32))).toBe('float32');
    expect(dtypeOf(kron(f32, f64))).toBe('float64');
    expect(dtypeOf(upsample(f32, 2))).toBe('float32');
    expect(dtypeOf(rot90(f32))).toBe('float32');
    expect(dtypeOf(flip(f32))).toBe('float32');
    expect(dtypeOf(convolve([1, 2], [3]))).toBe('float64');
  });

  it('float32 results are float64 sums rounded once', () => {
    // In float32, -1e8 + 1 rounds back to -1e8 and the 1 would be lost.
    const a = tensor([1e8, 1, -1e8], 'float32');
    const b = tensor([1, 1, 1], 'float32');
    expect(convolve(a, b).get(2)).toBe(1);
  });

  it('results never share the input buffer', () => {
    const x = tensor([[1, 2]]);
    for (const out of [flip(x, 0), rot90(x, 4), upsample(x, 1), kron(x, [[1]])]) {
      expect(out.data).not.toBe(x.data);
      out.data[0] = 99;
      expect(x.get(0, 0)).toBe(1);
    }
  });

  it('kron reads a 1-D input as one row, as numpy does', () => {
    expect(toNested(kron([1, 2], [1, 10]))).toEqual([1, 10, 2, 20]);
    expect(toNested(kron([1, 2], [[1], [10]]))).toEqual([
      [1, 2],
      [10, 20],
    ]);
    expect(kron(zeros([0, 2]), [[1, 2]]).shape).toEqual([0, 4]);
  });

  it('convolve2d honours fillvalue, which only matters where b overhangs a', () => {
    expect(toNested(convolve2d([[1, 2]], [[1, 1]], 'full', 'fill', 10))).toEqual([[11, 3, 12]]);
    expect(toNested(correlate2d([[1, 2, 3]], [[1, 1]], 'valid', 'fill', 10))).toEqual([[3, 5]]);
  });
});

describe('bad input names the operation and the problem', () => {
  const cases: Array<[string, () => unknown, RegExp]> = [
    ['non-tensor', () => convolve({} as Tensor, [1]), /^convolve: a must be a tensor/],
    ['string input', () => correlate([1], 'abc' as unknown as Tensor), /^correlate: b must be a tensor/],
    ['integer data', () => convolve(ndarray(new Int32Array(3), [3]) as unknown as Tensor, [1]), /^convolve: a must be over a Float32Array or Float64Array/],
    ['ragged nested array', () => convolve([[1, 2], [3]], [[1]]), /^convolve: a: ragged nested array: element \[1\] has length 1, expected length 2/],
    ['rank mismatch', () => correlate(zeros([2, 3]), zeros([3])), /^correlate: a and b must have the same number of dimensions, got a \[2, 3\] \(2-D\) and b \[3\] \(1-D\)/],
    ['rank 4', () => convolve(zeros([1, 1, 1, 1]), zeros([1, 1, 1, 1])), /^convolve: a must be 1-D, 2-D or 3-D, got shape \[1, 1, 1, 1\] \(4-D\)/],
    ['rank 0', () => convolve(3, 4), /^convolve: a must be 1-D, 2-D or 3-D, got shape \[\] \(0-D\)/],
    ['empty a', () => convolve(zeros([0]), [1, 2]), /^convolve: a is empty \(shape \[0\]\); both inputs need at least one element/],
    ['empty b', () => correlate(zeros([2, 2]), zeros([2, 0])), /^correlate: b is empty \(shape \[2, 0\]\)/],
    ['empty 2-D', () => convolve2d(zeros([0, 3]), [[1]]), /^convolve2d: a is empty \(shape \[0, 3\]\)/],
    ['unknown mode', () => convolve([1], [1], { mode: 'bogus' as ConvMode }), /^convolve: mode must be 'full', 'valid' or 'same', got "bogus"/],
    ['unknown mode 2-D', () => correlate2d([[1]], [[1]], 'half' as ConvMode), /^correlate2d: mode must be 'full', 'valid' or 'same', got "half"/],
    ['valid, neither larger', () => convolve(zeros([3, 2]), zeros([2, 3]), 'valid'), /^convolve: mode 'valid' needs one input at least as large as the other in every axis, got shapes \[3, 2\] and \[2, 3\]/],
    ['valid 2-D, neither larger', () => correlate2d(zeros([1, 4]), zeros([3, 1]), 'valid'), /^correlate2d: mode 'valid'.*\[1, 4\] and \[3, 1\]/],
    ['convolve2d 1-D', () => convolve2d([1, 2, 3], [[1]]), /^convolve2d: a must be 2-D, got shape \[3\] \(1-D\)/],
    ['correlate2d 3-D', () => correlate2d([[1]], zeros([1, 1, 1])), /^correlate2d: b must be 2-D, got shape \[1, 1, 1\] \(3-D\)/],
    ['boundary wrap', () => convolve2d([[1]], [[1]], 'full', 'wrap'), /^convolve2d: boundary 'wrap' is not supported; only 'fill'/],
    ['boundary unknown', () => correlate2d([[1]], [[1]], 'full', 'edge' as 'fill'), /^correlate2d: boundary must be 'fill', got "edge"/],
    ['fillvalue NaN', () => convolve2d([[1]], [[1]], 'full', 'fill', NaN), /^convolve2d: fillvalue must be a finite number/],
    ['kron 3-D', () => kron(zeros([1, 1, 1]), [[1]]), /^kron: a must be 1-D or 2-D, got shape \[1, 1, 1\] \(3-D\)/],
    ['upsample 1-D', () => upsample([1, 2], [2, 2]), /^upsample: x must have at least 2 axes.*\[2\]/],
    ['upsample factor 0', () => upsample([[1]], [0, 2]), /^upsample: factors must be a positive integer or a pair \[fh, fw\] of them, got \[0,2\]/],
    ['upsample factor 1.5', () => upsample([[1]], 1.5), /^upsample: factors must be .* got 1.5/],
    ['rot90 1-D', () => rot90([1, 2]), /^rot90: x must have at least 2 axes.*\[2\]/],
    ['rot90 fractional k', () => rot90([[1]], 0.5), /^rot90: k must be an integer, got 0.5/],
    ['flip axis out of range', () => flip([[1, 2]], 2), /^flip: axis 2 is out of range for a 2-D tensor \(allowed -2 to 1\)/],
    ['flip repeated axis', () => flip([[1, 2]], [1, -1]), /^flip: axis -1 is repeated in axes \[1,-1\]/],
  ];
  it.each(cases)('%s', (_, run, message) => {
    expect(run).toThrow(message);
  });
});
