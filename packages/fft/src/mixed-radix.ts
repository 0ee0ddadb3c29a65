/**
 * Complex DFTs of any size, one at a time or a batch at once, for the lengths fft.js does not take
 * and for the column pass of the 2-D transform. The size is factored into radices (4s first, then
 * 2, 3, 5 and any other primes) and transformed by the self-sorting Stockham algorithm: each stage
 * reads one buffer and writes another, so no bit reversal is needed and the result comes out in
 * natural order.
 *
 * A stage of radix r on sub-transforms of length L = r m, with s = n / L of them interleaved:
 *
 *   y[q + s (r p + u)] = w_L^(p u) * sum_t x[q + s (p + t m)] w_r^(t u)     p < m, q < s, u < r
 *
 * (decimation in frequency), after which the next stage works on length m with stride r s.
 * Radices 2, 3, 4 and 5 have their butterflies written out; any other prime p costs p^2 per
 * butterfly, so sizes with a large prime factor are slow (the callers pick 5-smooth sizes).
 *
 * A batch transforms the columns of a row-major n x count complex array (element t of column c at
 * 2 (t count + c)): every butterfly runs along a whole row of `count` values, so a 2-D transform's
 * column pass needs no gathering of columns and no call per column.
 */
import type { ComplexFft } from './fft-interfaces.js';

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

function stagesOf(n: number): Stage[] {
  const stages: Stage[] = [];
  let length = n;
  let s = 1;
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
    stages.push({ radix, m, s, twiddles, roots });
    length = m;
    s *= radix;
  }
  return stages;
}

/** `count` DFTs of size n down the columns of a row-major n x count complex array. */
export class BatchedFft {
  private readonly stages: Stage[];
  private readonly workA: Float64Array;
  private readonly workB: Float64Array;
  /** Room for one generic butterfly's inputs. */
  private readonly butterfly: Float64Array;

  constructor(
    readonly n: number,
    readonly count: number,
  ) {
    if (!Number.isInteger(n) || n < 1) throw new Error(`BatchedFft: size must be a positive integer, got ${n}`);
    if (!Number.isInteger(count) || count < 1) throw new Error(`BatchedFft: count must be a positive integer, got ${count}`);
    this.stages = stagesOf(n);
    const stageCount = this.stages.length;
    this.workA = new Float64Array(stageCount > 1 ? 2 * n * count : 0);
    this.workB = new Float64Array(stageCount > 2 ? 2 * n * count : 0);
    this.butterfly = new Float64Array(2 * Math.max(1, ...radices(n)));
  }

  /**
   * The column DFTs of src (from srcOffset) into dst (from dstOffset); src is only read, so it may
   * be a caller's buffer, but it must not overlap dst. Unscaled, sign e^{-2 pi i jk/n}.
   */
  forward(dst: Float64Array, dstOffset: number, src: Float64Array, srcOffset: number): void {
    const { stages, workA, workB } = this;
    if (stages.length === 0) {
      dst.set(src.subarray(srcOffset, srcOffset + 2 * this.count), dstOffset);
      return;
    }
    // The last stage writes dst; the ones before alternate between the two work buffers.
    let x = src;
    let xOffset = srcOffset;
    for (let i = 0; i < stages.length; i++) {
      const last = i === stages.length - 1;
      const y = last ? dst : i % 2 === 0 ? workA : workB;
      const yOffset = last ? dstOffset : 0;
      this.stage(stages[i]!, x, xOffset, y, yOffset);
      x = y;
      xOffset = yOffset;
    }
  }

  private stage(stage: Stage, x: Float64Array, xo: number, y: Float64Array, yo: number): void {
    const width = 2 * this.count;
    switch (stage.radix) {
      case 2:
        return radix2(stage, x, xo, y, yo, width);
      case 3:
        return radix3(stage, x, xo, y, yo, width);
      case 4:
        return radix4(stage, x, xo, y, yo, width);
      case 5:
        return radix5(stage, x, xo, y, yo, width);
      default:
        return radixGeneric(stage, x, xo, y, yo, width, this.butterfly);
    }
  }
}

/** One complex DFT of any size n (a batch of one). */
export class MixedRadixFft implements ComplexFft {
  private readonly batch: BatchedFft;

  constructor(readonly n: number) {
    this.batch = new BatchedFft(n, 1);
  }

  forward(out: Float64Array, input: Float64Array): void {
    this.batch.forward(out, 0, input, 0);
  }
}

// The stages. `width` is 2 count, the doubles of one row; element e of the stage's sequence is the
// row starting at offset + e width, and every butterfly runs along it, column by column.

