/**
 * A complex DFT of any size, for the lengths fft.js does not take. The size is factored into
 * radices (4s first, then 2, 3, 5 and any other primes) and transformed by the self-sorting
 * Stockham algorithm: each stage reads one buffer and writes the other, so no bit reversal is
 * needed and the result comes out in natural order.
 *
 * A stage of radix r on sub-transforms of length L = r m, with s = n / L of them interleaved:
 *
 *   y[q + s (r p + u)] = w_L^(p u) * sum_t x[q + s (p + t m)] w_r^(t u)     p < m, q < s, u < r
 *
 * (decimation in frequency), after which the next stage works on length m with stride r s.
 * Radices 2, 3, 4 and 5 have their butterflies written out; any other prime p costs p^2 per
 * butterfly, so sizes with a large prime factor are slow (the callers pick 5-smooth sizes).
 */
import type { ComplexFft } from './transforms.js';

interface Stage {
  radix: number;
  /** Sub-transforms' length after this stage (m) and how many run interleaved before it (s). */
  m: number;
  s: number;
  /** w_L^(p u) for p < m, 1 <= u < radix: (re, im) at 2 (p (radix - 1) + u - 1). */
  twiddles: Float64Array;
  /** For a radix without a written-out butterfly: w_radix^k, (re, im) at 2 k. */
  roots: Float64Array;
}

/** The radices of n, 4s first (fewest stages), then 2, 3, 5 and larger primes. */
export function radices(n: number): number[] {
  const out: number[] = [];
  let rest = n;
  while (rest % 4 === 0) {
    out.push(4);
    rest /= 4;
  }
  for (let p = 2; rest > 1; p++) {
    while (rest % p === 0) {
      out.push(p);
      rest /= p;
    }
    if (p * p > rest && rest > 1) {
      out.push(rest);
      rest = 1;
    }
  }
  return out;
}

export class MixedRadixFft implements ComplexFft {
  private readonly stages: Stage[];
  private readonly work: Float64Array;
  private readonly conjugate: Float64Array;
  /** Room for one generic butterfly's inputs. */
  private readonly butterfly: Float64Array;

  constructor(readonly n: number) {
    if (!Number.isInteger(n) || n < 1) throw new Error(`MixedRadixFft: size must be a positive integer, got ${n}`);
    this.stages = [];
    let length = n;
    let s = 1;
    let largest = 1;
    for (const radix of radices(n)) {
      const m = length / radix;
      const twiddles = new Float64Array(2 * m * (radix - 1));
      for (let p = 0; p < m; p++) {
        for (let u = 1; u < radix; u++) {
          const angle = (-2 * Math.PI * p * u) / length;
          const at = 2 * (p * (radix - 1) + u - 1);
          twiddles[at] = Math.cos(angle);
          twiddles[at + 1] = Math.sin(angle);
        }
      }
      const roots = new Float64Array(radix > 5 ? 2 * radix : 0);
      for (let k = 0; 2 * k < roots.length; k++) {
        roots[2 * k] = Math.cos((-2 * Math.PI * k) / radix);
        roots[2 * k + 1] = Math.sin((-2 * Math.PI * k) / radix);
      }
      this.stages.push({ radix, m, s, twiddles, roots });
      largest = Math.max(largest, radix);
      length = m;
      s *= radix;
    }
    this.work = new Float64Array(2 * n);
    this.conjugate = new Float64Array(2 * n);
    this.butterfly = new Float64Array(2 * largest);
  }

  forward(out: Float64Array, input: Float64Array): void {
    const { stages, work } = this;
    if (stages.length === 0) {
      out[0] = input[0]!;
      out[1] = input[1]!;
      return;
    }
    // The last stage must land in `out`: alternate backwards from it.
    let src = input;
    let dst = stages.length % 2 === 1 ? out : work;
    for (const stage of stages) {
      this.stage(stage, src, dst);
      src = dst;
      dst = dst === out ? work : out;
    }
  }

  /** The inverse is conj(forward(conj)), as for the power-of-two plans. */
  inverse(out: Float64Array, input: Float64Array): void {
    const m = 2 * this.n;
    const c = this.conjugate;
    for (let i = 0; i < m; i += 2) {
      c[i] = input[i]!;
      c[i + 1] = -input[i + 1]!;
    }
    this.forward(out, c);
    for (let i = 1; i < m; i += 2) out[i] = -out[i]!;
  }

  private stage(stage: Stage, x: Float64Array, y: Float64Array): void {
    switch (stage.radix) {
      case 2:
        return radix2(stage, x, y);
      case 3:
        return radix3(stage, x, y);
      case 4:
        return radix4(stage, x, y);
      case 5:
        return radix5(stage, x, y);
      default:
        return this.radixGeneric(stage, x, y);
    }
  }

