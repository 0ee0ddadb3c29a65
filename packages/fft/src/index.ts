export type { HalfSpectrum } from './rfft2.js';
export { rfft2, irfft2 } from './rfft2.js';
export type { FftConvolveOptions } from './fftconvolve.js';
export { fftconvolve, fftcorrelate } from './fftconvolve.js';
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
export { transformCounts } from './rfft2-plan.js';
export type { ConvMethod, ConvCosts, ChooseConvMethodOptions } from './cost-model.js';
export { chooseConvMethod, convCosts } from './cost-model.js';
