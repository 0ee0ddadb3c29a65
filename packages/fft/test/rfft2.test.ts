import { describe, expect, it } from 'vitest';
import { tensor, type Tensor } from '@convlab/core';
import { irfft2, rfft2 } from '@convlab/fft';
import { complexFft, realFft } from '../src/fftjs.js';
import { Rfft2Plan } from '../src/rfft2-plan.js';
import { expectClose, randomValues, seededRandom } from '../../../testing/close.js';

/** The textbook O(n^2) DFT of interleaved complex values. */
function naiveDft(input: ArrayLike<number>, n: number, sign = -1): Float64Array {
  const out = new Float64Array(2 * n);
  for (let k = 0; k < n; k++) {
    let re = 0;
    let im = 0;
    for (let j = 0; j < n; j++) {
      const angle = (sign * 2 * Math.PI * j * k) / n;
      re += input[2 * j]! * Math.cos(angle) - input[2 * j + 1]! * Math.sin(angle);
      im += input[2 * j]! * Math.sin(angle) + input[2 * j + 1]! * Math.cos(angle);
    }
    out[2 * k] = re;
    out[2 * k + 1] = im;
  }
  return out;
}

/** numpy.fft.rfft2 by definition: bins (r, j), j <= w/2, of the zero-padded h x w plane. */
function naiveRfft2(x: number[], rows: number, cols: number, h: number, w: number): Float64Array {
  const hw = w / 2 + 1;
  const out = new Float64Array(2 * h * hw);
  for (let u = 0; u < h; u++) {
    for (let v = 0; v < hw; v++) {
      let re = 0;
      let im = 0;
      for (let r = 0; r < rows; r++) {
        for (let c = 0; c < cols; c++) {
          const angle = -2 * Math.PI * ((u * r) / h + (v * c) / w);
          re += x[r * cols + c]! * Math.cos(angle);
          im += x[r * cols + c]! * Math.sin(angle);
        }
      }
      out[2 * (u * hw + v)] = re;
      out[2 * (u * hw + v) + 1] = im;
    }
  }
  return out;
}

describe('fft.js adapter', () => {
  it.each([1, 2, 4, 8, 16, 64])('complex forward and inverse of size %i match the DFT', (n) => {
    const random = seededRandom(n);
    const input = Float64Array.from(randomValues(random, 2 * n));
    const out = new Float64Array(2 * n);
    complexFft(n).forward(out, input);
    expectClose(out, naiveDft(input, n), { rel: 1e-13 });
    complexFft(n).inverse(out, input);
    expectClose(out, naiveDft(input, n, +1), { rel: 1e-13 });
  });

  it.each([2, 4, 8, 32, 128])('real forward of size %i gives bins 0..n/2 of the DFT', (n) => {
    const random = seededRandom(100 + n);
    const real = Float64Array.from(randomValues(random, n));
    const half = new Float64Array(n + 2);
    realFft(n).forward(half, 0, 2, real);
    const complex = new Float64Array(2 * n);
    real.forEach((v, i) => (complex[2 * i] = v));
    expectClose(half, naiveDft(complex, n).subarray(0, n + 2), { rel: 1e-13 });
  });

  it.each([2, 4, 16, 64])('inversePair of size %i recovers two real rows (unscaled)', (n) => {
    const random = seededRandom(200 + n);
    const a = Float64Array.from(randomValues(random, n));
    const b = Float64Array.from(randomValues(random, n));
    const ha = new Float64Array(n + 2);
    const hb = new Float64Array(n + 2);
    realFft(n).forward(ha, 0, 2, a);
    realFft(n).forward(hb, 0, 2, b);
    const outA = new Float64Array(n);
    const outB = new Float64Array(n);
    realFft(n).inversePair(outA, outB, ha, 0, hb, 0, 2, false);
    expectClose(outA.map((v) => v / n), a, { rel: 1e-14 });
    expectClose(outB.map((v) => v / n), b, { rel: 1e-14 });
  });

  it('rejects sizes that are not powers of two', () => {
    expect(() => complexFft(12)).toThrow(/power of two >= 1, got 12/);
    expect(() => realFft(1)).toThrow(/power of two >= 2, got 1/);
  });
});

