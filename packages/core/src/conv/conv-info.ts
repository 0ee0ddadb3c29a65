/**
 * The one shape authority for batched 2-D convolution. Every conv2d kernel (direct, im2col, FFT;
 * forward and both gradients) takes its sizes from a ConvInfo and nowhere else, and this is the
 * only place that decides whether a filter fits.
 */

import { optionsObject } from '../options.js';

/** A number for both spatial axes, or `[height, width]`. */
export type Pair = number | readonly [number, number];

export interface Conv2dOptions {
  stride?: Pair;
  /** Zero padding on each side: a number, `[h, w]`, `'valid'` (0) or `'same'` (output size = input size, stride 1). */
  padding?: Pair | 'valid' | 'same';
  dilation?: Pair;
  groups?: number;
  /** Floor a fractional output size as PyTorch does, instead of throwing. */
  floor?: boolean;
}

export interface ConvInfo {
  batch: number;
  inChannels: number;
  inHeight: number;
  inWidth: number;
  outChannels: number;
  groups: number;
  inChannelsPerGroup: number;
  outChannelsPerGroup: number;
  kernelHeight: number;
  kernelWidth: number;
  strideHeight: number;
  strideWidth: number;
  dilationHeight: number;
  dilationWidth: number;
  /** Rows of zeros above the input; `'same'` with an even effective kernel puts the extra row below, as PyTorch does. */
  padTop: number;
  padBottom: number;
  padLeft: number;
  padRight: number;
  outHeight: number;
  outWidth: number;
}

function positivePair(value: Pair | undefined, fallback: number, who: string, name: string): [number, number] {
  const pair: readonly number[] = value === undefined || value === null ? [fallback, fallback] : typeof value === 'number' ? [value, value] : value;
  if (pair.length !== 2 || !pair.every((v) => Number.isInteger(v) && v >= 1)) {
    throw new Error(`${who}: ${name} must be a positive integer or a pair of them, got ${JSON.stringify(value)}`);
  }
  return [pair[0]!, pair[1]!];
}

function paddingPair(padding: Conv2dOptions['padding'], who: string): [number, number] | 'same' {
  if (padding === undefined || padding === null || padding === 'valid') return [0, 0];
  if (padding === 'same') return 'same';
  const pair: readonly number[] = typeof padding === 'number' ? [padding, padding] : padding;
  if (pair.length !== 2 || !pair.every((v) => Number.isInteger(v) && v >= 0)) {
    throw new Error(
      `${who}: padding must be a non-negative integer, a pair of them, 'valid' or 'same', got ${JSON.stringify(padding)}`,
    );
  }
  return [pair[0]!, pair[1]!];
}

function checkShape4(shape: readonly number[], who: string, name: string, layout: string): void {
  if (shape.length !== 4) {
    throw new Error(`${who}: ${name} must be 4-D ${layout}, got shape [${shape.join(', ')}]`);
  }
  if (!shape.every((d) => Number.isInteger(d) && d > 0)) {
    throw new Error(`${who}: ${name} must have no zero-size axis, got shape [${shape.join(', ')}]`);
  }
}

/** Output length along one axis: `(n + 2p - d(f-1) - 1) / s + 1`, whole or an error naming the sizes. */
function outputLength(
  axis: string,
  n: number,
  padBefore: number,
  padAfter: number,
  f: number,
  s: number,
  d: number,
  floor: boolean,
  who: string,
): number {
  const span = n + padBefore + padAfter - d * (f - 1) - 1;
  const padText = padBefore === padAfter ? `2*${padBefore}` : `${padBefore}+${padAfter}`;
  const formula = `(${n} + ${padText} - ${d}*(${f}-1) - 1)/${s} + 1`;
  if (span < 0) {
    throw new Error(
      `${who}: the filter does not fit: ${axis} ${n} with padding ${padText} is smaller than the ` +
        `${d > 1 ? 'dilated ' : ''}kernel ${d * (f - 1) + 1} (output ${axis} ${formula} < 1)`,
    );
  }
  if (span % s !== 0 && !floor) {
    throw new Error(
      `${who}: the filter does not fit: output ${axis} ${formula} = ${(span / s + 1).toFixed(2)} is not a whole number ` +
        `(input ${n}, kernel ${f}, stride ${s}, padding ${padText}, dilation ${d}); pass { floor: true } to floor it as PyTorch does`,
    );
  }
  return Math.floor(span / s) + 1;
}