  private radixGeneric(stage: Stage, x: Float64Array, y: Float64Array): void {
    const { radix: r, m, s, twiddles, roots } = stage;
    const a = this.butterfly;
    for (let p = 0; p < m; p++) {
      for (let q = 0; q < s; q++) {
        for (let t = 0; t < r; t++) {
          const i = 2 * (q + s * (p + t * m));
          a[2 * t] = x[i]!;
          a[2 * t + 1] = x[i + 1]!;
        }
        for (let u = 0; u < r; u++) {
          let re = 0;
          let im = 0;
          for (let t = 0, k = 0; t < r; t++, k = (k + u) % r) {
            const c = roots[2 * k]!;
            const sn = roots[2 * k + 1]!;
            re += a[2 * t]! * c - a[2 * t + 1]! * sn;
            im += a[2 * t]! * sn + a[2 * t + 1]! * c;
          }
          const o = 2 * (q + s * (r * p + u));
          if (u === 0) {
            y[o] = re;
            y[o + 1] = im;
          } else {
            const w = 2 * (p * (r - 1) + u - 1);
            const wr = twiddles[w]!;
            const wi = twiddles[w + 1]!;
            y[o] = re * wr - im * wi;
            y[o + 1] = re * wi + im * wr;
          }
        }
      }
    }
  }
}

function radix2(stage: Stage, x: Float64Array, y: Float64Array): void {
  const { m, s, twiddles } = stage;
  const sm = 2 * s * m;
  for (let p = 0; p < m; p++) {
    const wr = twiddles[2 * p]!;
    const wi = twiddles[2 * p + 1]!;
    for (let q = 0; q < s; q++) {
      const i0 = 2 * (q + s * p);
      const i1 = i0 + sm;
      const o0 = 2 * (q + s * 2 * p);
      const o1 = o0 + 2 * s;
      const ar = x[i0]!, ai = x[i0 + 1]!, br = x[i1]!, bi = x[i1 + 1]!;
      y[o0] = ar + br;
      y[o0 + 1] = ai + bi;
      const dr = ar - br, di = ai - bi;
      y[o1] = dr * wr - di * wi;
      y[o1 + 1] = dr * wi + di * wr;
    }
  }
}

const SIN_60 = Math.sqrt(3) / 2;

function radix3(stage: Stage, x: Float64Array, y: Float64Array): void {
  const { m, s, twiddles } = stage;
  const sm = 2 * s * m;
  for (let p = 0; p < m; p++) {
    const w1r = twiddles[4 * p]!, w1i = twiddles[4 * p + 1]!;
    const w2r = twiddles[4 * p + 2]!, w2i = twiddles[4 * p + 3]!;
    for (let q = 0; q < s; q++) {
      const i0 = 2 * (q + s * p);
      const i1 = i0 + sm;
      const i2 = i1 + sm;
      const o0 = 2 * (q + s * 3 * p);
      const o1 = o0 + 2 * s;
      const o2 = o1 + 2 * s;
      const a0r = x[i0]!, a0i = x[i0 + 1]!;
      const sr = x[i1]! + x[i2]!, si = x[i1 + 1]! + x[i2 + 1]!;
      const dr = x[i1]! - x[i2]!, di = x[i1 + 1]! - x[i2 + 1]!;
      const mr = a0r - 0.5 * sr, mi = a0i - 0.5 * si;
      // y1 = m - i (sqrt 3 / 2) d, y2 = m + i (sqrt 3 / 2) d
      const y1r = mr + SIN_60 * di, y1i = mi - SIN_60 * dr;
      const y2r = mr - SIN_60 * di, y2i = mi + SIN_60 * dr;
      y[o0] = a0r + sr;
      y[o0 + 1] = a0i + si;
      y[o1] = y1r * w1r - y1i * w1i;
      y[o1 + 1] = y1r * w1i + y1i * w1r;
      y[o2] = y2r * w2r - y2i * w2i;
      y[o2 + 1] = y2r * w2i + y2i * w2r;
    }
  }
}

