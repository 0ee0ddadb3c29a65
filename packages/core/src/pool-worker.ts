// @convlab/core/pool-worker: the script of a Web Worker that serves core's threaded kernels
// (GEMM, conv2d and its gradients, max pooling, activations). Bundle it as the worker that
// setWorkerFactory names; with @convlab/fft (and so @convlab/nn) use @convlab/fft/pool-worker,
// which adds the spectral conv2d.
import './parallel/kernel-tasks.js';
import './parallel/layer-kernels-parallel.js';
import { servePoolWorker } from './parallel/serve.js';

servePoolWorker();
