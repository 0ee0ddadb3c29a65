/**
 * The real 2-D FFT of one plane and its inverse, on a period Ph x Pw of any size: real transforms
 * along the rows keep the half spectrum (floor(Pw/2) + 1 bins), then one batched complex transform
 * runs down all its columns at once (mixed-radix.ts), row by row, with no column gathered.
 * Plans are cached per period with all their scratch, so a batch of planes allocates nothing.
 *
 * A spectrum plane has Ph x (floor(Pw/2) + 1) complex bins, bin (r, j) at index r * halfWidth + j. The
 * caller says where each bin lives (`offset + stride * bin`, both in doubles, re then im), so the
 * same kernel writes a plane-major array (stride 2) or a bin-major one (stride 2 x planes).
 */
import type { FloatArray } from '@convlab/core';
import { BatchedFft } from './mixed-radix.js';
import { realFft } from './transforms.js';
import type { RealFft } from './fft-interfaces.js';
import { cachePlan, cachedPlan } from './plan-cache.js';

export class Rfft2Plan {
  readonly halfWidth: number;
  readonly bins: number;
  private readonly rowFft: RealFft;
  private readonly columnFft: BatchedFft;
  private readonly row: Float64Array;
  private readonly packed: Float64Array;
  /** The half spectra of the rows, row-major: bin (r, j) at 2 (r halfWidth + j). */
  private readonly store: Float64Array;
  /** The column transforms' result, laid out as `store`. */
  private readonly columns: Float64Array;
  private readonly outA: Float64Array;
  private readonly outB: Float64Array;

  /**
   * `pairRows: false` transforms every row alone (kept so that the benchmark can show what
   * pairing rows buys).
   */
  constructor(
    readonly height: number,
    readonly width: number,
    private readonly pairRows = true,
  ) {
    this.halfWidth = (width >> 1) + 1;
    this.bins = height * this.halfWidth;
    this.rowFft = realFft(width);
    this.columnFft = new BatchedFft(height, this.halfWidth);
    this.row = new Float64Array(width);
    this.packed = new Float64Array(2 * width);
    this.store = new Float64Array(2 * this.bins);
    this.columns = new Float64Array(2 * this.bins);
    this.outA = new Float64Array(width);
    this.outB = new Float64Array(width);
  }

  /**
   * Spectrum of the real plane `src[srcOffset + r * rowStride + c]` (r < rows, c < cols), placed at
   * the origin of the period and zero elsewhere. Bin b goes to dst[dstOffset + dstStride * b] (re)
   * and dst[dstOffset + dstStride * b + imOffset] (im): imOffset 1 for interleaved pairs.
   */
  forward(
    dst: Float64Array,
    dstOffset: number,
    dstStride: number,
    imOffset: number,
    src: FloatArray,
    srcOffset: number,
    rows: number,
    cols: number,
    rowStride: number,
  ): void {
    const { width, halfWidth, row, packed, store } = this;
    const rowLength = 2 * halfWidth;
    // Rows: real transforms of the nonzero rows. Two rows share one complex transform
    // (z = a + i b); an odd last row is transformed alone.
    let r = 0;
    if (this.pairRows) {
      if (cols < width) packed.fill(0, 2 * cols);
      for (; r + 1 < rows; r += 2) {
        const a = srcOffset + r * rowStride;
        const b = a + rowStride;
        for (let c = 0; c < cols; c++) {
          packed[2 * c] = src[a + c]!;
          packed[2 * c + 1] = src[b + c]!;
        }
        this.rowFft.forwardPair(store, r * rowLength, (r + 1) * rowLength, 2, packed);
      }
    }
    if (r < rows && cols < width) row.fill(0, cols);
    for (; r < rows; r++) {
      const base = srcOffset + r * rowStride;
      for (let c = 0; c < cols; c++) row[c] = src[base + c]!;
      this.rowFft.forward(store, r * rowLength, 2, row);
    }
    store.fill(0, rows * rowLength);
    // Columns: one batched transform, straight into dst when it is plane-major and interleaved.
    if (dstStride === 2 && imOffset === 1) {
      this.columnFft.forward(dst, dstOffset, store, 0);
    } else {
      const out = this.columns;
      this.columnFft.forward(out, 0, store, 0);
      for (let b = 0, d = dstOffset; b < this.bins; b++, d += dstStride) {
        dst[d] = out[2 * b]!;
        dst[d + imOffset] = out[2 * b + 1]!;
      }
    }
    transformCounts.forward++;
  }

