/**
 * The one typed adapter over fft.js. Everything fft.js does that a caller must not see stays in
 * this file: its `any` types, its power-of-two sizes and its real transform that fills only the
 * left half of a full-length complex buffer (its inverse, which scales by 1/n, is not used: an
 * inverse here is the forward transform of the conjugate). Outside this file a transform
 * is a plan of a fixed size (transforms.ts) working on Float64Array buffers of interleaved
 * (re, im) pairs, forward sign e^{-2 pi i jk/n}, never scaled.
 */
import FFT from 'fft.js';
import type { ComplexFft } from './fft-interfaces.js';

/** fft.js's object, as far as this adapter uses it. */
interface FftJs {
  transform(out: Float64Array, data: Float64Array): void;
  realTransform(out: Float64Array, data: Float64Array): void;
}

export class PowerOfTwoComplexFft implements ComplexFft {
  private readonly fft: FftJs;

  /** n: a power of two >= 2 (fft.js refuses smaller sizes). */
  constructor(readonly n: number) {
    this.fft = new FFT(n) as unknown as FftJs;
  }

  forward(out: Float64Array, input: Float64Array): void {
    this.fft.transform(out, input);
  }

  /**
   * fft.js's realTransform: the DFT of n real values, of which it writes only bins 0..n/2 into
   * `full` (2 n doubles); about half the work of a complex transform.
   */
  realHalfSpectrum(full: Float64Array, input: Float64Array): void {
    this.fft.realTransform(full, input);
  }
}
