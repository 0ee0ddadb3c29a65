// Bundled for the browser by browser-bundle.test.ts and run in a context without Node's globals.
import { convolve2d, tensor, toNested, WorkerPool, setNumThreads, getNumThreads } from '@convlab/core';
import { fftconvolve } from '@convlab/fft';
import { Random, SGD, SoftmaxCrossEntropy, deserializeModel, lenet5, serializeModel, encodeIdx, parseIdx } from '@convlab/nn';

const f = tensor([[1, 2, 3], [4, 5, 6], [7, 8, 9]]);
const g = tensor([[1, 2], [3, 4]]);
const out = {};
out.convolve2d = toNested(convolve2d(f, g));
out.fftconvolve = toNested(fftconvolve(f, g)).map((row) => row.map((v) => Math.round(v * 1e9) / 1e9));
out.poolThreads = new WorkerPool({ threads: 4 }).threads;
setNumThreads(4);
out.numThreads = getNumThreads();

// One LeNet-5 training step on two random images, then a model-file round trip in memory.
const random = new Random(7);
const model = lenet5({ random });
const x = tensor(Float32Array.from({ length: 2 * 784 }, () => random.uniform(0, 1)), [2, 1, 28, 28]);
const loss = new SoftmaxCrossEntropy();
const opt = new SGD(model.parameters(), { lr: 0.1 });
opt.zeroGrad();
out.loss = loss.forward(model.forward(x), [3, 7]);
model.backward(loss.backward());
opt.step();
const bytes = serializeModel(model.eval());
const copy = deserializeModel(bytes, 'in-memory');
const a = model.forward(x).data;
const b = copy.eval().forward(x).data;
out.modelBytes = bytes.length;
out.roundTripSame = a.length === 20 && Array.from(a).every((v, i) => Object.is(v, b[i]));
out.idxDims = parseIdx(encodeIdx([2, 2], Uint8Array.of(1, 2, 3, 4)), 'x').dims;
try {
  model.save('lenet5.cvlm');
} catch (error) {
  out.saveError = error.message;
}
globalThis.result = out;
