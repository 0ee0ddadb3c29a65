/**
 * The one typed adapter over fft.js. Everything fft.js does that a caller must not see stays in
 * this file: its `any` types, its power-of-two sizes, its real transform that fills only the left
 * half of a full-length complex buffer, and its 1/n inverse scaling. Outside this file a transform
 * is a plan of a fixed size (transforms.ts) working on Float64Array buffers of interleaved
 * (re, im) pairs, forward sign e^{-2 pi i jk/n}, never scaled.
 */
import FFT from 'fft.js';
import type { ComplexFft } from './transforms.js';

/** fft.js's object, as far as this adapter uses it. */
interface FftJs {
  transform(out: Float64Array, data: Float64Array): void;
  realTransform(out: Float64Array, data: Float64Array): void;
}

export class PowerOfTwoComplexFft implements ComplexFft {
  private readonly fft: FftJs;
  private readonly scratchIn: Float64Array;
  private readonly scratchOut: Float64Array;

  /** n: a power of two >= 2 (fft.js refuses smaller sizes). */
  constructor(readonly n: number) {
    this.fft = new FFT(n) as unknown as FftJs;
    this.scratchIn = new Float64Array(2 * n);
    this.scratchOut = new Float64Array(2 * n);
  }

  forward(out: Float64Array, input: Float64Array): void {
    this.fft.transform(out, input);
  }

  // fft.js's inverseTransform divides by n in an extra pass; the inverse is the forward transform
  // of the conjugate, conjugated, which costs nothing beyond the copies made here.
  inverse(out: Float64Array, input: Float64Array): void {
    const m = 2 * this.n;
    const a = this.scratchIn;
    const b = this.scratchOut;
    for (let i = 0; i < m; i += 2) {
      a[i] = input[i]!;
      a[i + 1] = -input[i + 1]!;
    }
    this.fft.transform(b, a);
    for (let i = 0; i < m; i += 2) {
      out[i] = b[i]!;
      out[i + 1] = -b[i + 1]!;
    }
  }

  /**
   * fft.js's realTransform: the DFT of n real values, of which it writes only bins 0..n/2 into
   * `full` (2 n doubles); about half the work of a complex transform.
   */
  realHalfSpectrum(full: Float64Array, input: Float64Array): void {
    this.fft.realTransform(full, input);
  }
}
