import { describe, expect, it } from 'vitest';
import { convolve, correlate, tensor, type ConvMode, type Dtype, type Tensor } from '@convlab/core';
import { fftconvolve, fftcorrelate } from '@convlab/fft';
import { expectClose, flat, loadFixture, randomValues, seededRandom } from '../../../testing/close.js';

interface Packed {
  shape: number[];
  data: number[];
}
interface GoldenCase {
  name: string;
  a: Packed;
  b: Packed;
  results: Record<'fftconvolve' | 'fftcorrelate', Record<ConvMode, Packed | { error: string }>>;
}

const golden = loadFixture<{ cases: GoldenCase[] }>('golden/fft.json');
const modes: ConvMode[] = ['full', 'same', 'valid'];
const functions = { fftconvolve, fftcorrelate };

function make(p: Packed, dtype: Dtype): Tensor {
  const data = dtype === 'float32' ? Float32Array.from(p.data) : Float64Array.from(p.data);
  return tensor(data, p.shape);
}

describe('golden cases from scipy.signal', () => {
  for (const c of golden.cases) {
    for (const name of ['fftconvolve', 'fftcorrelate'] as const) {
      for (const mode of modes) {
        const expected = c.results[name][mode];
        for (const dtype of ['float64', 'float32'] as const) {
          it(`${name} ${mode} ${dtype}: ${c.name}`, () => {
            const run = () => functions[name](make(c.a, dtype), make(c.b, dtype), { mode });
            if ('error' in expected) {
              expect(run).toThrow(/fftcorrelate: mode 'valid' needs one input at least as large as the other in every axis/);
              return;
            }
            const out = run();
            expect(out.shape).toEqual(expected.shape);
            expect(out.data).toBeInstanceOf(dtype === 'float32' ? Float32Array : Float64Array);
            // float64 within FFT round-off; float32 rounded once, so within half an ulp of the largest value.
            expectClose(out.data, expected.data, { rel: dtype === 'float64' ? 1e-12 : 1e-7 });
          });
        }
      }
    }
  }
});

describe('worked examples', () => {
  it("convolve([1,2,3,4,5], [1,2,3]) is [1,4,10,16,22,22,15]", () => {
    expectClose(fftconvolve(tensor([1, 2, 3, 4, 5]), tensor([1, 2, 3])).data, [1, 4, 10, 16, 22, 22, 15], { abs: 1e-12 });
  });
  it("correlate([1,2,3,4,5], [1,2,3,4], 'same') is [11,20,30,40,26] (correlate's centring)", () => {
    const out = fftcorrelate(tensor([1, 2, 3, 4, 5]), tensor([1, 2, 3, 4]), { mode: 'same' });
    expectClose(out.data, [11, 20, 30, 40, 26], { abs: 1e-12 });
  });
  it('the 2-D full convolution of the lecture (63, not the slide typo 65)', () => {
    const out = fftconvolve(tensor([[1, 2, 3], [4, 5, 6], [7, 8, 9]]), tensor([[1, 2], [3, 4]]));
    expectClose(out.data, flat([[1, 4, 7, 6], [7, 23, 33, 24], [19, 53, 63, 42], [21, 52, 59, 36]]), { abs: 1e-12 });
  });
});

/** Plain-loop 2-D convolution (1-D as one row), the independent oracle for random shapes. */
function naiveConvolve(a: number[], ar: number, ac: number, b: number[], br: number, bc: number): number[] {
  const rows = ar + br - 1;
  const cols = ac + bc - 1;
  const out = new Array<number>(rows * cols).fill(0);
  for (let i = 0; i < ar; i++)
    for (let j = 0; j < ac; j++)
      for (let u = 0; u < br; u++) for (let v = 0; v < bc; v++) out[(i + u) * cols + j + v]! += a[i * ac + j]! * b[u * bc + v]!;
  return out;
}

describe('agrees with a plain loop on random shapes', () => {
  const random = seededRandom(42);
  for (let trial = 0; trial < 12; trial++) {
    const ar = 1 + Math.floor(random() * 20);
    const ac = 1 + Math.floor(random() * 40);
    const br = 1 + Math.floor(random() * 9);
    const bc = 1 + Math.floor(random() * 9);
    it(`full ${ar}x${ac} * ${br}x${bc}`, () => {
      const a = randomValues(random, ar * ac);
      const b = randomValues(random, br * bc);
      const out = fftconvolve(tensor(Float64Array.from(a), [ar, ac]), tensor(Float64Array.from(b), [br, bc]));
      expect(out.shape).toEqual([ar + br - 1, ac + bc - 1]);
      expectClose(out.data, naiveConvolve(a, ar, ac, b, br, bc), { rel: 1e-10 });
    });
  }
  it('a long 1-D signal', () => {
    const a = randomValues(random, 5000);
    const b = randomValues(random, 301);
    const out = fftconvolve(tensor(Float64Array.from(a), [5000]), tensor(Float64Array.from(b), [301]));
    expectClose(out.data, naiveConvolve(a, 1, 5000, b, 1, 301), { rel: 1e-10 });
  });
});

