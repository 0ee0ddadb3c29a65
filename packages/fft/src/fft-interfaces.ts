/*
 * What a one-axis transform plan offers, apart from the plans themselves and the cache that picks
 * them (transforms.ts), so that the plans import these types without importing the cache.
 */

/** An unscaled complex DFT of one size; buffers hold n interleaved (re, im) pairs. */
export interface ComplexFft {
  readonly n: number;
  /** out[k] = sum_j input[j] e^{-2 pi i jk/n}. `out` and `input` must be different buffers. */
  forward(out: Float64Array, input: Float64Array): void;
}

/**
 * The DFT of n real values, kept as its floor(n/2) + 1 non-redundant bins (the half spectrum).
 * Half spectra live in a caller's buffer, bin k at `offset + k * stride` (re) and the next double
 * (im), so that a 2-D transform can write them straight down its columns.
 */
export interface RealFft {
  readonly n: number;
  /** Half spectrum of `input[0..n)`. */
  forward(dst: Float64Array, offset: number, stride: number, input: Float64Array): void;
  /**
   * Half spectra of two real sequences at once: `packed` holds a in its even slots and b in its
   * odd ones (z = a + i b, n complex values); one complex transform of z gives both.
   */
  forwardPair(dst: Float64Array, offsetA: number, offsetB: number, stride: number, packed: Float64Array): void;
  /**
   * Two real sequences from two half spectra at once (one complex transform carries both:
   * z = a + i b). Unscaled: out = n x the true inverse. `conjugated` says the buffers hold the
   * conjugates of the half spectra. Imaginary parts of bin 0 (and of bin n/2 for an even n),
   * which a real sequence's spectrum does not have, are ignored, as numpy's irfft does.
   */
  inversePair(
    outA: Float64Array,
    outB: Float64Array,
    srcA: Float64Array,
    offsetA: number,
    srcB: Float64Array,
    offsetB: number,
    stride: number,
    conjugated: boolean,
  ): void;
}
