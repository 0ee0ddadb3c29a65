/**
 * How a conv2d computes, spelt once for every package: core's direct loop, im2col + GEMM,
 * @convlab/fft's spectral products, or `'auto'`: the FFT package's cost model (`chooseConvMethod`)
 * where that package is in use, core's rule (`chooseConv2dMethod`) for core's own functions.
 * Every method gives the same numbers within round-off.
 */
export type ConvMethod = 'direct' | 'im2col' | 'fft' | 'auto';

export const CONV_METHODS: readonly ConvMethod[] = ['direct', 'im2col', 'fft', 'auto'];
