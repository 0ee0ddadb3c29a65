// @convlab/core/pool-worker: the script of a Web Worker that serves core's threaded kernels
// (gemm, conv2d and its gradients). Bundle it as the worker that setWorkerFactory names; with
// @convlab/nn use @convlab/nn/pool-worker instead, which adds the layers' kernels.
import './parallel/kernel-tasks.js';
import { servePoolWorker } from './parallel/serve.js';

servePoolWorker();
