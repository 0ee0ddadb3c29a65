import { fromDense } from '@convlab/core';
import type { Tensor } from '@convlab/core';

/** Labelled images in memory: pixels float32 in [0, 1], NCHW. */
export interface Dataset {
  /** float32 [N, 1, H, W]. */
  images: Tensor;
  /** N class indices. */
  labels: Int32Array;
}

/** The number of examples in a dataset. */
export function datasetSize(data: Dataset): number {
  return data.labels.length;
}

/** A dataset over the examples [start, start + count) of another, sharing its memory. */
export function sliceDataset(data: Dataset, start: number, count: number): Dataset {
  const [n, c, h, w] = data.images.shape as [number, number, number, number];
  if (!Number.isInteger(start) || !Number.isInteger(count) || start < 0 || count < 0 || start + count > n) {
    throw new Error(`sliceDataset: examples [${start}, ${start + count}) are outside a dataset of ${n}`);
  }
  const per = c * h * w;
  const pixels = (data.images.data as Float32Array).subarray(start * per, (start + count) * per);
  return { images: fromDense(pixels, [count, c, h, w]), labels: data.labels.subarray(start, start + count) };
}

/** Byte pixels (0..255) of `count` images from `start`, scaled to float32 [0, 1] as [count, 1, rows, cols]. */
export function scalePixels(bytes: Uint8Array, start: number, count: number, rows: number, cols: number): Tensor {
  const per = rows * cols;
  const out = new Float32Array(count * per);
  const from = start * per;
  // Division (not multiplication by 1/255) gives the correctly rounded value of k/255 for every byte.
  for (let i = 0; i < out.length; i++) out[i] = bytes[from + i]! / 255;
  return fromDense(out, [count, 1, rows, cols]);
}
