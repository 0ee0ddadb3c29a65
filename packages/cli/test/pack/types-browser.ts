// Type-checked by pack.test.ts as a browser project's bundler resolves the packages (no "node"
// condition, no Node types): the browser API is complete, and the file-based one is absent.
import { convolve2d, setWorkerFactory, tensor, type Tensor } from '@convlab/core';
import { fftconvolve } from '@convlab/fft';
import { deserializeModel, lenet5, mnistFromBytes, serializeModel } from '@convlab/nn';
// @ts-expect-error: loading a model by path is Node's (@convlab/nn/node)
import { loadModel } from '@convlab/nn';

setWorkerFactory((name) => new Worker('pool-worker.js', { type: 'module', name }));
const y: Tensor = fftconvolve(convolve2d(tensor([[1, 2], [3, 4]]), tensor([[1]])), tensor([[1]]));
const copy = deserializeModel(serializeModel(lenet5()), 'in memory');
export const used = [y, copy, mnistFromBytes, loadModel];
