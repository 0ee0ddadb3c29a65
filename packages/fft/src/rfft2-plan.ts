/**
 * The real 2-D FFT of one plane and its inverse, on a period Ph x Pw of any size: real transforms
 * along the rows keep the half spectrum (floor(Pw/2) + 1 bins), complex transforms run down its
 * columns.
 * Plans are cached per period with all their scratch, so a batch of planes allocates nothing.
 *
 * A spectrum plane has Ph x (floor(Pw/2) + 1) complex bins, bin (r, j) at index r * halfWidth + j. The
 * caller says where each bin lives (`offset + stride * bin`, both in doubles, re then im), so the
 * same kernel writes a plane-major array (stride 2) or a bin-major one (stride 2 x planes).
 */
import type { FloatArray } from '@convlab/core';
import { complexFft, realFft, type ComplexFft, type RealFft } from './transforms.js';

export class Rfft2Plan {
  readonly halfWidth: number;
  readonly bins: number;
  private readonly rowFft: RealFft;
  private readonly colFft: ComplexFft;
  private readonly row: Float64Array;
  private readonly packed: Float64Array;
  /** The half spectra of the rows, column-major: bin (r, j) at 2 (j height + r). */
  private readonly store: Float64Array;
  /** Column j of `store` as its own array (fft.js indexes from 0). */
  private readonly columns: Float64Array[];
  private readonly colIn: Float64Array;
  private readonly colOut: Float64Array;
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
    this.colFft = complexFft(height);
    this.row = new Float64Array(width);
    this.packed = new Float64Array(2 * width);
    this.store = new Float64Array(2 * this.bins);
    this.columns = Array.from({ length: this.halfWidth }, (_, j) => this.store.subarray(2 * height * j, 2 * height * (j + 1)));
    this.colIn = new Float64Array(2 * height);
    this.colOut = new Float64Array(2 * height);
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
    const { height, width, halfWidth, row, packed, store, columns } = this;
    const columnStride = 2 * height;
    // Rows: real transforms of the nonzero rows, written down the columns of the store. Two rows
    // share one complex transform (z = a + i b); an odd last row is transformed alone.
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
        this.rowFft.forwardPair(store, 2 * r, 2 * r + 2, columnStride, packed);
      }
    }
    if (r < rows && cols < width) row.fill(0, cols);
    for (; r < rows; r++) {
      const base = srcOffset + r * rowStride;
      for (let c = 0; c < cols; c++) row[c] = src[base + c]!;
      this.rowFft.forward(store, 2 * r, columnStride, row);
    }
    if (rows < height) {
      for (let j = 0; j < halfWidth; j++) columns[j]!.fill(0, 2 * rows);
    }
    // Columns: complex transforms, written to their bins.
    const out = this.colOut;
    const step = dstStride * halfWidth;
    for (let j = 0; j < halfWidth; j++) {
      this.colFft.forward(out, columns[j]!);
      let d = dstOffset + dstStride * j;
      for (let i = 0; i < columnStride; i += 2, d += step) {
        dst[d] = out[i]!;
        dst[d + imOffset] = out[i + 1]!;
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
    const { height, width, halfWidth, store, columns, colIn } = this;
    const columnStride = 2 * height;
    // Columns: the inverse complex transform is conj(forward(conj)); the first conjugation is
    // folded into the gather, the second into the row stage, which reads the store conjugated.
    const step = srcStride * halfWidth;
    for (let j = 0; j < halfWidth; j++) {
      let s = srcOffset + srcStride * j;
      for (let i = 0; i < columnStride; i += 2, s += step) {
        colIn[i] = src[s]!;
        colIn[i + 1] = -src[s + imOffset]!;
      }
      this.colFft.forward(columns[j]!, colIn);
    }
    // Rows: two real rows per complex transform, only the rows of the window.
    const { outA, outB } = this;
    const r0 = mod(rowStart, height);
    const c0 = mod(colStart, width);
    for (let i = 0; i < rowCount; i += 2) {
      const ra = (r0 + i * rowStep) % height;
      const hasB = i + 1 < rowCount;
      // Without a second row, row A rides along twice and the copy is dropped.
      const rb = hasB ? (r0 + (i + 1) * rowStep) % height : ra;
      this.rowFft.inversePair(outA, outB, store, 2 * ra, store, 2 * rb, columnStride, true);
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

const plans = new Map<string, Rfft2Plan>();

/** Plans up to this many bins are kept; a larger one (a long 1-D signal) lives for its call only. */
const CACHED_BINS = 1 << 16;

/** The plan of period height x width (any sizes >= 1), cached when it is not huge. */
export function rfft2Plan(height: number, width: number): Rfft2Plan {
  const key = `${height}x${width}`;
  let plan = plans.get(key);
  if (!plan) {
    plan = new Rfft2Plan(height, width);
    if (plan.bins <= CACHED_BINS) plans.set(key, plan);
  }
  return plan;
}
