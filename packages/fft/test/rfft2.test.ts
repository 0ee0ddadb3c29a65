import { describe, expect, it } from 'vitest';
import { tensor, type Tensor } from '@convlab/core';
import { irfft2, rfft2 } from '@convlab/fft';
import { complexFft, realFft } from '../src/transforms.js';
import { Rfft2Plan } from '../src/rfft2-plan.js';
import { BatchedFft } from '../src/mixed-radix.js';
import { expectClose, loadFixture, randomValues, seededRandom } from '../../../testing/close.js';

interface Packed {
  shape: number[];
  data: number[];
}
const golden = loadFixture<{ rfft2: Array<{ x: Packed; s: [number, number]; re: Packed; im: Packed }> }>('golden/fft.json');

/** The textbook O(n^2) DFT of interleaved complex values. */
function naiveDft(input: ArrayLike<number>, n: number): Float64Array {
  const out = new Float64Array(2 * n);
  for (let k = 0; k < n; k++) {
    let re = 0;
    let im = 0;
    for (let j = 0; j < n; j++) {
      const angle = (-2 * Math.PI * j * k) / n;
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
  const hw = Math.floor(w / 2) + 1;
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

// Powers of two run on fft.js, every other size on the mixed-radix transform: radices 4, 2, 3, 5
// written out, 7, 11 and larger primes through the generic butterfly.
describe('complex and real transforms of one axis', () => {
  it.each([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 15, 16, 18, 20, 24, 25, 27, 30, 45, 49, 60, 64, 77, 97, 120])(
    'complex forward of size %i matches the DFT',
    (n) => {
      const random = seededRandom(n);
      const input = Float64Array.from(randomValues(random, 2 * n));
      const out = new Float64Array(2 * n);
      complexFft(n).forward(out, input);
      expectClose(out, naiveDft(input, n), { rel: 1e-13 });
    },
  );

  it.each([1, 2, 3, 4, 5, 6, 8, 12, 15, 30, 32, 128])('real forward of size %i gives bins 0..n/2 of the DFT', (n) => {
    const random = seededRandom(100 + n);
    const real = Float64Array.from(randomValues(random, n));
    const half = new Float64Array(n + 2);
    realFft(n).forward(half, 0, 2, real);
    const complex = new Float64Array(2 * n);
    real.forEach((v, i) => (complex[2 * i] = v));
    const bins = Math.floor(n / 2) + 1;
    expectClose(half.subarray(0, 2 * bins), naiveDft(complex, n).subarray(0, 2 * bins), { rel: 1e-13 });
  });

  it.each([1, 3, 6, 9, 12, 16])('forwardPair of size %i gives both rows\' half spectra', (n) => {
    const random = seededRandom(300 + n);
    const a = Float64Array.from(randomValues(random, n));
    const b = Float64Array.from(randomValues(random, n));
    const packed = new Float64Array(2 * n);
    a.forEach((v, i) => (packed[2 * i] = v));
    b.forEach((v, i) => (packed[2 * i + 1] = v));
    const bins = Math.floor(n / 2) + 1;
    const both = new Float64Array(4 * bins);
    realFft(n).forwardPair(both, 0, 2 * bins, 2, packed);
    const ha = new Float64Array(2 * bins);
    const hb = new Float64Array(2 * bins);
    realFft(n).forward(ha, 0, 2, a);
    realFft(n).forward(hb, 0, 2, b);
    expectClose(both.subarray(0, 2 * bins), ha, { rel: 1e-13 });
    expectClose(both.subarray(2 * bins), hb, { rel: 1e-13 });
  });

  it.each([1, 2, 3, 4, 6, 9, 12, 16, 64])('inversePair of size %i recovers two real rows (unscaled)', (n) => {
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

  it.each([
    [1, 3],
    [4, 1],
    [12, 7],
    [16, 9],
    [30, 4],
    [14, 5],
  ])('a batch of %i-point transforms down %i columns matches the DFT of each column', (n, count) => {
    const random = seededRandom(400 + n * count);
    const input = Float64Array.from(randomValues(random, 2 * n * count));
    const out = new Float64Array(2 * n * count + 6).fill(NaN);
    new BatchedFft(n, count).forward(out, 3, input, 0);
    for (let c = 0; c < count; c++) {
      const column = new Float64Array(2 * n);
      const got = new Float64Array(2 * n);
      for (let t = 0; t < n; t++) {
        column[2 * t] = input[2 * (t * count + c)]!;
        column[2 * t + 1] = input[2 * (t * count + c) + 1]!;
        got[2 * t] = out[3 + 2 * (t * count + c)]!;
        got[2 * t + 1] = out[3 + 2 * (t * count + c) + 1]!;
      }
      expectClose(got, naiveDft(column, n), { rel: 1e-13 });
    }
    // Nothing outside the result is touched.
    expect(out.subarray(0, 3).every(Number.isNaN)).toBe(true);
    expect(out.subarray(3 + 2 * n * count).every(Number.isNaN)).toBe(true);
  });

  it('rejects sizes that are not positive integers', () => {
    expect(() => complexFft(0)).toThrow(/complexFft: transform size must be a positive integer, got 0/);
    expect(() => realFft(2.5)).toThrow(/realFft: transform size must be a positive integer, got 2.5/);
  });
});

/** x zero-padded (or cropped) to s: what irfft2(rfft2(x, s)) gives back. */
function naivePadded(x: number[], shape: number[], s: [number, number]): Float64Array {
  const [rows, cols] = shape as [number, number];
  const out = new Float64Array(s[0] * s[1]);
  for (let r = 0; r < Math.min(rows, s[0]); r++) {
    for (let c = 0; c < Math.min(cols, s[1]); c++) out[r * s[1] + c] = x[r * cols + c]!;
  }
  return out;
}

describe('rfft2 / irfft2', () => {
  const cases: Array<[number, number, number, number]> = [
    [3, 5, 4, 8],
    [8, 8, 8, 8],
    [1, 7, 1, 8],
    [5, 1, 8, 2],
    [37, 53, 64, 64],
    [12, 12, 12, 12],
    [7, 9, 15, 10],
    [5, 6, 9, 7],
  ];
  it.each(golden.rfft2.map((c) => [c.x.shape.join('x'), c.s.join('x'), c] as const))(
    'matches numpy.fft.rfft2 for a %s plane at size %s',
    (_shape, _size, c) => {
      const spectrum = rfft2(tensor(Float64Array.from(c.x.data), c.x.shape), c.s);
      expect(spectrum.halfWidth).toBe(c.re.shape[1]);
      const expected = new Float64Array(2 * c.re.data.length);
      c.re.data.forEach((v, i) => {
        expected[2 * i] = v;
        expected[2 * i + 1] = c.im.data[i]!;
      });
      expectClose(spectrum.data, expected, { rel: 1e-13 });
      expectClose(irfft2(spectrum).data, naivePadded(c.x.data, c.x.shape, c.s), { rel: 1e-13 });
    },
  );

  it.each(cases)('a %ix%i plane padded to %ix%i matches the definition', (rows, cols, h, w) => {
    const random = seededRandom(rows * 100 + cols);
    const values = randomValues(random, 2 * rows * cols);
    const x = tensor(Float64Array.from(values), [2, rows, cols]);
    const spectrum = rfft2(x, [h, w]);
    expect(spectrum.batchShape).toEqual([2]);
    expect(spectrum.halfWidth).toBe(Math.floor(w / 2) + 1);
    const plane = 2 * h * (Math.floor(w / 2) + 1);
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

  it('says clearly when a size is not a positive integer', () => {
    const x = tensor(new Float64Array(12), [3, 4]);
    expect(() => rfft2(x, [0, 4])).toThrow(/rfft2: transform size must be two positive integers, got \[0, 4\]/);
    expect(() => rfft2(x, [3, 4.5])).toThrow(/got \[3, 4.5\]/);
    expect(() => rfft2(tensor([1, 2, 3, 4]))).toThrow(/rfft2: x must have at least 2 axes, got shape \[4\]/);
  });
});