function radix4(stage: Stage, x: Float64Array, y: Float64Array): void {
  const { m, s, twiddles } = stage;
  const sm = 2 * s * m;
  for (let p = 0; p < m; p++) {
    const w1r = twiddles[6 * p]!, w1i = twiddles[6 * p + 1]!;
    const w2r = twiddles[6 * p + 2]!, w2i = twiddles[6 * p + 3]!;
    const w3r = twiddles[6 * p + 4]!, w3i = twiddles[6 * p + 5]!;
    for (let q = 0; q < s; q++) {
      const i0 = 2 * (q + s * p);
      const i1 = i0 + sm;
      const i2 = i1 + sm;
      const i3 = i2 + sm;
      const o0 = 2 * (q + s * 4 * p);
      const o1 = o0 + 2 * s;
      const o2 = o1 + 2 * s;
      const o3 = o2 + 2 * s;
      const a0r = x[i0]!, a0i = x[i0 + 1]!, a1r = x[i1]!, a1i = x[i1 + 1]!;
      const a2r = x[i2]!, a2i = x[i2 + 1]!, a3r = x[i3]!, a3i = x[i3 + 1]!;
      const t0r = a0r + a2r, t0i = a0i + a2i, t1r = a0r - a2r, t1i = a0i - a2i;
      const t2r = a1r + a3r, t2i = a1i + a3i, t3r = a1r - a3r, t3i = a1i - a3i;
      // y1 = t1 - i t3, y2 = t0 - t2, y3 = t1 + i t3
      const y1r = t1r + t3i, y1i = t1i - t3r;
      const y2r = t0r - t2r, y2i = t0i - t2i;
      const y3r = t1r - t3i, y3i = t1i + t3r;
      y[o0] = t0r + t2r;
      y[o0 + 1] = t0i + t2i;
      y[o1] = y1r * w1r - y1i * w1i;
      y[o1 + 1] = y1r * w1i + y1i * w1r;
      y[o2] = y2r * w2r - y2i * w2i;
      y[o2 + 1] = y2r * w2i + y2i * w2r;
      y[o3] = y3r * w3r - y3i * w3i;
      y[o3 + 1] = y3r * w3i + y3i * w3r;
    }
  }
}

const COS_72 = Math.cos((2 * Math.PI) / 5);
const COS_144 = Math.cos((4 * Math.PI) / 5);
const SIN_72 = Math.sin((2 * Math.PI) / 5);
const SIN_144 = Math.sin((4 * Math.PI) / 5);

/** One radix-5 butterfly's outputs before their twiddles, (re, im) by u. */
const RADIX5_OUT = new Float64Array(10);

function radix5(stage: Stage, x: Float64Array, y: Float64Array): void {
  const { m, s, twiddles } = stage;
  const sm = 2 * s * m;
  const out = RADIX5_OUT;
  for (let p = 0; p < m; p++) {
    for (let q = 0; q < s; q++) {
      const i0 = 2 * (q + s * p);
      const i1 = i0 + sm;
      const i2 = i1 + sm;
      const i3 = i2 + sm;
      const i4 = i3 + sm;
      const a0r = x[i0]!, a0i = x[i0 + 1]!;
      const b1r = x[i1]! + x[i4]!, b1i = x[i1 + 1]! + x[i4 + 1]!;
      const d1r = x[i1]! - x[i4]!, d1i = x[i1 + 1]! - x[i4 + 1]!;
      const b2r = x[i2]! + x[i3]!, b2i = x[i2 + 1]! + x[i3 + 1]!;
      const d2r = x[i2]! - x[i3]!, d2i = x[i2 + 1]! - x[i3 + 1]!;
      // y1,4 = a0 + c72 b1 + c144 b2 -/+ i (s72 d1 + s144 d2); y2,3 = a0 + c144 b1 + c72 b2 -/+ i (s144 d1 - s72 d2)
      const m1r = a0r + COS_72 * b1r + COS_144 * b2r, m1i = a0i + COS_72 * b1i + COS_144 * b2i;
      const m2r = a0r + COS_144 * b1r + COS_72 * b2r, m2i = a0i + COS_144 * b1i + COS_72 * b2i;
      const e1r = SIN_72 * d1r + SIN_144 * d2r, e1i = SIN_72 * d1i + SIN_144 * d2i;
      const e2r = SIN_144 * d1r - SIN_72 * d2r, e2i = SIN_144 * d1i - SIN_72 * d2i;
      out[2] = m1r + e1i;
      out[3] = m1i - e1r;
      out[8] = m1r - e1i;
      out[9] = m1i + e1r;
      out[4] = m2r + e2i;
      out[5] = m2i - e2r;
      out[6] = m2r - e2i;
      out[7] = m2i + e2r;
      const o0 = 2 * (q + s * 5 * p);
      y[o0] = a0r + b1r + b2r;
      y[o0 + 1] = a0i + b1i + b2i;
      for (let u = 1; u < 5; u++) {
        const w = 2 * (p * 4 + u - 1);
        const wr = twiddles[w]!, wi = twiddles[w + 1]!;
        const vr = out[2 * u]!, vi = out[2 * u + 1]!;
        const o = o0 + 2 * s * u;
        y[o] = vr * wr - vi * wi;
        y[o + 1] = vr * wi + vi * wr;
      }
    }
  }
}
