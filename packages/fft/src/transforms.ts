/**
 * One-axis transform plans by size, cached (a 2-D plan's column pass is batched instead:
 * rfft2-plan.ts). Powers of two run on fft.js; every other size on the
 * mixed-radix transform of our own (mixed-radix.ts), which is fast for 5-smooth sizes
 * (2^a 3^b 5^c). `nextFastSize` picks such a size for padding, as scipy.fft.next_fast_len does.
 */
import { PowerOfTwoComplexFft } from './fftjs.js';
import { MixedRadixFft } from './mixed-radix.js';
import { PairedRealFft } from './real-fft.js';
import { cachePlan, cachedPlan } from './plan-cache.js';

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

export function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n >= 1 && (n & (n - 1)) === 0;
}

/** The smallest 5-smooth number (2^a 3^b 5^c) >= n, for n >= 1. */
export function nextFastSize(n: number): number {
  for (let m = Math.max(1, Math.ceil(n)); ; m++) {
    let rest = m;
    for (const p of [2, 3, 5]) while (rest % p === 0) rest /= p;
    if (rest === 1) return m;
  }
}


function checkSize(n: number, who: string): void {
  if (!Number.isInteger(n) || n < 1) throw new Error(`${who}: transform size must be a positive integer, got ${n}`);
}

/** Plans up to this size are kept for reuse (plan-cache.ts); a larger one (a long 1-D signal) lives for its call only. */
const CACHED_SIZE = 1 << 16;

/** The complex plan of size n (any n >= 1), cached when it is not huge. */
export function complexFft(n: number): ComplexFft {
  let plan = cachedPlan<ComplexFft>(`complex:${n}`);
  if (!plan) {
    checkSize(n, 'complexFft');
    plan = isPowerOfTwo(n) && n >= 2 ? new PowerOfTwoComplexFft(n) : new MixedRadixFft(n);
    if (n <= CACHED_SIZE) cachePlan(`complex:${n}`, plan);
  }
  return plan;
}

/** The real plan of size n (any n >= 1), cached when it is not huge. */
export function realFft(n: number): RealFft {
  let plan = cachedPlan<RealFft>(`real:${n}`);
  if (!plan) {
    checkSize(n, 'realFft');
    const complex = complexFft(n);
    plan =
      complex instanceof PowerOfTwoComplexFft
        ? new PairedRealFft(complex, (full, input) => complex.realHalfSpectrum(full, input))
        : new PairedRealFft(complex);
    if (n <= CACHED_SIZE) cachePlan(`real:${n}`, plan);
  }
  return plan;
}

/**
 * The sizes worth trying for a transform of at least `least` points: the 5-smooth sizes from the
 * smallest up to the next power of two (beyond it nothing is both larger and cheaper).
 */
export function sizeCandidates(least: number): number[] {
  const out: number[] = [];
  for (let n = nextFastSize(least); ; n = nextFastSize(n + 1)) {
    out.push(n);
    if (isPowerOfTwo(n)) return out;
  }
}

/**
 * The work of one h x w real 2-D transform in units of a power-of-two transform's n log2 n: the
 * mixed-radix transform costs `mixedRadixFactor` times as much per point (measured, cost-constants.ts).
 */
export function transformWork(height: number, width: number, mixedRadixFactor: number): number {
  const n = height * width;
  const work = n * Math.log2(Math.max(2, n));
  return isPowerOfTwo(height) && isPowerOfTwo(width) ? work : work * mixedRadixFactor;
}
