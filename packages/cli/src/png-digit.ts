import { PNG } from 'pngjs';
import { fromDense } from '@convlab/core';
import type { Tensor } from '@convlab/core';
import { DIGIT_FIELD, prepareDigit } from '@convlab/nn';
import { UsageError, readUserFile } from './fail.js';
import { MAX_PNG_PIXELS, pngSize } from './png-header.js';

export interface DigitOptions {
  /** Dark digit on a light background: flip to MNIST's light-on-dark. */
  invert?: boolean;
  /**
   * Crop, scale to 20x20 and centre by centre of mass as MNIST was made (`prepareDigit`). Default:
   * for every size but 28x28, which is taken to be prepared already (an MNIST image as it is).
   * false refuses any size but 28x28.
   */
  prepare?: boolean;
}

/**
 * A PNG as one MNIST-style input [1, 1, 28, 28], float32 in [0, 1]. Grayscale is taken as it
 * is; colour becomes luma 0.299 R + 0.587 G + 0.114 B (ITU-R BT.601, as PIL's convert('L'));
 * transparency is composited over black, MNIST's background. Then, unless it is 28x28 already
 * (or `prepare` says otherwise), the digit is brought to MNIST's form by `prepareDigit`.
 */
export function readDigitPng(path: string, options: DigitOptions = {}): Tensor {
  const size = DIGIT_FIELD;
  const bytes = readUserFile(path);
  // The declared size is checked before pngjs decodes (and allocates) anything.
  const declared = pngSize(bytes);
  if (declared && declared.width * declared.height > MAX_PNG_PIXELS) {
    throw new UsageError(`${path}: the image declares ${declared.width}x${declared.height} pixels, more than the ${MAX_PNG_PIXELS} a PNG may have here`);
  }
  // Without preparation only a 28x28 image will do: refused from the header too.
  if (options.prepare === false && declared && (declared.width !== size || declared.height !== size)) {
    throw new UsageError(`${path}: the image is ${declared.width}x${declared.height}; without preparation a digit must be ${size}x${size} pixels, like MNIST's`);
  }
  let png: PNG;
  try {
    png = PNG.sync.read(bytes);
  } catch (error) {
    throw new UsageError(`${path}: not a readable PNG image (${(error as Error).message})`);
  }
  const prepare = options.prepare ?? (png.width !== size || png.height !== size);
  // pngjs decodes every colour type and bit depth to 8-bit RGBA.
  const rgba = png.data;
  const out = new Float32Array(png.width * png.height);
  for (let i = 0; i < out.length; i++) {
    const r = rgba[4 * i]!;
    const g = rgba[4 * i + 1]!;
    const b = rgba[4 * i + 2]!;
    const a = rgba[4 * i + 3]! / 255;
    const gray = r === g && g === b ? r : 0.299 * r + 0.587 * g + 0.114 * b;
    const v = (options.invert ? 255 - gray : gray) * a;
    out[i] = v / 255;
  }
  if (!prepare) return fromDense(out, [1, 1, size, size]);
  try {
    return fromDense(prepareDigit(out, png.width, png.height), [1, 1, size, size]);
  } catch (error) {
    throw new UsageError(`${path}: ${(error as Error).message}`);
  }
}
