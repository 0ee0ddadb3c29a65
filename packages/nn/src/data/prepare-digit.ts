/**
 * A drawing brought to the form of MNIST's digits, as LeCun, Cortes and Burges describe them: the
 * digit's bounding box fitted into 20x20 pixels with its aspect ratio kept and anti-aliased, then
 * placed in a 28x28 field so that its centre of mass falls at the field's centre. A network trained
 * on MNIST sees a drawing of any size and position the way it saw its training digits.
 */

/** The side of the box the digit is fitted into. */
export const DIGIT_BOX = 20;
/** The side of the field the box is placed in (MNIST's image size). */
export const DIGIT_FIELD = 28;

export interface PrepareDigitOptions {
  /** A pixel is ink when its value is above this (default 0.05, on MNIST's scale of 0 to 1). */
  inkThreshold?: number;
}

/** Where the digit was found and where it went; `prepareDigitLayout` returns it with the pixels. */
export interface DigitLayout {
  /** The ink's bounding box in the drawing: [top, left, height, width]. */
  crop: [number, number, number, number];
  /** The box's size after scaling: [height, width], the longer side 20. */
  size: [number, number];
  /** The scaled box's top-left corner in the 28x28 field: [top, left]. */
  at: [number, number];
}

/**
 * `height` x `width` grayscale pixels (row-major; light ink on a dark background, as MNIST) to
 * 28x28 float32 pixels as MNIST made its digits:
 * 1. crop to the bounding box of the ink (pixels above `inkThreshold`; fainter ones inside the box
 *    are kept);
 * 2. scale the box so its longer side is 20 pixels (the other floor(side * 20 / longer + 0.5), at
 *    least 1) by area averaging: each output pixel is the mean of the drawing over the rectangle it
 *    covers, which anti-aliases when shrinking;
 * 3. place it in a 28x28 field with its centre of mass at 13.5 to 14.5 on both axes (pixel centres
 *    at whole coordinates: where MNIST's training digits have theirs), by a whole-pixel shift,
 *    clamped so no ink leaves the field.
 * A drawing with no ink throws "the drawing is empty".
 */
export function prepareDigit(pixels: ArrayLike<number>, width: number, height: number, options: PrepareDigitOptions = {}): Float32Array {
  return prepareDigitLayout(pixels, width, height, options).pixels;
}

/** `prepareDigit`, also saying where the ink was found and where it was placed. */
export function prepareDigitLayout(
  pixels: ArrayLike<number>,
  width: number,
  height: number,
  options: PrepareDigitOptions = {},
): DigitLayout & { pixels: Float32Array } {
  const threshold = options.inkThreshold ?? 0.05;
  checkDrawing(pixels, width, height, threshold);
  const [top, left, h0, w0] = inkBox(pixels, width, height, threshold);
  const longer = Math.max(h0, w0);
  const nh = Math.max(1, Math.floor((h0 * DIGIT_BOX) / longer + 0.5));
  const nw = Math.max(1, Math.floor((w0 * DIGIT_BOX) / longer + 0.5));
  const box = areaResize(pixels, width, top, left, h0, w0, nh, nw);
  const [cy, cx] = centreOfMass(box, nh, nw);
  const at: [number, number] = [placement(cy, nh), placement(cx, nw)];
  const out = new Float32Array(DIGIT_FIELD * DIGIT_FIELD);
  for (let i = 0; i < nh; i++) {
    for (let j = 0; j < nw; j++) out[(at[0] + i) * DIGIT_FIELD + at[1] + j] = box[i * nw + j]!;
  }
  return { crop: [top, left, h0, w0], size: [nh, nw], at, pixels: out };
}

