// @convlab/fft/pool-worker: the script of a Web Worker that serves every threaded kernel of convlab
// (core's GEMM, conv2d, pooling and activations, and this package's spectral conv2d). Bundle it as
// the worker that setWorkerFactory names (docs/performance.md).
import '@convlab/core/pool-worker';
import './spectral-parallel.js';
