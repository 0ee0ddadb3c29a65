export type { Range } from './partition.js';
export { splitRange } from './partition.js';
export { sharedArrayFor, sharedFloat32Array, sharedFloat64Array, sharedInt32Array, isShared, sharedScratch, releaseSharedScratch, stage, unstage, SLOTS } from './shared.js';
export type { RangeTask } from './task.js';
export { defineTask, builtModule } from './task.js';
export type { WorkerPoolOptions } from './pool.js';
export { WorkerPool, capThreads } from './pool.js';
export type { PoolTransport, PoolWorkerHandle } from './transport.js';
export { useTransport, currentTransport } from './transport.js';
export type { WorkerLike, WorkerFactory, WorkerSource, WebWorkerTransportOptions } from './web-transport.js';
export { setWorkerFactory, webWorkerTransport } from './web-transport.js';
export type { PoolPort, ServedWorker, WorkerScope } from './serve.js';
export { servePool, servePoolWorker } from './serve.js';
export { getNumThreads, setNumThreads, defaultPool, poolOf, singleThreadPool, shutdownPool } from './default-pool.js';
export type { ParallelOptions } from './gemm-parallel.js';
export { gemmParallelInto, MIN_PARALLEL_WORK } from './gemm-parallel.js';
export type { Conv2dParallelOptions } from './conv2d-parallel.js';
export {
  conv2dParallelInto,
  conv2dGradInputParallelInto,
  conv2dGradWeightParallelInto,
  conv2dGradBiasParallelInto,
} from './conv2d-parallel.js';
export type { ActivationName } from './layer-kernels-parallel.js';
export { maxPool2dParallelInto, maxPool2dBackwardParallelInto, activationParallelInto } from './layer-kernels-parallel.js';
