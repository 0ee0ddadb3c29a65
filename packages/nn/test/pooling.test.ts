import { describe, expect, it } from 'vitest';
import { dense, tensor, toNested, upsample } from '@convlab/core';
import { AvgPool2d, MaxPool2d } from '@convlab/nn';
import { expectClose, randomValues, seededRandom } from '../../../testing/close.js';

describe('pooling backward as the lecture states it', () => {
  it('mean pooling 2x2: delta [[1,3],[2,4]] upsamples to the slide\'s 0.25 / 0.75 / 0.5 / 1 blocks', () => {
    const pool = new AvgPool2d({ kernelSize: 2 });
    pool.forward(tensor([[[[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12], [13, 14, 15, 16]]]]));
    const gx = pool.backward(tensor([[[[1, 3], [2, 4]]]]));
    expect(toNested(gx)).toEqual([
      [
        [
          [0.25, 0.25, 0.75, 0.75],
          [0.25, 0.25, 0.75, 0.75],
          [0.5, 0.5, 1, 1],
          [0.5, 0.5, 1, 1],
        ],
      ],
    ]);
  });

  it('mean pooling p x p, non-overlapping: backward = kron(delta, ones(p, p)) / p^2 (core upsample)', () => {
    const random = seededRandom(3);
    for (const p of [2, 3]) {
      const x = tensor(Float64Array.from(randomValues(random, 2 * 3 * 6 * 6)), [2, 3, 6, 6]);
      const pool = new AvgPool2d({ kernelSize: p });
      const y = pool.forward(x);
      const delta = tensor(Float64Array.from(randomValues(random, y.size)), y.shape);
      const expected = dense(upsample(delta, [p, p])).data.map((v) => v / (p * p));
      expectClose(dense(pool.backward(delta)).data, expected, { rel: 1e-15 });
    }
  });

  it('max pooling routes each delta to its switch: the slide\'s [[1,3],[2,4]] example', () => {
    // Maxima placed where the slide puts them: (1,1) -> 1, (0,3) -> 3, (2,0) -> 2, (3,2) -> 4.
    const x = tensor([[[[0, 0, 0, 9], [0, 9, 0, 0], [9, 0, 0, 0], [0, 0, 9, 0]]]]);
    const pool = new MaxPool2d({ kernelSize: 2 });
    expect(toNested(pool.forward(x))).toEqual([[[[9, 9], [9, 9]]]]);
    expect(toNested(pool.backward(tensor([[[[1, 3], [2, 4]]]])))).toEqual([
      [
        [
          [0, 0, 0, 3],
          [0, 1, 0, 0],
          [2, 0, 0, 0],
          [0, 0, 4, 0],
        ],
      ],
    ]);
  });

  it('max pooling: ties go to the first maximum; overlapping windows that share a maximum add their deltas', () => {
    const pool = new MaxPool2d({ kernelSize: 2, stride: 1 });
    const y = pool.forward(tensor([[[[1, 1, 0], [0, 5, 0], [0, 0, 0]]]]));
    expect(toNested(y)).toEqual([[[[5, 5], [5, 5]]]]);
    expect(toNested(pool.backward(tensor([[[[1, 2], [3, 4]]]])))).toEqual([[[[0, 0, 0], [0, 10, 0], [0, 0, 0]]]]);
    const tie = new MaxPool2d({ kernelSize: 2 });
    tie.forward(tensor([[[[7, 7], [7, 7]]]]));
    expect(toNested(tie.backward(tensor([[[[1]]]])))).toEqual([[[[1, 0], [0, 0]]]]);
  });

  it('max pooling: -Infinity inputs are real values, padding is never chosen, NaN propagates', () => {
    const pool = new MaxPool2d({ kernelSize: 2, padding: 1 });
    const y = pool.forward(tensor([[[[-Infinity, -5], [-7, -Infinity]]]]));
    expect(toNested(y)).toEqual([[[[-Infinity, -5], [-7, -Infinity]]]]);
    expect(toNested(pool.backward(tensor([[[[1, 2], [3, 4]]]])))).toEqual([[[[1, 2], [3, 4]]]]);
    const nan = new MaxPool2d({ kernelSize: 2 }).forward(tensor([[[[1, NaN], [3, 2]]]]));
    expect(Number.isNaN(nan.data[0])).toBe(true);
  });

  it('accepts non-contiguous views and gives the same numbers as on a copy', () => {
    const random = seededRandom(9);
    const base = tensor(Float64Array.from(randomValues(random, 2 * 3 * 9 * 9)), [2, 3, 9, 9]);
    const view = base.transpose(0, 1, 3, 2);
    const copy = tensor(dense(view).data.slice(), view.shape);
    for (const make of [() => new MaxPool2d({ kernelSize: 3 }), () => new AvgPool2d({ kernelSize: 3, stride: 2, padding: 1 })]) {
      expect(dense(make().forward(view)).data).toEqual(dense(make().forward(copy)).data);
    }
  });
});

describe('pooling errors', () => {
  it('names the layer and the sizes when the window does not fit', () => {
    const x = tensor(new Float64Array(49), [1, 1, 7, 7]);
    expect(() => new MaxPool2d({ kernelSize: 2 }).forward(x)).toThrow(/MaxPool2d: the filter does not fit: output height .*7.*not a whole number/);
    expect(() => new AvgPool2d({ kernelSize: 9 }).forward(x)).toThrow(/AvgPool2d: the filter does not fit: height 7/);
    expect(new MaxPool2d({ kernelSize: 2, floor: true }).forward(x).shape).toEqual([1, 1, 3, 3]);
  });

  it('rejects bad options at construction and bad inputs at forward', () => {
    expect(() => new MaxPool2d({ kernelSize: 0 })).toThrow(/MaxPool2d: kernelSize must be a positive integer/);
    expect(() => new MaxPool2d({ kernelSize: 2, stride: 1.5 })).toThrow(/MaxPool2d: stride must be a positive integer/);
    expect(() => new AvgPool2d({ kernelSize: 2, padding: 2 })).toThrow(/AvgPool2d: padding \[2, 2\] must be at most half the kernel \[2, 2\]/);
    expect(() => new MaxPool2d({ kernelSize: 2 }).forward(tensor([[1, 2], [3, 4]]))).toThrow(/MaxPool2d: input must be 4-D/);
    expect(() => new MaxPool2d({ kernelSize: 2 }).backward(tensor([[[[1]]]]))).toThrow(/MaxPool2d: backward called before forward/);
    const pool = new MaxPool2d({ kernelSize: 2 });
    pool.forward(tensor(new Float64Array(16), [1, 1, 4, 4]));
    expect(() => pool.backward(tensor(new Float64Array(4), [1, 1, 4, 1]))).toThrow(
      /MaxPool2d.backward: gradient shape \[1, 1, 4, 1\] does not match the output shape \[1, 1, 2, 2\]/,
    );
  });
});
