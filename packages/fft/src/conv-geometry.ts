/**
 * Where a batched conv2d sits in the FFT period, derived from core's ConvInfo and nothing else.
 *
 * Every operand is placed at the origin of a Ph x Pw period: the input x unpadded, the kernel w
 * (spread out by the dilation), the output gradient gy (spread out by the stride). Padding is never
 * materialised: with a period at least H + max(padTop, padBottom) the zeros that padding stands for
 * are the period's own zeros, reached by wrapping around. Per axis, with ke = d (k - 1) + 1 the
 * dilated kernel and Ho1 = H + pt + pb - ke + 1 the stride-1 output length:
 *
 *   forward      y[i]  = IDFT(X . conj W)  at period index  i s - pt
 *   grad input   dx[j] = IDFT(GY . W)      at               j + pt
 *   grad weight  dw[u] = IDFT(conj GY . X) at               u d - pt
 *
 * and no index that one of these reads aliases another as long as the period is at least
 * max(H + max(pt, pb), Ho1, ke). Along each axis the period is a 5-smooth size at least that and at
 * most the next power of two, whichever the cost model (cost-constants.ts) prices lowest: fewer bins
 * make the pointwise stage cheaper, while non-power-of-two transforms cost more per point. A 12 x 12
 * map with a 5 x 5 kernel and 20 channels transforms at 12 x 12 (74 bins to multiply, not 130 at
 * 16 x 16); a 28 x 28 single-channel map stays at 32 x 32.
 */
import type { ConvInfo } from '@convlab/core';
import { COST_CONSTANTS } from './cost-constants.js';
import { sizeCandidates, transformWork } from './transforms.js';

export interface SpectralGeometry {
  /** Transform period along the rows and along the columns (5-smooth sizes). */
  periodHeight: number;
  periodWidth: number;
  /** Non-redundant bins along the columns: floor(periodWidth / 2) + 1. */
  halfWidth: number;
  /** Bins of one spectrum plane: periodHeight x halfWidth. */
  bins: number;
  /** The dilated kernel: d (k - 1) + 1. */
  kernelSpanHeight: number;
  kernelSpanWidth: number;
  /**
   * The bins a product must compute. The spectrum of real planes is Hermitian, so in the two
   * columns that are their own mirror images (j = 0, and j = Pw/2 for an even Pw) bin (r, j) is the conjugate of
   * bin (Ph - r, j): the rows below Ph/2 of those columns are copied, conjugated, not computed.
   */
  computed: Int32Array;
  /** For each bin, the computed bin it equals (itself) or is the conjugate of (its mirror). */
  source: Int32Array;
}

/** The least period along one axis that keeps every product free of aliasing. */
function leastPeriod(n: number, padBefore: number, padAfter: number, span: number): number {
  const strideOneOut = n + padBefore + padAfter - span + 1;
  return Math.max(n + Math.max(padBefore, padAfter), strideOneOut, span);
}

/** Bins a product multiplies on an h x w period (each Hermitian pair of a self-mirrored column once). */
function computedBins(height: number, width: number): number {
  const selfMirrored = width % 2 === 0 && width > 1 ? 2 : 1;
  const mirroredRows = height - Math.floor(height / 2) - 1;
  return height * ((width >> 1) + 1) - selfMirrored * mirroredRows;
}

/**
 * The periods with the lowest predicted forward pass per sample: the input's planes transformed,
 * the output's transformed back, the pointwise products. Per sample, so that every batch size of the
 * same layer gets the same periods and spectra of different batches combine.
 */
function choosePeriods(info: ConvInfo, leastHeight: number, leastWidth: number): [number, number] {
  const k = COST_CONSTANTS;
  const inputs = info.inChannels;
  const outputs = info.outChannels;
  const macsPerBin = info.outChannels * info.inChannelsPerGroup;
  let best: [number, number] = [0, 0];
  let bestCost = Infinity;
  for (const h of sizeCandidates(leastHeight)) {
    for (const w of sizeCandidates(leastWidth)) {
      const work = transformWork(h, w, k.mixedRadixFactor);
      const cost =
        inputs * (k.transformPerPlane + k.transformPerPoint * work) +
        outputs * (k.inversePerPlane + k.inversePerPoint * work) +
        computedBins(h, w) * macsPerBin * k.pointwisePerComplexMac;
      if (cost < bestCost) {
        bestCost = cost;
        best = [h, w];
      }
    }
  }
  return best;
}

export function spectralGeometry(info: ConvInfo): SpectralGeometry {
  const kernelSpanHeight = info.dilationHeight * (info.kernelHeight - 1) + 1;
  const kernelSpanWidth = info.dilationWidth * (info.kernelWidth - 1) + 1;
  const [periodHeight, periodWidth] = choosePeriods(
    info,
    leastPeriod(info.inHeight, info.padTop, info.padBottom, kernelSpanHeight),
    leastPeriod(info.inWidth, info.padLeft, info.padRight, kernelSpanWidth),
  );
  const halfWidth = (periodWidth >> 1) + 1;
  const bins = periodHeight * halfWidth;
  const source = new Int32Array(bins);
  const computed: number[] = [];
  for (let r = 0; r < periodHeight; r++) {
    for (let j = 0; j < halfWidth; j++) {
      const f = r * halfWidth + j;
      const selfMirrored = j === 0 || (periodWidth % 2 === 0 && j === halfWidth - 1);
      if (selfMirrored && r > periodHeight / 2) {
        source[f] = (periodHeight - r) * halfWidth + j;
      } else {
        source[f] = f;
        computed.push(f);
      }
    }
  }
  return {
    periodHeight,
    periodWidth,
    halfWidth,
    bins,
    kernelSpanHeight,
    kernelSpanWidth,
    computed: Int32Array.from(computed),
    source,
  };
}

export function sameGeometry(a: SpectralGeometry, b: SpectralGeometry): boolean {
  return a.periodHeight === b.periodHeight && a.periodWidth === b.periodWidth;
}

/**
 * Copies a rows x cols plane into `out` spread out by (rowStep, colStep), zeros between, and
 * returns the spread plane's size: how a dilated kernel or a strided output gradient is placed.
 */
export function spreadInto(
  out: Float64Array,
  src: ArrayLike<number>,
  offset: number,
  rows: number,
  cols: number,
  rowStep: number,
  colStep: number,
): [number, number] {
  const spreadRows = (rows - 1) * rowStep + 1;
  const spreadCols = (cols - 1) * colStep + 1;
  out.fill(0, 0, spreadRows * spreadCols);
  for (let r = 0; r < rows; r++) {
    const to = r * rowStep * spreadCols;
    const from = offset + r * cols;
    for (let c = 0; c < cols; c++) out[to + c * colStep] = src[from + c]!;
  }
  return [spreadRows, spreadCols];
}