function checkDrawing(pixels: ArrayLike<number>, width: number, height: number, threshold: number): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new Error(`prepareDigit: width and height must be positive integers, got ${width}x${height}`);
  }
  if (pixels.length !== width * height) {
    throw new Error(`prepareDigit: ${width}x${height} needs ${width * height} pixels, got ${pixels.length}`);
  }
  if (!Number.isFinite(threshold) || threshold < 0) {
    throw new Error(`prepareDigit: inkThreshold must be a non-negative number, got ${threshold}`);
  }
  for (let i = 0; i < pixels.length; i++) {
    const v = pixels[i]!;
    if (!(v >= 0 && v < Infinity)) throw new Error(`prepareDigit: pixel ${i} is ${v}; pixels must be finite and non-negative`);
  }
}

/** [top, left, height, width] of the pixels above `threshold`; throws when there are none. */
function inkBox(pixels: ArrayLike<number>, width: number, height: number, threshold: number): [number, number, number, number] {
  let top = height;
  let bottom = -1;
  let left = width;
  let right = -1;
  for (let r = 0; r < height; r++) {
    for (let c = 0, i = r * width; c < width; c++, i++) {
      if (pixels[i]! > threshold) {
        if (r < top) top = r;
        bottom = r;
        if (c < left) left = c;
        if (c > right) right = c;
      }
    }
  }
  if (bottom < 0) throw new Error(`the drawing is empty: no pixel is above the ink threshold ${threshold}`);
  return [top, left, bottom - top + 1, right - left + 1];
}

/**
 * Area-averaging weights from `from` source pixels to `to` output pixels: output i covers the
 * source interval [i * from / to, (i + 1) * from / to). Counted in units of 1/to of a source pixel
 * the ends are whole numbers, so the overlaps are exact.
 */
function areaWeights(from: number, to: number): Array<Array<[number, number]>> {
  const weights: Array<Array<[number, number]>> = [];
  for (let i = 0; i < to; i++) {
    const start = i * from;
    const end = start + from;
    const taps: Array<[number, number]> = [];
    for (let s = Math.floor(start / to); s * to < end; s++) {
      const overlap = Math.min(end, (s + 1) * to) - Math.max(start, s * to);
      if (overlap > 0) taps.push([s, overlap / from]);
    }
    weights.push(taps);
  }
  return weights;
}

/** The h0 x w0 box at (top, left) of the drawing, area-averaged to nh x nw: columns, then rows. */
function areaResize(
  pixels: ArrayLike<number>,
  width: number,
  top: number,
  left: number,
  h0: number,
  w0: number,
  nh: number,
  nw: number,
): Float64Array {
  const across = areaWeights(w0, nw);
  const down = areaWeights(h0, nh);
  const rows = new Float64Array(h0 * nw);
  for (let r = 0; r < h0; r++) {
    const base = (top + r) * width + left;
    for (let j = 0; j < nw; j++) {
      let sum = 0;
      for (const [c, w] of across[j]!) sum += w * pixels[base + c]!;
      rows[r * nw + j] = sum;
    }
  }
  const out = new Float64Array(nh * nw);
  for (let i = 0; i < nh; i++) {
    for (const [r, w] of down[i]!) {
      for (let j = 0; j < nw; j++) out[i * nw + j] += w * rows[r * nw + j]!;
    }
  }
  return out;
}

/** [row, column] of the centre of mass, pixel centres at whole coordinates (scipy.ndimage's). */
function centreOfMass(box: Float64Array, nh: number, nw: number): [number, number] {
  let total = 0;
  let sy = 0;
  let sx = 0;
  for (let i = 0; i < nh; i++) {
    for (let j = 0; j < nw; j++) {
      const v = box[i * nw + j]!;
      total += v;
      sy += i * v;
      sx += j * v;
    }
  }
  return [sy / total, sx / total];
}

/**
 * The first row (or column) of the box in the field: the whole shift that puts the centre of mass
 * in [13.5, 14.5), clamped so the box stays inside. The 1e-9 settles a centre of mass exactly on
 * a half pixel the same way whatever the round-off of its sums.
 */
function placement(com: number, size: number): number {
  const at = Math.ceil(13.5 - com - 1e-9);
  return Math.min(Math.max(at, 0), DIGIT_FIELD - size);
}
