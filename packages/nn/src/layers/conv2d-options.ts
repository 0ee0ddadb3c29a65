import { CONV_METHODS, normalizeConv2dOptions } from '@convlab/core';
import type { ConvMethod, Dtype, Pair } from '@convlab/core';
import { checkInit } from '../init.js';
import type { Init } from '../init.js';
import type { Random } from '../random.js';
import { checkDtype, positiveInt } from './layer.js';

export interface Conv2dLayerOptions {
  inChannels: number;
  outChannels: number;
  /** Filter size: a number or `[kh, kw]`. */
  kernelSize: Pair;
  stride?: Pair;
  /** Zero padding on each side: a number, `[h, w]`, `'valid'` (0, the default) or `'same'` (stride 1). */
  padding?: Pair | 'valid' | 'same';
  dilation?: Pair;
  /** Split the channels into groups convolved separately (default 1). */
  groups?: number;
  /** Add a learnable bias per output channel (default true). */
  bias?: boolean;
  /** Floor a fractional output size as PyTorch does, instead of throwing "does not fit". */
  floor?: boolean;
  /** Default 'auto'. Every method gives the same numbers within round-off. */
  method?: ConvMethod;
  /** Parameter dtype, default 'float32'; inputs must have the same dtype. */
  dtype?: Dtype;
  /** Initialisation, named after the activation that follows (default 'tanh'): see init.ts. */
  init?: Init;
  /**
   * The pooling window that follows this layer, if any: the LISA tutorial divides fan_out by its
   * area, fan_out = outChannels * kh * kw / (ph * pw) (default 1: no division).
   */
  initPool?: Pair;
  /** Generator for the initial weights (default: the shared default generator). */
  random?: Random;
}

/** A Conv2d's options, checked, with their defaults, and the fans its initialisation uses. */
export interface Conv2dSettings {
  inChannels: number;
  outChannels: number;
  kernelSize: [number, number];
  stride: Pair;
  padding: Pair | 'valid' | 'same';
  dilation: Pair;
  groups: number;
  floor: boolean;
  bias: boolean;
  method: ConvMethod;
  dtype: Dtype;
  init: Init;
  fanIn: number;
  fanOut: number;
}

function pairOf(value: Pair): [number, number] {
  return typeof value === 'number' ? [value, value] : [value[0], value[1]];
}

/** Names a bad method with the values it may take. */
export function checkConvMethod(method: unknown, who: string): ConvMethod {
  if (!CONV_METHODS.includes(method as ConvMethod)) {
    throw new Error(`${who}: method must be one of ${CONV_METHODS.map((m) => `'${m}'`).join(', ')}, got ${JSON.stringify(method)}`);
  }
  return method as ConvMethod;
}

/**
 * The options checked where the layer is built (a bad stride, padding or dilation fails here;
 * whether the filter fits waits for an input), with their defaults.
 */
export function conv2dSettings(options: Conv2dLayerOptions, who: string): Conv2dSettings {
  if (!options || typeof options !== 'object') throw new Error(`${who}: expected an options object { inChannels, outChannels, kernelSize }`);
  const inChannels = positiveInt(options.inChannels, who, 'inChannels');
  const outChannels = positiveInt(options.outChannels, who, 'outChannels');
  const groups = positiveInt(options.groups ?? 1, who, 'groups');
  if (inChannels % groups !== 0 || outChannels % groups !== 0) {
    throw new Error(`${who}: groups ${groups} must divide both inChannels ${inChannels} and outChannels ${outChannels}`);
  }
  const kernel: unknown = options.kernelSize;
  const pair = typeof kernel === 'number' ? [kernel, kernel] : Array.isArray(kernel) && kernel.length === 2 ? kernel : null;
  if (!pair || !pair.every((v) => Number.isInteger(v) && v >= 1)) {
    throw new Error(`${who}: kernelSize must be a positive integer or a pair of them, got ${JSON.stringify(kernel)}`);
  }
  const [kh, kw] = pair as [number, number];
  const geometry = { stride: options.stride ?? 1, padding: options.padding ?? 0, dilation: options.dilation ?? 1, groups, floor: options.floor ?? false };
  const dtype = checkDtype(options.dtype ?? 'float32', who);
  const method = checkConvMethod(options.method ?? 'auto', who);
  normalizeConv2dOptions(geometry, who);
  const init = checkInit(options.init ?? 'tanh', who);
  const [ph, pw] = pairOf(options.initPool ?? 1);
  positiveInt(ph, who, 'initPool');
  positiveInt(pw, who, 'initPool');
  const fanIn = (inChannels / groups) * kh * kw;
  const fanOut = (outChannels * kh * kw) / (ph * pw);
  return { inChannels, outChannels, kernelSize: [kh, kw], ...geometry, bias: options.bias !== false, method, dtype, init, fanIn, fanOut };
}
