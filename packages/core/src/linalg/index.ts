export type { GemmOptions } from './gemm-args.js';
export { gemmInto } from './gemm.js';
export { gemmReferenceInto } from './gemm-reference.js';
export { matmul } from './matmul.js';
export { scratch, scratchInt32, releaseScratch } from './scratch.js';