function radixGeneric(stage: Stage, x: Float64Array, xo: number, y: Float64Array, yo: number, width: number, a: Float64Array): void {
  const { radix: r, m, s, twiddles, roots } = stage;
  for (let p = 0; p < m; p++) {
    for (let q = 0; q < s; q++) {
      for (let c = 0; c < width; c += 2) {
        for (let t = 0; t < r; t++) {
          const i = xo + (q + s * (p + t * m)) * width + c;
          a[2 * t] = x[i]!;
          a[2 * t + 1] = x[i + 1]!;
        }
        for (let u = 0; u < r; u++) {
          let re = 0;
          let im = 0;
          for (let t = 0, k = 0; t < r; t++, k = (k + u) % r) {
            const cr = roots[2 * k]!;
            const ci = roots[2 * k + 1]!;
            re += a[2 * t]! * cr - a[2 * t + 1]! * ci;
            im += a[2 * t]! * ci + a[2 * t + 1]! * cr;
          }
          const o = yo + (q + s * (r * p + u)) * width + c;
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

function radix2(stage: Stage, x: Float64Array, xo: number, y: Float64Array, yo: number, width: number): void {
  const { m, s, twiddles } = stage;
  const sm = width * s * m;
  const su = width * s;
  for (let p = 0; p < m; p++) {
    const wr = twiddles[2 * p]!;
    const wi = twiddles[2 * p + 1]!;
    for (let q = 0; q < s; q++) {
      const in0 = xo + (q + s * p) * width;
      const out0 = yo + (q + s * 2 * p) * width;
      for (let c = 0; c < width; c += 2) {
        const i0 = in0 + c;
        const i1 = i0 + sm;
        const o0 = out0 + c;
        const o1 = o0 + su;
        const ar = x[i0]!, ai = x[i0 + 1]!, br = x[i1]!, bi = x[i1 + 1]!;
        y[o0] = ar + br;
        y[o0 + 1] = ai + bi;
        const dr = ar - br, di = ai - bi;
        y[o1] = dr * wr - di * wi;
        y[o1 + 1] = dr * wi + di * wr;
      }
    }
  }
}

const SIN_60 = Math.sqrt(3) / 2;

function radix3(stage: Stage, x: Float64Array, xo: number, y: Float64Array, yo: number, width: number): void {
  const { m, s, twiddles } = stage;
  const sm = width * s * m;
  const su = width * s;
  for (let p = 0; p < m; p++) {
    const w1r = twiddles[4 * p]!, w1i = twiddles[4 * p + 1]!;
    const w2r = twiddles[4 * p + 2]!, w2i = twiddles[4 * p + 3]!;
    for (let q = 0; q < s; q++) {
      const in0 = xo + (q + s * p) * width;
      const out0 = yo + (q + s * 3 * p) * width;
      for (let c = 0; c < width; c += 2) {
        const i0 = in0 + c;
        const i1 = i0 + sm;
        const i2 = i1 + sm;
        const o0 = out0 + c;
        const o1 = o0 + su;
        const o2 = o1 + su;
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
}

function radix4(stage: Stage, x: Float64Array, xo: number, y: Float64Array, yo: number, width: number): void {
  const { m, s, twiddles } = stage;
  const sm = width * s * m;
  const su = width * s;
  for (let p = 0; p < m; p++) {
    const w1r = twiddles[6 * p]!, w1i = twiddles[6 * p + 1]!;
    const w2r = twiddles[6 * p + 2]!, w2i = twiddles[6 * p + 3]!;
    const w3r = twiddles[6 * p + 4]!, w3i = twiddles[6 * p + 5]!;
    for (let q = 0; q < s; q++) {
      const in0 = xo + (q + s * p) * width;
      const out0 = yo + (q + s * 4 * p) * width;
      for (let c = 0; c < width; c += 2) {
        const i0 = in0 + c;
        const i1 = i0 + sm;
        const i2 = i1 + sm;
        const i3 = i2 + sm;
        const o0 = out0 + c;
        const o1 = o0 + su;
        const o2 = o1 + su;
        const o3 = o2 + su;
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
}

const COS_72 = Math.cos((2 * Math.PI) / 5);
const COS_144 = Math.cos((4 * Math.PI) / 5);
const SIN_72 = Math.sin((2 * Math.PI) / 5);
const SIN_144 = Math.sin((4 * Math.PI) / 5);

function radix5(stage: Stage, x: Float64Array, xo: number, y: Float64Array, yo: number, width: number): void {
  const { m, s, twiddles } = stage;
  const sm = width * s * m;
  const su = width * s;
  for (let p = 0; p < m; p++) {
    const w = 8 * p;
    const w1r = twiddles[w]!, w1i = twiddles[w + 1]!, w2r = twiddles[w + 2]!, w2i = twiddles[w + 3]!;
    const w3r = twiddles[w + 4]!, w3i = twiddles[w + 5]!, w4r = twiddles[w + 6]!, w4i = twiddles[w + 7]!;
    for (let q = 0; q < s; q++) {
      const in0 = xo + (q + s * p) * width;
      const out0 = yo + (q + s * 5 * p) * width;
      for (let c = 0; c < width; c += 2) {
        const i0 = in0 + c;
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
        const y1r = m1r + e1i, y1i = m1i - e1r;
        const y4r = m1r - e1i, y4i = m1i + e1r;
        const y2r = m2r + e2i, y2i = m2i - e2r;
        const y3r = m2r - e2i, y3i = m2i + e2r;
        const o0 = out0 + c;
        const o1 = o0 + su;
        const o2 = o1 + su;
        const o3 = o2 + su;
        const o4 = o3 + su;
        y[o0] = a0r + b1r + b2r;
        y[o0 + 1] = a0i + b1i + b2i;
        y[o1] = y1r * w1r - y1i * w1i;
        y[o1 + 1] = y1r * w1i + y1i * w1r;
        y[o2] = y2r * w2r - y2i * w2i;
        y[o2 + 1] = y2r * w2i + y2i * w2r;
        y[o3] = y3r * w3r - y3i * w3i;
        y[o3 + 1] = y3r * w3i + y3i * w3r;
        y[o4] = y4r * w4r - y4i * w4i;
        y[o4 + 1] = y4r * w4i + y4i * w4r;
      }
    }
  }
}
