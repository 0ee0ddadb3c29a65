import { convInfo } from '@convlab/core';
import type { ConvInfo, Pair } from '@convlab/core';

/** Options shared by MaxPool2d and AvgPool2d (PyTorch's names). */
export interface PoolOptions {
  /** Window size: a number or `[h, w]`. */
  kernelSize: Pair;
  /** Step between windows; defaults to the kernel size (non-overlapping windows). */
  stride?: Pair;
  /** Implicit padding on each side, at most half the window. */
  padding?: Pair;
  /** Floor a fractional output size as PyTorch does, instead of throwing "does not fit". */
  floor?: boolean;
}

export function pair(value: Pair): [number, number] {
  return typeof value === 'number' ? [value, value] : [value[0], value[1]];
}

/** Checks the options once, at construction, so a bad layer fails where it is built. */
export function checkPoolOptions(options: PoolOptions, who: string): void {
  if (!options || typeof options !== 'object') throw new Error(`${who}: expected an options object { kernelSize, stride?, padding? }`);
  const kernel = options.kernelSize;
  const ok = (v: unknown, min: number) =>
    (typeof v === 'number' && Number.isInteger(v) && v >= min) ||
    (Array.isArray(v) && v.length === 2 && v.every((e) => Number.isInteger(e) && e >= min));
  if (!ok(kernel, 1)) throw new Error(`${who}: kernelSize must be a positive integer or a pair of them, got ${JSON.stringify(kernel)}`);
  if (options.stride !== undefined && options.stride !== null && !ok(options.stride, 1)) {
    throw new Error(`${who}: stride must be a positive integer or a pair of them, got ${JSON.stringify(options.stride)}`);
  }
  if (options.padding !== undefined && options.padding !== null) {
    if (!ok(options.padding, 0)) {
      throw new Error(`${who}: padding must be a non-negative integer or a pair of them, got ${JSON.stringify(options.padding)}`);
    }
    const [kh, kw] = pair(kernel);
    const [ph, pw] = pair(options.padding);
    if (ph > Math.floor(kh / 2) || pw > Math.floor(kw / 2)) {
      throw new Error(`${who}: padding [${ph}, ${pw}] must be at most half the kernel [${kh}, ${kw}]`);
    }
  }
}

/** The pooling geometry of input shape `xShape`: a depthwise ConvInfo, one window per channel. */
export function poolInfo(xShape: readonly number[], options: PoolOptions, dilation: Pair, who: string): ConvInfo {
  if (xShape.length !== 4) throw new Error(`${who}: input must be 4-D [N, C, H, W], got shape [${xShape.join(', ')}]`);
  const [kh, kw] = pair(options.kernelSize);
  const channels = xShape[1]!;
  return convInfo(
    xShape,
    [channels, 1, kh, kw],
    { stride: options.stride ?? options.kernelSize, padding: options.padding ?? 0, dilation, groups: channels, floor: options.floor ?? false },
    who,
  );
}
