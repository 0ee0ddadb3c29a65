import { describe, expect, it } from 'vitest';
import { prepareDigit, prepareDigitLayout } from '@convlab/nn';
import { expectClose, loadFixture } from '../../../testing/close.js';

interface DigitCase {
  name: string;
  width: number;
  height: number;
  pixels: number[];
  inkThreshold?: number;
  crop: [number, number, number, number];
  size: [number, number];
  at: [number, number];
  output: number[];
}

/** numpy's area averaging and scipy's centre of mass (fixtures/generate/digit_golden.py). */
const golden = loadFixture<{ cases: DigitCase[] }>('golden/digit.json').cases;

const drawing = (c: DigitCase) => Float64Array.from(c.pixels, (v) => v / 255);
const options = (c: DigitCase) => (c.inkThreshold === undefined ? {} : { inkThreshold: c.inkThreshold });

describe('prepareDigit against numpy and scipy', () => {
  it.each(golden.map((c) => [c.name, c] as const))('%s', (_, c) => {
    const got = prepareDigitLayout(drawing(c), c.width, c.height, options(c));
    expect({ crop: got.crop, size: got.size, at: got.at }).toEqual({ crop: c.crop, size: c.size, at: c.at });
    expect(got.pixels).toBeInstanceOf(Float32Array);
    expectClose(got.pixels, c.output, { rel: 1e-6 });
  });

  it('takes float32 pixels too, to float32 round-off', () => {
    for (const c of golden) {
      expectClose(prepareDigit(Float32Array.from(drawing(c)), c.width, c.height, options(c)), c.output, { rel: 1e-6 });
    }
  });
});

describe('prepareDigit properties', () => {
  const seven = golden[0]!;

  it('ignores where the digit sits and how much empty margin surrounds it', () => {
    const big = new Float64Array(300 * 250);
    const src = drawing(seven);
    for (let r = 0; r < seven.height; r++) {
      for (let c = 0; c < seven.width; c++) big[(r + 97) * 250 + c + 61] = src[r * seven.width + c]!;
    }
    expect(prepareDigit(big, 250, 300)).toEqual(prepareDigit(src, seven.width, seven.height));
  });

  it('keeps the ink it resamples: the total scales by the area ratio', () => {
    const c = golden[1]!;
    const src = drawing(c);
    const { crop, size, pixels } = prepareDigitLayout(src, c.width, c.height);
    const sum = (a: ArrayLike<number>) => {
      let s = 0;
      for (let i = 0; i < a.length; i++) s += a[i]!;
      return s;
    };
    expect(sum(pixels)).toBeCloseTo((sum(src) * size[0] * size[1]) / (crop[2] * crop[3]), 3);
  });
});

describe('prepareDigit refuses what it cannot prepare', () => {
  it.each([
    ['an all-black drawing', () => prepareDigit(new Float32Array(280 * 280), 280, 280), /^the drawing is empty: no pixel is above the ink threshold 0\.05$/],
    ['a drawing fainter than the threshold', () => prepareDigit(new Float32Array(16).fill(0.04), 4, 4), /^the drawing is empty/],
    ['too few pixels', () => prepareDigit(new Float32Array(10), 4, 4), /^prepareDigit: 4x4 needs 16 pixels, got 10$/],
    ['a zero width', () => prepareDigit(new Float32Array(0), 0, 4), /^prepareDigit: width and height must be positive integers, got 0x4$/],
    ['a NaN pixel', () => prepareDigit(Float32Array.of(0, NaN, 1, 1), 2, 2), /^prepareDigit: pixel 1 is NaN; pixels must be finite and non-negative$/],
    ['a negative pixel', () => prepareDigit(Float32Array.of(0, 1, -1, 1), 2, 2), /^prepareDigit: pixel 2 is -1; pixels must be finite and non-negative$/],
    ['a negative threshold', () => prepareDigit(Float32Array.of(1), 1, 1, { inkThreshold: -1 }), /^prepareDigit: inkThreshold must be a non-negative number, got -1$/],
  ])('%s', (_, run, message) => {
    expect(run).toThrow(message);
  });
});