describe('rfft2 / irfft2', () => {
  const cases: Array<[number, number, number, number]> = [
    [3, 5, 4, 8],
    [8, 8, 8, 8],
    [1, 7, 1, 8],
    [5, 1, 8, 2],
    [37, 53, 64, 64],
  ];
  it.each(cases)('a %ix%i plane padded to %ix%i matches the definition', (rows, cols, h, w) => {
    const random = seededRandom(rows * 100 + cols);
    const values = randomValues(random, 2 * rows * cols);
    const x = tensor(Float64Array.from(values), [2, rows, cols]);
    const spectrum = rfft2(x, [h, w]);
    expect(spectrum.batchShape).toEqual([2]);
    expect(spectrum.halfWidth).toBe(w / 2 + 1);
    const plane = 2 * h * (w / 2 + 1);
    for (let p = 0; p < 2; p++) {
      const expected = naiveRfft2(values.slice(p * rows * cols, (p + 1) * rows * cols), rows, cols, h, w);
      expectClose(spectrum.data.subarray(p * plane, (p + 1) * plane), expected, { rel: 1e-13 });
    }
  });

  it('round trip: irfft2(rfft2(x)) is x, zero padding included', () => {
    const random = seededRandom(7);
    const values = randomValues(random, 3 * 2 * 5 * 6);
    const x = tensor(Float64Array.from(values), [3, 2, 5, 6]);
    const back = irfft2(rfft2(x, [8, 8]));
    expect(back.shape).toEqual([3, 2, 8, 8]);
    const expected = new Float64Array(3 * 2 * 64);
    for (let p = 0; p < 6; p++) {
      for (let r = 0; r < 5; r++) for (let c = 0; c < 6; c++) expected[p * 64 + r * 8 + c] = values[p * 30 + r * 6 + c]!;
    }
    expectClose(back.data, expected, { rel: 1e-14 });
  });

  it('round trip in float32 rounds once', () => {
    const random = seededRandom(8);
    const x = tensor(Float32Array.from(randomValues(random, 16 * 16)), [16, 16]);
    const back = irfft2(rfft2(x), 'float32');
    expect(back.data).toBeInstanceOf(Float32Array);
    expect(Array.from(back.data)).toEqual(Array.from(x.data));
  });

  it("Parseval: sum |x|^2 = sum over the full spectrum |X|^2 / (h w)", () => {
    const random = seededRandom(9);
    const [rows, cols, h, w] = [13, 29, 16, 32];
    const values = randomValues(random, rows * cols);
    const spectrum = rfft2(tensor(Float64Array.from(values), [rows, cols]), [h, w]);
    const hw = w / 2 + 1;
    let energy = 0;
    for (let r = 0; r < h; r++) {
      for (let j = 0; j < hw; j++) {
        const re = spectrum.data[2 * (r * hw + j)]!;
        const im = spectrum.data[2 * (r * hw + j) + 1]!;
        // Bins 1..w/2-1 stand for themselves and their mirror images w-j.
        energy += (j === 0 || j === w / 2 ? 1 : 2) * (re * re + im * im);
      }
    }
    const direct = values.reduce((s, v) => s + v * v, 0);
    expect(Math.abs(energy / (h * w) - direct)).toBeLessThan(1e-12 * direct);
  });

  it('accepts a non-contiguous view', () => {
    const random = seededRandom(10);
    const x = tensor(Float64Array.from(randomValues(random, 8 * 8)), [8, 8]);
    const view = x.transpose(1, 0) as Tensor;
    const copy = tensor(Float64Array.from({ length: 64 }, (_, i) => x.get(i % 8, Math.floor(i / 8))), [8, 8]);
    expectClose(rfft2(view).data, rfft2(copy).data, { rel: 0 });
  });

  it('rows through realTransform one by one give the same spectrum as rows in pairs', () => {
    const random = seededRandom(12);
    const src = Float64Array.from(randomValues(random, 7 * 13));
    const paired = new Rfft2Plan(8, 16, true);
    const single = new Rfft2Plan(8, 16, false);
    const a = new Float64Array(2 * paired.bins);
    const b = new Float64Array(2 * paired.bins);
    paired.forward(a, 0, 2, 1, src, 0, 7, 13, 13);
    single.forward(b, 0, 2, 1, src, 0, 7, 13, 13);
    expectClose(a, b, { rel: 1e-14 });
  });

  it('the inverse reads a strided window that wraps around the period', () => {
    const random = seededRandom(13);
    const [h, w] = [8, 8];
    const values = randomValues(random, h * w);
    const plan = new Rfft2Plan(h, w);
    const spectrum = new Float64Array(2 * plan.bins);
    plan.forward(spectrum, 0, 2, 1, Float64Array.from(values), 0, h, w, w);
    // Rows -3, -1, 1 (mod 8) and columns 6, 1, 4, 7 (mod 8): start -2 step 3.
    const out = new Float32Array(3 * 4);
    plan.inverse(out, 0, 4, spectrum, 0, 2, 1, -3, 3, 2, -2, 4, 3, 1 / (h * w), 0.5);
    const expected = [];
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 4; j++) expected.push(values[(((-3 + 2 * i) % h) + h) % h * w + ((((-2 + 3 * j) % w) + w) % w)]! + 0.5);
    }
    expectClose(out, expected, { rel: 1e-7 });
  });

  it('says clearly when a size is not a power of two', () => {
    const x = tensor(new Float64Array(12), [3, 4]);
    expect(() => rfft2(x)).toThrow(/rfft2: transform size must be two powers of two.*got \[3, 4\]/);
    expect(() => rfft2(tensor([1, 2, 3, 4]))).toThrow(/rfft2: x must have at least 2 axes, got shape \[4\]/);
  });
});
