import type { FloatArray } from '@convlab/core';
import type { Random } from '../random.js';

/**
 * Training-set augmentation by random translation (the lecture's "expand the training set by
 * adding distorted data", in its simplest form): each image of a batch moves by dx, dy drawn
 * uniformly from [-shift, shift] pixels, the uncovered border filled with 0 (MNIST's black).
 * The draws come from the run's seeded generator, so a run and its resume see the same shifts.
 */
export interface Augmentation {
  /** Largest translation in pixels, in each direction (0: none). */
  shift: number;
}

export function checkAugmentation(augment: Augmentation | undefined, who: string): void {
  if (augment === undefined) return;
  if (!Number.isInteger(augment.shift) || augment.shift < 0) {
    throw new Error(`${who}: augment.shift must be a non-negative integer, got ${augment.shift}`);
  }
}

/**
 * Shifts each of the `count` images [channels, h, w] in `pixels` in place by its own random
 * offset. One scratch image is reused; nothing else is allocated.
 */
export function shiftImagesInPlace(
  pixels: FloatArray,
  count: number,
  channels: number,
  h: number,
  w: number,
  shift: number,
  random: Random,
): void {
  if (shift === 0) return;
  const plane = h * w;
  const scratch = new Float64Array(channels * plane);
  for (let i = 0; i < count; i++) {
    const dy = random.int(2 * shift + 1) - shift;
    const dx = random.int(2 * shift + 1) - shift;
    if (dx === 0 && dy === 0) continue;
    const base = i * channels * plane;
    for (let k = 0; k < channels * plane; k++) scratch[k] = pixels[base + k]!;
    for (let c = 0; c < channels; c++) {
      const p = base + c * plane;
      const s = c * plane;
      for (let y = 0; y < h; y++) {
        const sy = y - dy;
        for (let x = 0; x < w; x++) {
          const sx = x - dx;
          pixels[p + y * w + x] = sy >= 0 && sy < h && sx >= 0 && sx < w ? scratch[s + sy * w + sx]! : 0;
        }
      }
    }
  }
}