  /**
   * Inverse of `forward` (bins read as `forward` writes them), scaled by `scale` (1 / (Ph Pw) for
   * the true inverse) plus `addend`, for a window of the period: output row i, column c is period
   * row rowStart + i * rowStep, column colStart + c * colStep (modulo the period), written to
   * dst[dstOffset + i * dstRowStride + c]. Only the window's rows are transformed back. A
   * Float32Array dst rounds each value once, here.
   */
  inverse(
    dst: FloatArray,
    dstOffset: number,
    dstRowStride: number,
    src: Float64Array,
    srcOffset: number,
    srcStride: number,
    imOffset: number,
    rowStart: number,
    rowCount: number,
    rowStep: number,
    colStart: number,
    colCount: number,
    colStep: number,
    scale: number,
    addend = 0,
  ): void {
    const { height, width, halfWidth, store, columns } = this;
    // Columns: the inverse complex transform is conj(forward(conj)); the first conjugation is
    // folded into the gather, the second into the row stage, which reads the result conjugated.
    for (let b = 0, s = srcOffset; b < this.bins; b++, s += srcStride) {
      store[2 * b] = src[s]!;
      store[2 * b + 1] = -src[s + imOffset]!;
    }
    this.columnFft.forward(columns, 0, store, 0);
    // Rows: two real rows per complex transform, only the rows of the window.
    const { outA, outB } = this;
    const rowLength = 2 * halfWidth;
    const r0 = mod(rowStart, height);
    const c0 = mod(colStart, width);
    for (let i = 0; i < rowCount; i += 2) {
      const ra = (r0 + i * rowStep) % height;
      const hasB = i + 1 < rowCount;
      // Without a second row, row A rides along twice and the copy is dropped.
      const rb = hasB ? (r0 + (i + 1) * rowStep) % height : ra;
      this.rowFft.inversePair(outA, outB, columns, ra * rowLength, columns, rb * rowLength, 2, true);
      writeRow(dst, dstOffset + i * dstRowStride, outA, c0, colCount, colStep, width, scale, addend);
      if (hasB) writeRow(dst, dstOffset + (i + 1) * dstRowStride, outB, c0, colCount, colStep, width, scale, addend);
    }
    transformCounts.inverse++;
  }
}

function mod(i: number, n: number): number {
  return ((i % n) + n) % n;
}

function writeRow(
  dst: FloatArray,
  offset: number,
  values: Float64Array,
  c0: number,
  count: number,
  step: number,
  width: number,
  scale: number,
  addend: number,
): void {
  if (step === 1 && c0 + count <= width) {
    for (let k = 0; k < count; k++) dst[offset + k] = values[c0 + k]! * scale + addend;
    return;
  }
  let c = c0;
  for (let k = 0; k < count; k++) {
    dst[offset + k] = values[c]! * scale + addend;
    c = (c + step) % width;
  }
}

/** How many planes the plans have transformed, forward and back (tests count them to prove reuse). */
export const transformCounts = { forward: 0, inverse: 0 };

/** Plans up to this many bins are kept; a larger one (a long 1-D signal) lives for its call only. */
const CACHED_BINS = 1 << 16;

/** The plan of period height x width (any sizes >= 1), cached when it is not huge. */
export function rfft2Plan(height: number, width: number): Rfft2Plan {
  const key = `rfft2:${height}x${width}`;
  let plan = cachedPlan<Rfft2Plan>(key);
  if (!plan) {
    plan = new Rfft2Plan(height, width);
    if (plan.bins <= CACHED_BINS) cachePlan(key, plan);
  }
  return plan;
}
