// @convlab/fft: real 2-D FFT (fft.js rows for powers of two, our mixed radix elsewhere), fftconvolve / fftcorrelate, and batched spectral conv2d
// with spectra a caller can keep (docs/fft.md).

// The real 2-D FFT over the last two axes (numpy.fft.rfft2 / irfft2, any sizes).
export type { HalfSpectrum } from './rfft2.js';
export { rfft2, irfft2 } from './rfft2.js';

// scipy.signal.fftconvolve and scipy.signal.correlate(method='fft'), 1-D and 2-D.
export type { FftConvolveOptions, FftInput } from './fftconvolve.js';
export { fftconvolve, fftcorrelate } from './fftconvolve.js';

// Batched spectral conv2d (NCHW) and its gradients, with reusable spectra.
export type { SpectralGeometry } from './conv-geometry.js';
export { spectralGeometry } from './conv-geometry.js';
export type { InputSpectrum, WeightSpectrum, GradSpectrum, ConvSpectrum } from './conv-spectra.js';
export type { Conv2dGradients } from './spectral-conv2d.js';
export {
  SpectralConv2d,
  inputSpectrum,
  weightSpectrum,
  gradSpectrum,
  conv2dFromSpectra,
  conv2dGradInputFromSpectra,
  conv2dGradWeightFromSpectra,
  fftConv2d,
  fftConv2dGradInput,
  fftConv2dGradWeight,
} from './spectral-conv2d.js';

// The 'fft' strategy of core's conv2d strategy table, registered (with the cost model for 'auto') on load.
export { spectralStrategy } from './spectral-strategy.js';

// Which strategy is fastest for given shapes.
export type { ConvCosts, ChooseConvMethodOptions } from './cost-model.js';
/** Core's one spelling of a conv2d method, re-exported where the cost model returns it. */
export type { ConvMethod } from '@convlab/core';
export { chooseConvMethod, cheapestMethod, convCosts } from './cost-model.js';
export { COST_CONSTANTS } from './cost-constants.js';

// Low-level pieces, for benchmarks and for callers that manage their own buffers.
export { Rfft2Plan, rfft2Plan, transformCounts } from './rfft2-plan.js';
export { complexMatmulInto, packPanelsInto, packRowsInto, packedLength } from './pointwise.js';

// The transform plan cache, least recently used first out past a budget in bytes (default 64 MiB).
export { DEFAULT_PLAN_CACHE_BYTES, setPlanCacheBytes, planCacheStats, clearPlanCache } from './plan-cache.js';