describe("agrees with core's direct convolve and correlate", () => {
  const random = seededRandom(77);
  const pick = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  for (let trial = 0; trial < 10; trial++) {
    const twoD = trial % 2 === 1;
    // No length-1 axes here: there scipy's fftconvolve and convolve disagree on 'valid' (see docs/fft.md).
    const sa = twoD ? [pick(6, 15), pick(6, 30)] : [pick(12, 60)];
    const sb = twoD ? [pick(2, 6), pick(2, 6)] : [pick(2, 12)];
    const [first, second] = trial % 3 === 0 ? [sb, sa] : [sa, sb];
    for (const dtype of ['float64', 'float32'] as const) {
      it(`[${first}] with [${second}] ${dtype}, every mode`, () => {
        const a = make({ shape: first, data: randomValues(random, first.reduce((p, q) => p * q, 1)) }, dtype);
        const b = make({ shape: second, data: randomValues(random, second.reduce((p, q) => p * q, 1)) }, dtype);
        for (const mode of modes) {
          const rel = dtype === 'float64' ? 1e-10 : 1e-4;
          const c = fftconvolve(a, b, { mode });
          const cRef = convolve(a, b, { mode });
          expect(c.shape).toEqual(cRef.shape);
          expectClose(c.data, cRef.data, { rel });
          const r = fftcorrelate(a, b, mode);
          const rRef = correlate(a, b, mode);
          expect(r.shape).toEqual(rRef.shape);
          expectClose(r.data, rRef.data, { rel });
        }
      });
    }
  }
});

describe('inputs', () => {
  it('takes nested arrays and a bare mode string, as core does', () => {
    expectClose(fftconvolve([1, 2, 3, 4, 5], [1, 2, 3], 'valid').data, [10, 16, 22], { abs: 1e-12 });
    expectClose(fftcorrelate([[1, 2], [3, 4]], [[1, 1]], { mode: 'same' }).data, [1, 3, 3, 7], { abs: 1e-12 });
  });

  it('a non-contiguous view gives the same answer as its contiguous copy', () => {
    const random = seededRandom(3);
    const base = tensor(Float64Array.from(randomValues(random, 12 * 10)), [12, 10]);
    const view = base.transpose(1, 0).hi(9, 11).lo(1, 2) as Tensor;
    const copy = tensor(Float64Array.from({ length: 8 * 9 }, (_, i) => view.get(Math.floor(i / 9), i % 9)), [8, 9]);
    const k = tensor([[1, -2, 0.5], [0.25, 3, -1]]);
    for (const mode of modes) expect(Array.from(fftcorrelate(view, k, { mode }).data)).toEqual(Array.from(fftcorrelate(copy, k, { mode }).data));
  });

  it('float32 only when both inputs are float32', () => {
    expect(fftconvolve(tensor([1, 2], 'float32'), tensor([1, 1], 'float64')).data).toBeInstanceOf(Float64Array);
    expect(fftconvolve(tensor([1, 2], 'float32'), tensor([1, 1], 'float32')).data).toBeInstanceOf(Float32Array);
  });

  it('NaN and infinities propagate as IEEE arithmetic makes them, without an error', () => {
    const out = fftconvolve(tensor([1, NaN, 3, 4, 5]), tensor([1, 1]));
    expect(out.shape).toEqual([6]);
    // Every bin of the spectrum sums every sample, so one NaN reaches every output.
    expect(Array.from(out.data).every(Number.isNaN)).toBe(true);
    const inf = fftconvolve(tensor([[1, Infinity], [3, 4]]), tensor([[1, 1]]));
    expect(Array.from(inf.data).every(Number.isNaN)).toBe(true);
    // With nothing to transform the product is exact: inf stays where it is.
    expect(Array.from(fftconvolve(tensor([1, Infinity, 3]), tensor([2])).data)).toEqual([2, Infinity, 6]);
  });
});

describe('bad input is a clear error', () => {
  it('names the rank mismatch', () => {
    expect(() => fftconvolve(tensor([1, 2, 3]), tensor([[1, 2]]))).toThrow(
      /fftconvolve: a and b must have the same number of dimensions, got shapes \[3\] and \[1, 2\]/,
    );
  });
  it('names an unsupported rank', () => {
    expect(() => fftcorrelate(tensor([[[1]]]), tensor([[[1]]]))).toThrow(/fftcorrelate: a must be 1 or 2-D, got shape \[1, 1, 1\]/);
  });
  it('names empty inputs', () => {
    expect(() => fftconvolve(tensor(new Float64Array(0), [0]), tensor([1]))).toThrow(/fftconvolve: inputs must not be empty, got shapes \[0\] and \[1\]/);
  });
  it('names a bad mode', () => {
    expect(() => fftconvolve(tensor([1]), tensor([1]), { mode: 'middle' as ConvMode })).toThrow(
      /fftconvolve: mode must be 'full', 'valid' or 'same', got "middle"/,
    );
  });
  it("names the shapes when neither input fits inside the other for 'valid'", () => {
    expect(() => fftconvolve(tensor(new Float64Array(6), [2, 3]), tensor(new Float64Array(6), [3, 2]), { mode: 'valid' })).toThrow(
      /fftconvolve: mode 'valid' needs one input at least as large as the other in every axis, got shapes \[2, 3\] and \[3, 2\]/,
    );
  });
  it('rejects something that is not a tensor', () => {
    expect(() => fftconvolve({ shape: [2] } as unknown as Tensor, tensor([1]))).toThrow(/fftconvolve: a must be a tensor/);
  });
});