/**
 * Sizes of `conv2d(x, w)` for x `[N, C, H, W]` and w `[K, C/groups, kh, kw]`.
 * `who` names the calling operation in error messages.
 */
export function convInfo(
  xShape: readonly number[],
  wShape: readonly number[],
  optionsIn: Conv2dOptions | null = {},
  who = 'conv2d',
): ConvInfo {
  const options = optionsObject(optionsIn, who);
  checkShape4(xShape, who, 'input', '[N, C, H, W]');
  checkShape4(wShape, who, 'weight', '[outChannels, inChannels/groups, kh, kw]');
  const [batch, inChannels, inHeight, inWidth] = xShape as [number, number, number, number];
  const [outChannels, inChannelsPerGroup, kernelHeight, kernelWidth] = wShape as [number, number, number, number];
  const groups = options.groups ?? 1;
  if (!Number.isInteger(groups) || groups < 1) {
    throw new Error(`${who}: groups must be a positive integer, got ${JSON.stringify(options.groups)}`);
  }
  if (inChannels % groups !== 0 || outChannels % groups !== 0) {
    throw new Error(
      `${who}: groups ${groups} must divide both the input channels ${inChannels} and the output channels ${outChannels}`,
    );
  }
  if (inChannelsPerGroup * groups !== inChannels) {
    throw new Error(
      `${who}: channel mismatch: input has ${inChannels} channels, but weight [${wShape.join(', ')}] expects ` +
        `${inChannelsPerGroup * groups} (${inChannelsPerGroup} per group x ${groups} group${groups > 1 ? 's' : ''})`,
    );
  }
  const [strideHeight, strideWidth] = positivePair(options.stride, 1, who, 'stride');
  const [dilationHeight, dilationWidth] = positivePair(options.dilation, 1, who, 'dilation');
  const padding = paddingPair(options.padding, who);
  let padTop: number, padBottom: number, padLeft: number, padRight: number;
  if (padding === 'same') {
    if (strideHeight !== 1 || strideWidth !== 1) {
      throw new Error(`${who}: padding 'same' needs stride 1, got stride [${strideHeight}, ${strideWidth}]`);
    }
    const totalH = dilationHeight * (kernelHeight - 1);
    const totalW = dilationWidth * (kernelWidth - 1);
    padTop = Math.floor(totalH / 2);
    padBottom = totalH - padTop;
    padLeft = Math.floor(totalW / 2);
    padRight = totalW - padLeft;
  } else {
    [padTop, padLeft] = padding;
    [padBottom, padRight] = padding;
  }
  const floor = options.floor ?? false;
  const outHeight = outputLength('height', inHeight, padTop, padBottom, kernelHeight, strideHeight, dilationHeight, floor, who);
  const outWidth = outputLength('width', inWidth, padLeft, padRight, kernelWidth, strideWidth, dilationWidth, floor, who);
  return {
    batch,
    inChannels,
    inHeight,
    inWidth,
    outChannels,
    groups,
    inChannelsPerGroup,
    outChannelsPerGroup: outChannels / groups,
    kernelHeight,
    kernelWidth,
    strideHeight,
    strideWidth,
    dilationHeight,
    dilationWidth,
    padTop,
    padBottom,
    padLeft,
    padRight,
    outHeight,
    outWidth,
  };
}

export function outputShape(info: ConvInfo): [number, number, number, number] {
  return [info.batch, info.outChannels, info.outHeight, info.outWidth];
}
