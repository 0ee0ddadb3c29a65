// Run by pack.test.ts in a scratch project where the packed tarballs are installed: every package
// as a user imports it, each giving a real result.
import { convolve2d, gemmInto, gemmParallelInto, sharedFloat64Array, tensor, toNested, WorkerPool } from '@convlab/core';
import { workerThreadsTransport } from '@convlab/core/node';
import { fftconvolve } from '@convlab/fft';
import { Linear, Random, Sequential, Tanh, loadModel } from '@convlab/nn';
import { readIdx } from '@convlab/nn/node';
import { suiteNames } from '@convlab/bench';

const out = {};
const f = tensor([[1, 2, 3], [4, 5, 6], [7, 8, 9]]);
const g = tensor([[1, 2], [3, 4]]);
out.convolve2d = toNested(convolve2d(f, g));
out.fftconvolve = toNested(fftconvolve(f, g)).map((row) => row.map((v) => Math.round(v * 1e9) / 1e9));

// Two threads, the worker started from the installed package's dist/.
const pool = new WorkerPool({ threads: 2, transport: workerThreadsTransport });
await pool.start();
const a = sharedFloat64Array(64 * 64).map((_, i) => Math.sin(i));
const threaded = gemmParallelInto(sharedFloat64Array(64 * 64), a, a, 64, 64, 64, { pool, minWork: 0 });
const single = gemmInto(new Float64Array(64 * 64), a, a, 64, 64, 64);
out.gemmThreadedSame = threaded.every((v, i) => Object.is(v, single[i]));
await pool.shutdown();

// A model file by path, as the API promises Node users.
const model = new Sequential(new Linear({ inFeatures: 4, outFeatures: 3, random: new Random(5) }), new Tanh());
model.save('model.cvlm');
const x = tensor(Float32Array.of(0.5, -1, 2, 0.25), [1, 4]);
out.modelSame = Array.from(loadModel('model.cvlm').forward(x).data).every((v, i) => Object.is(v, model.forward(x).data[i]));
out.readIdxError = (() => {
  try {
    readIdx('absent-file');
  } catch (error) {
    return error.message;
  }
})();
out.suites = suiteNames();
console.log(JSON.stringify(out));
