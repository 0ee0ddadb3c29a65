export type { HalfSpectrum } from './rfft2.js';
export { rfft2, irfft2 } from './rfft2.js';
export type { ConvMode } from './modes.js';
export type { FftConvolveOptions } from './fftconvolve.js';
export { fftconvolve, fftcorrelate } from './fftconvolve.js';
