/**
 * The one typed adapter over fft.js. Everything fft.js does that a caller must not see stays in
 * this file: its `any` types, its power-of-two sizes, its real transform that fills only the left
 * half of a full-length complex buffer, its lack of an inverse real transform, and its 1/n
 * inverse scaling. Outside this file a transform is a plan of a fixed size working on
 * Float64Array buffers of interleaved (re, im) pairs, forward sign e^{-2 pi i jk/n}, never scaled.
 */
import FFT from 'fft.js';

/** fft.js's object, as far as this adapter uses it. */
interface FftJs {
  transform(out: Float64Array, data: Float64Array): void;
  realTransform(out: Float64Array, data: Float64Array): void;
}

export function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n >= 1 && (n & (n - 1)) === 0;
}

/** The smallest power of two >= n (n >= 1). */
export function nextPowerOfTwo(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/** An unscaled complex DFT of one power-of-two size; buffers hold n interleaved (re, im) pairs. */
export interface ComplexFft {
  readonly n: number;
  /** out[k] = sum_j input[j] e^{-2 pi i jk/n}. `out` and `input` must be different buffers. */
  forward(out: Float64Array, input: Float64Array): void;
  /** out[k] = sum_j input[j] e^{+2 pi i jk/n} (no 1/n). `out` and `input` may be the same buffer. */
  inverse(out: Float64Array, input: Float64Array): void;
}

/**
 * The DFT of n real values, kept as its n/2 + 1 non-redundant bins (the half spectrum). Half
 * spectra live in a caller's buffer, bin k at `offset + k * stride` (re) and the next double (im),
 * so that a 2-D transform can write them straight down its columns.
 */
export interface RealFft {
  readonly n: number;
  /** Half spectrum of `input[0..n)` (fft.js's realTransform). */
  forward(dst: Float64Array, offset: number, stride: number, input: Float64Array): void;
  /**
   * Half spectra of two real sequences at once: `packed` holds a in its even slots and b in its
   * odd ones (z = a + i b, n complex values); one complex transform of z gives both.
   */
  forwardPair(dst: Float64Array, offsetA: number, offsetB: number, stride: number, packed: Float64Array): void;
  /**
   * Two real sequences from two half spectra at once (one complex transform carries both:
   * z = a + i b). Unscaled: out = n x the true inverse. `conjugated` says the buffers hold the
   * conjugates of the half spectra. Imaginary parts of bins 0 and n/2, which a real sequence's
   * spectrum does not have, are ignored, as numpy's irfft does.
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

class PowerOfTwoComplexFft implements ComplexFft {
  private readonly fft: FftJs;
  private readonly scratchIn: Float64Array;
  private readonly scratchOut: Float64Array;

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
}

/** Size 1: the DFT is the identity (fft.js refuses sizes below 2). */
class IdentityFft implements ComplexFft {
  readonly n = 1;
  forward(out: Float64Array, input: Float64Array): void {
    out[0] = input[0]!;
    out[1] = input[1]!;
  }
  inverse(out: Float64Array, input: Float64Array): void {
    out[0] = input[0]!;
    out[1] = input[1]!;
  }
}

class PowerOfTwoRealFft implements RealFft {
  private readonly fft: FftJs;
  private readonly full: Float64Array;
  private readonly z: Float64Array;
  private readonly zt: Float64Array;

  constructor(readonly n: number) {
    this.fft = new FFT(n) as unknown as FftJs;
    // realTransform writes a full-length complex buffer but fills only bins 0..n/2 of it.
    this.full = new Float64Array(2 * n);
    this.z = new Float64Array(2 * n);
    this.zt = new Float64Array(2 * n);
  }

  forward(dst: Float64Array, offset: number, stride: number, input: Float64Array): void {
    const full = this.full;
    this.fft.realTransform(full, input);
    const bins = (this.n >> 1) + 1;
    for (let k = 0, d = offset; k < bins; k++, d += stride) {
      dst[d] = full[2 * k]!;
      dst[d + 1] = full[2 * k + 1]!;
    }
  }

  forwardPair(dst: Float64Array, offsetA: number, offsetB: number, stride: number, packed: Float64Array): void {
    const n = this.n;
    const half = n >> 1;
    const zt = this.zt;
    this.fft.transform(zt, packed);
    // A[k] = (Z[k] + conj Z[n-k]) / 2 and B[k] = (Z[k] - conj Z[n-k]) / 2i; bins 0 and n/2 are real.
    dst[offsetA] = zt[0]!;
    dst[offsetA + 1] = 0;
    dst[offsetB] = zt[1]!;
    dst[offsetB + 1] = 0;
    let a = offsetA + stride;
    let b = offsetB + stride;
    for (let k = 1; k < half; k++, a += stride, b += stride) {
      const zr = zt[2 * k]!;
      const zi = zt[2 * k + 1]!;
      const wr = zt[2 * (n - k)]!;
      const wi = zt[2 * (n - k) + 1]!;
      dst[a] = 0.5 * (zr + wr);
      dst[a + 1] = 0.5 * (zi - wi);
      dst[b] = 0.5 * (zi + wi);
      dst[b + 1] = 0.5 * (wr - zr);
    }
    dst[a] = zt[2 * half]!;
    dst[a + 1] = 0;
    dst[b] = zt[2 * half + 1]!;
    dst[b + 1] = 0;
  }

  inversePair(
    outA: Float64Array,
    outB: Float64Array,
    srcA: Float64Array,
    offsetA: number,
    srcB: Float64Array,
    offsetB: number,
    stride: number,
    conjugated: boolean,
  ): void {
    const n = this.n;
    const half = n >> 1;
    const z = this.z;
    const sign = conjugated ? -1 : 1;
    // Z = A + iB over the full Hermitian spectra, stored conjugated so that a forward transform
    // gives conj(n z), where z[m] = a[m] + i b[m]. Bins 0 and n/2 are real.
    z[0] = srcA[offsetA]!;
    z[1] = -srcB[offsetB]!;
    z[2 * half] = srcA[offsetA + half * stride]!;
    z[2 * half + 1] = -srcB[offsetB + half * stride]!;
    let a = offsetA + stride;
    let b = offsetB + stride;
    for (let k = 1; k < half; k++, a += stride, b += stride) {
      const ar = srcA[a]!;
      const ai = sign * srcA[a + 1]!;
      const br = srcB[b]!;
      const bi = sign * srcB[b + 1]!;
      // Z[k] = (ar - bi) + i(ai + br) and Z[n-k] = conj A[k] + i conj B[k] = (ar + bi) + i(br - ai).
      z[2 * k] = ar - bi;
      z[2 * k + 1] = -(ai + br);
      const j = 2 * (n - k);
      z[j] = ar + bi;
      z[j + 1] = ai - br;
    }
    const zt = this.zt;
    this.fft.transform(zt, z);
    for (let m = 0; m < n; m++) {
      outA[m] = zt[2 * m]!;
      outB[m] = -zt[2 * m + 1]!;
    }
  }
}

const complexPlans = new Map<number, ComplexFft>();
const realPlans = new Map<number, RealFft>();

function checkSize(n: number, min: number, who: string): void {
  if (!isPowerOfTwo(n) || n < min) {
    throw new Error(`${who}: transform size must be a power of two >= ${min}, got ${n}`);
  }
}

/** Plans up to this size are kept for reuse; a larger one (a long 1-D signal) lives for its call only. */
const CACHED_SIZE = 1 << 16;

/** The complex plan of size n (a power of two, 1 allowed), cached when it is not huge. */
export function complexFft(n: number): ComplexFft {
  let plan = complexPlans.get(n);
  if (!plan) {
    checkSize(n, 1, 'complexFft');
    plan = n === 1 ? new IdentityFft() : new PowerOfTwoComplexFft(n);
    if (n <= CACHED_SIZE) complexPlans.set(n, plan);
  }
  return plan;
}

/** The real plan of size n (a power of two >= 2), cached when it is not huge. */
export function realFft(n: number): RealFft {
  let plan = realPlans.get(n);
  if (!plan) {
    checkSize(n, 2, 'realFft');
    plan = new PowerOfTwoRealFft(n);
    if (n <= CACHED_SIZE) realPlans.set(n, plan);
  }
  return plan;
}
