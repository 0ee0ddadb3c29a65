// @convlab/nn/pool-worker: the script of a Web Worker that serves every threaded kernel of convlab
// (core's GEMM and conv2d, nn's pooling, activations and spectral conv2d). Bundle it as the worker
// that setWorkerFactory names (docs/performance.md).
import '@convlab/core/pool-worker';
import './layers/kernels/threaded.js';
import './layers/kernels/spectral-threads.js';
