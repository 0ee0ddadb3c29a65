export type { ConvMode, ConvWindow } from './modes.js';
export { applyConvMode, centered, checkMode, fullShape, inputsSwapNeeded } from './modes.js';
export type { TensorLike } from './inputs.js';
export type { ConvolveOptions } from './convolve.js';
export { convolve, correlate } from './convolve.js';
export type { Boundary } from './convolve2d.js';
export { convolve2d, correlate2d } from './convolve2d.js';
export { kron, upsample } from './kron.js';
export { flip, rot90 } from './flip.js';
