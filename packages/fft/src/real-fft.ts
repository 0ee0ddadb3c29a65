/**
 * Real transforms of any size from a complex transform of the same size: two real sequences a and
 * b ride in one complex sequence z = a + i b, and the Hermitian symmetry of each one's spectrum
 * separates them again, A[k] = (Z[k] + conj Z[n-k]) / 2 and B[k] = (Z[k] - conj Z[n-k]) / 2i.
 * The same trick run backwards gives two real inverses from one complex transform.
 */
import type { ComplexFft, RealFft } from './fft-interfaces.js';

export class PairedRealFft implements RealFft {
  readonly n: number;
  private readonly half: number;
  private readonly z: Float64Array;
  private readonly zt: Float64Array;

  /**
   * `halfSpectrum`, when given, computes one real sequence's spectrum faster than a complex
   * transform does (fft.js's realTransform), writing at least bins 0..n/2 into a 2 n buffer.
   */
  constructor(
    private readonly complex: ComplexFft,
    private readonly halfSpectrum?: (full: Float64Array, input: Float64Array) => void,
  ) {
    this.n = complex.n;
    this.half = this.n >> 1;
    this.z = new Float64Array(2 * this.n);
    this.zt = new Float64Array(2 * this.n);
  }

  forward(dst: Float64Array, offset: number, stride: number, input: Float64Array): void {
    const { n, half, z, zt } = this;
    if (this.halfSpectrum) {
      this.halfSpectrum(zt, input);
    } else {
      for (let i = 0; i < n; i++) {
        z[2 * i] = input[i]!;
        z[2 * i + 1] = 0;
      }
      this.complex.forward(zt, z);
    }
    for (let k = 0, d = offset; k <= half; k++, d += stride) {
      dst[d] = zt[2 * k]!;
      dst[d + 1] = zt[2 * k + 1]!;
    }
  }

  forwardPair(dst: Float64Array, offsetA: number, offsetB: number, stride: number, packed: Float64Array): void {
    const { n, half, zt } = this;
    this.complex.forward(zt, packed);
    // Bin 0 of a real sequence is real; so is bin n/2 when n is even, where n - k = k and the
    // general formula below gives exactly that.
    dst[offsetA] = zt[0]!;
    dst[offsetA + 1] = 0;
    dst[offsetB] = zt[1]!;
    dst[offsetB + 1] = 0;
    let a = offsetA + stride;
    let b = offsetB + stride;
    for (let k = 1; k <= half; k++, a += stride, b += stride) {
      const zr = zt[2 * k]!;
      const zi = zt[2 * k + 1]!;
      const wr = zt[2 * (n - k)]!;
      const wi = zt[2 * (n - k) + 1]!;
      dst[a] = 0.5 * (zr + wr);
      dst[a + 1] = 0.5 * (zi - wi);
      dst[b] = 0.5 * (zi + wi);
      dst[b + 1] = 0.5 * (wr - zr);
    }
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
    const { n, half, z, zt } = this;
    const sign = conjugated ? -1 : 1;
    const even = n % 2 === 0;
    // Z = A + iB over the full Hermitian spectra, stored conjugated so that a forward transform
    // gives conj(n z), where z[m] = a[m] + i b[m]. Bin 0 (and bin n/2 of an even n) is real.
    z[0] = srcA[offsetA]!;
    z[1] = -srcB[offsetB]!;
    const last = even ? half - 1 : half;
    let a = offsetA + stride;
    let b = offsetB + stride;
    for (let k = 1; k <= last; k++, a += stride, b += stride) {
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
    if (even) {
      z[2 * half] = srcA[offsetA + half * stride]!;
      z[2 * half + 1] = -srcB[offsetB + half * stride]!;
    }
    this.complex.forward(zt, z);
    for (let m = 0; m < n; m++) {
      outA[m] = zt[2 * m]!;
      outB[m] = -zt[2 * m + 1]!;
    }
  }
}
