import type { ConvInfo } from './conv-info.js';

/**
 * How a conv2d computes, spelt once for every package: core's direct loop, im2col + GEMM,
 * @convlab/fft's spectral products, or `'auto'`: the FFT package's cost model (`chooseConvMethod`)
 * once that package is loaded, core's rule (`chooseConv2dMethod`) before. Every method gives the
 * same numbers within round-off.
 */
export type ConvMethod = 'direct' | 'im2col' | 'fft' | 'auto';

/** A method that names one strategy (`'auto'` resolved). */
export type ConvStrategyName = Exclude<ConvMethod, 'auto'>;

export const CONV_METHODS: readonly ConvMethod[] = ['direct', 'im2col', 'fft', 'auto'];

/**
 * Core's rule for `'auto'` between its own strategies. The GEMM computes 4 output channels per
 * register tile, so with fewer than 4 output channels per group (depthwise convolution) most of its
 * work would be padding: there the direct loop wins; everywhere else im2col does
 * (benchmarks/gemm-conv2d).
 */
export function chooseConv2dMethod(info: ConvInfo): 'direct' | 'im2col' {
  return info.outChannelsPerGroup < 4 ? 'direct' : 'im2col';
}
