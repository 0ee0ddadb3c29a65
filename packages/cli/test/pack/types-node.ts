// Type-checked by pack.test.ts against the installed packages as Node resolves them.
import { convolve2d, tensor, type Tensor } from '@convlab/core';
import { workerThreadsTransport } from '@convlab/core/node';
import { fftconvolve, type ConvMethod } from '@convlab/fft';
import { lenet5, loadModel, loadMnist, serializeModel, type Sequential } from '@convlab/nn';
import { readIdx, saveModel } from '@convlab/nn/node';
import { suiteNames } from '@convlab/bench';

const y: Tensor = convolve2d(tensor([[1, 2], [3, 4]]), tensor([[1]]));
const z: Tensor = fftconvolve(y, y);
const method: ConvMethod = 'fft';
const model: Sequential = lenet5({ method });
const bytes: Uint8Array = serializeModel(model);
saveModel(model, 'm.cvlm');
export const used = [z, bytes, loadModel, loadMnist, readIdx, suiteNames, workerThreadsTransport];
