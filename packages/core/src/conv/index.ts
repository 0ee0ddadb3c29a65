export type { Pair, Conv2dOptions, ConvInfo } from './conv-info.js';
export { convInfo, outputShape } from './conv-info.js';
