export type { Pair, Conv2dOptions, ConvInfo, NormalizedConv2dOptions } from './conv-info.js';
export { convInfo, convSizes, normalizeConv2dOptions, outputShape, sampleSizes, withBatch } from './conv-info.js';
export type { Conv2dMethodOptions } from './conv2d.js';
export type { ConvMethod } from './conv-method.js';
export { CONV_METHODS } from './conv-method.js';
export { conv2d, conv2dGradInput, conv2dGradWeight, conv2dGradBias, chooseConv2dMethod } from './conv2d.js';
export { conv2dDirectInto, conv2dGradInputDirectInto, conv2dGradWeightDirectInto, conv2dGradBiasInto } from './direct.js';
export { conv2dIm2colInto, conv2dGradInputIm2colInto, conv2dGradWeightIm2colInto } from './im2col-conv.js';
export { im2colInto, col2imAddInto, im2colRows, im2colColumns } from './im2col.js';
