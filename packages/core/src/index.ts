export type { Dtype, FloatArray, Tensor, Nested, Dense } from './tensor.js';
export { tensor, zeros, toNested, contiguous, dense, fromDense, dtypeOf, resultDtype, sizeOf, stridesOf, isContiguous, arrayFor, checkTensor } from './tensor.js';
export { optionsObject } from './options.js';
export { allocate, checkAllocation, formatBytes, getMaxBufferBytes, setMaxBufferBytes, DEFAULT_MAX_BUFFER_BYTES, MAX_TYPED_ARRAY_LENGTH } from './limits.js';
export * from './signal/index.js';
export * from './conv/index.js';
export * from './linalg/index.js';
export * from './parallel/index.js';
export * from './wasm/index.js';
