/**
 * Public real 2-D FFT over the last two axes of a batch, numpy.fft.rfft2 / irfft2 style, for any
 * transform sizes: rows of a power-of-two length run on fft.js, other rows and every column pass
 * on our mixed-radix transform (fastest for 5-smooth sizes, 2^a 3^b 5^c; a large prime factor
 * costs that prime per point).
 */
import { allocate, checkAllocation, checkTensor, dense, fromDense, sizeOf, type Dtype, type Tensor } from '@convlab/core';
import { rfft2Plan } from './rfft2-plan.js';

/** The half spectrum of real planes over their last two axes, as numpy.fft.rfft2 gives it. */
export interface HalfSpectrum {
  /** The leading axes: one spectrum plane per index. */
  readonly batchShape: number[];
  /** Transform size along the rows axis. */
  readonly height: number;
  /** Transform size along the last axis. */
  readonly width: number;
  /** Non-redundant bins along the last axis: floor(width / 2) + 1. */
  readonly halfWidth: number;
  /** Interleaved (re, im) pairs, plane-major: [...batchShape, height, halfWidth, 2]. */
  readonly data: Float64Array;
}

function checkSize(who: string, s: readonly number[]): void {
  if (s.length !== 2 || !s.every((n) => Number.isInteger(n) && n >= 1)) {
    throw new Error(`${who}: transform size must be two positive integers, got [${s.join(', ')}]`);
  }
}

/**
 * `numpy.fft.rfft2(x, s)`: the 2-D DFT of the last two axes of a real `x` (any rank >= 2), zero
 * padded (or cropped) to `s = [height, width]`, keeping bins 0..width/2 of the last axis.
 * `s` defaults to the last two axes' sizes. Computed in float64.
 */
export function rfft2(x: Tensor, s?: readonly [number, number]): HalfSpectrum {
  checkTensor(x, 'rfft2', 'x');
  if (x.shape.length < 2) throw new Error(`rfft2: x must have at least 2 axes, got shape [${x.shape.join(', ')}]`);
  const rank = x.shape.length;
  const rows = x.shape[rank - 2]!;
  const cols = x.shape[rank - 1]!;
  const size = s ?? [rows, cols];
  checkSize('rfft2', size);
  const [height, width] = size;
  const batchShape = x.shape.slice(0, rank - 2);
  const planes = sizeOf(batchShape);
  checkAllocation('rfft2', 'spectrum', [...batchShape, height, Math.floor(width / 2) + 1], 'complex128');
  const plan = rfft2Plan(height, width);
  const data = new Float64Array(planes * plan.bins * 2);
  const src = dense(x).data;
  const useRows = Math.min(rows, height);
  const useCols = Math.min(cols, width);
  for (let p = 0; p < planes; p++) {
    plan.forward(data, p * plan.bins * 2, 2, 1, src, p * rows * cols, useRows, useCols, cols);
  }
  return { batchShape, height, width, halfWidth: plan.halfWidth, data };
}

/**
 * `numpy.fft.irfft2(spectrum, s)`: the real planes [...batchShape, height, width] whose half
 * spectrum this is (scaled by 1 / (height width)). Computed in float64; a float32 `dtype` rounds
 * each value once at the end.
 */
export function irfft2(spectrum: HalfSpectrum, dtypeIn: Dtype | null = 'float64'): Tensor {
  const dtype = dtypeIn ?? 'float64';
  if (dtype !== 'float32' && dtype !== 'float64') throw new Error(`irfft2: dtype must be 'float32' or 'float64', got ${JSON.stringify(dtype)}`);
  const { batchShape, height, width, data } = spectrum;
  checkSize('irfft2', [height, width]);
  const plan = rfft2Plan(height, width);
  const planes = sizeOf(batchShape);
  if (spectrum.halfWidth !== plan.halfWidth || data.length !== planes * plan.bins * 2) {
    throw new Error(
      `irfft2: spectrum data holds ${data.length} doubles, expected ${planes * plan.bins * 2} ` +
        `for ${planes} planes of ${height} x ${plan.halfWidth} bins`,
    );
  }
  const out = allocate('irfft2', 'output', [...batchShape, height, width], dtype);
  const scale = 1 / (height * width);
  for (let p = 0; p < planes; p++) {
    plan.inverse(out, p * height * width, width, data, p * plan.bins * 2, 2, 1, 0, height, 1, 0, width, 1, scale);
  }
  return fromDense(out, [...batchShape, height, width]);
}
