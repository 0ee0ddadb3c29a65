/**
 * Which conv2d strategy is fastest for given shapes: a cost model of the three, each a sum of
 * counted work times a constant that benchmarks/fft/calibrate.mjs measures and writes into
 * cost-constants.ts. It compares the strategies' predicted times and returns the
 * smallest, as scipy's `choose_conv_method` does for `convolve` (by formula, not by timing).
 */
import { convInfo, optionsObject, type Conv2dOptions, type ConvInfo, type ConvMethod } from '@convlab/core';
import { spectralGeometry } from './conv-geometry.js';
import { COST_CONSTANTS } from './cost-constants.js';

export interface ChooseConvMethodOptions extends Conv2dOptions {
  /**
   * `'forward'` (default) prices one forward pass; `'training'` prices a forward pass and both
   * gradients, where the FFT reuses the input's and the weights' spectra and transforms gy once.
   */
  pass?: 'forward' | 'training';
}

/** Predicted milliseconds of each strategy for these shapes. */
export type ConvCosts = Record<Exclude<ConvMethod, 'auto'>, number>;

type Constants = { readonly [K in keyof typeof COST_CONSTANTS]: (typeof COST_CONSTANTS)[K] };

function nLogN(n: number): number {
  return n * Math.log2(Math.max(2, n));
}

/** Predicted milliseconds of direct, im2col and fft for one forward pass (or a training step). */
export function convCosts(info: ConvInfo, pass: 'forward' | 'training' = 'forward', k: Constants = COST_CONSTANTS): ConvCosts {
  const passes = pass === 'training' ? 3 : 1;
  const mac = info.work;
  const direct = passes * mac * k.directPerMac;
  // The GEMM computes 4 output rows per register tile: fewer output channels per group still cost 4.
  const paddedKg = Math.ceil(info.outChannelsPerGroup / 4) * 4;
  const gemmMacs = mac * (paddedKg / info.outChannelsPerGroup);
  const unfolded = info.batch * info.inChannels * info.kernelHeight * info.kernelWidth * info.outHeight * info.outWidth;
  const im2col = passes * (gemmMacs * k.im2colPerMac + unfolded * k.im2colPerCopy);
  const g = spectralGeometry(info);
  const n = nLogN(g.periodHeight * g.periodWidth);
  const forwardPlane = k.transformPerPlane + k.transformPerPoint * n;
  const inversePlane = k.inversePerPlane + k.inversePerPoint * n;
  const inputs = info.batch * info.inChannels;
  const outputs = info.batch * info.outChannels;
  const weights = info.outChannels * info.inChannelsPerGroup;
  const complexMacs = g.computed.length * info.batch * info.outChannels * info.inChannelsPerGroup;
  let fft = (inputs + weights) * forwardPlane + outputs * inversePlane + complexMacs * k.pointwisePerComplexMac;
  if (pass === 'training') {
    // gy forward once; dx and dw back; two more pointwise products.
    fft += outputs * forwardPlane + (inputs + weights) * inversePlane + 2 * complexMacs * k.pointwisePerComplexMac;
  }
  return { direct: direct / 1e6, im2col: im2col / 1e6, fft: fft / 1e6 };
}

/**
 * The strategy the cost model predicts fastest for conv2d of x [N, C, H, W] with w [K, C/groups,
 * kh, kw] and these options (stride, padding, dilation, groups; sizes checked as conv2d checks
 * them). Every strategy computes the same numbers; this only says which is quickest here.
 */
export function chooseConvMethod(
  xShape: readonly number[],
  wShape: readonly number[],
  optionsIn: ChooseConvMethodOptions | null = {},
): Exclude<ConvMethod, 'auto'> {
  const options = optionsObject(optionsIn, 'chooseConvMethod');
  const info = convInfo(xShape, wShape, options, 'chooseConvMethod');
  const pass = options.pass ?? 'forward';
  if (pass !== 'forward' && pass !== 'training') {
    throw new Error(`chooseConvMethod: pass must be 'forward' or 'training', got ${JSON.stringify(pass)}`);
  }
  return cheapestMethod(info, pass);
}

/** `chooseConvMethod` for a ConvInfo already computed: what core's `'auto'` resolves to once this package is loaded. */
export function cheapestMethod(info: ConvInfo, pass: 'forward' | 'training' = 'forward'): Exclude<ConvMethod, 'auto'> {
  const costs = convCosts(info, pass);
  let best: Exclude<ConvMethod, 'auto'> = 'im2col';
  for (const method of ['direct', 'fft'] as const) if (costs[method] < costs[best]) best = method;
  return best;
}
