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
import type { ComplexFft, RealFft } from './fft-interfaces.js';

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
