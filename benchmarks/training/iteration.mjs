// Times one training iteration of the lecture's LeNet-5 at batch 500 (forward, loss, backward,
// SGD update) and one forward pass of a 500-image evaluation batch, for every convolution method,
// on real MNIST images; writes benchmarks/training/iteration.json with the machine it ran on.
// This is the figure the speed work drives down: the lecture's numpy/scipy needed 6.05 s (5.72 s
// with FFT spectra reused) per iteration and about 600-700 s per epoch.
//
// Usage (after `npm run build`, from the repository root):
//   node benchmarks/training/iteration.mjs [--repeat 5] [--methods direct,im2col,fft,auto] [--threads 1,2] [--out FILE]
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { machineInfo } from '@convlab/bench';
import { setNumThreads, shutdownPool } from '@convlab/core';
import { Random, SGD, SoftmaxCrossEntropy, gatherBatch, epochOrder, lenet5, loadMnist } from '@convlab/nn';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const repeat = Number(option('repeat', '5'));
const methods = option('methods', 'direct,im2col,fft,auto').split(',');
const threadCounts = [...new Set(option('threads', `1,${availableParallelism()}`).split(',').map(Number))];
const out = option('out', join(here, 'iteration.json'));
const BATCH = 500;

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

const data = loadMnist({ limit: BATCH * (repeat + 1) });
const order = epochOrder(data.train.labels.length, new Random(1));
const rows = [];
const loadBefore = loadavg();
/** One method at one thread count: `repeat` timed iterations after a warm-up, and evaluation batches. */
function measure(method, threads) {
  setNumThreads(threads);
  const random = new Random(0);
  const model = lenet5({ method, random });
  const optimizer = new SGD(model.parameters(), { lr: 0.1 });
  const loss = new SoftmaxCrossEntropy();
  const steps = [];
  const parts = { forward: [], backward: [], update: [] };
  for (let k = 0; k <= repeat; k++) {
    const { x, labels } = gatherBatch(data.train, order, (k % (repeat + 1)) * BATCH, ((k % (repeat + 1)) + 1) * BATCH);
    model.train();
    const t0 = performance.now();
    optimizer.zeroGrad();
    const logits = model.forward(x);
    loss.forward(logits, labels);
    const t1 = performance.now();
    // As `convlab train` (fit): the first layer computes no gradient for the input images.
    model.backwardParameters(loss.backward());
    const t2 = performance.now();
    optimizer.step();
    const t3 = performance.now();
    if (k === 0) continue; // warm-up: JIT, plans, scratch buffers
    steps.push((t3 - t0) / 1000);
    parts.forward.push((t1 - t0) / 1000);
    parts.backward.push((t2 - t1) / 1000);
    parts.update.push((t3 - t2) / 1000);
  }
  const evals = [];
  model.eval();
  for (let k = 0; k <= Math.min(repeat, 3); k++) {
    const x = gatherBatch(data.validation, epochOrder(BATCH, null), 0, BATCH).x;
    const t0 = performance.now();
    model.forward(x);
    if (k > 0) evals.push((performance.now() - t0) / 1000);
  }
  const row = {
    method,
    threads,
    iterationSeconds: { median: median(steps), min: Math.min(...steps), max: Math.max(...steps), runs: steps },
    forwardSeconds: median(parts.forward),
    backwardSeconds: median(parts.backward),
    updateSeconds: median(parts.update),
    evalBatchSeconds: median(evals),
    // 100 iterations plus 40 evaluation batches (10,000 validation + 10,000 test images).
    epochSecondsEstimate: 100 * median(steps) + 40 * median(evals),
  };
  return row;
}

for (const threads of threadCounts) {
  for (const method of methods) {
    const row = measure(method, threads);
    rows.push(row);
    console.log(
      `${method.padEnd(7)} ${threads} thread${threads > 1 ? 's' : ' '} iteration ${row.iterationSeconds.median.toFixed(3)} s (min ${row.iterationSeconds.min.toFixed(3)}; forward ${row.forwardSeconds.toFixed(3)}, backward ${row.backwardSeconds.toFixed(3)}, update ${row.updateSeconds.toFixed(3)}), ` +
        `eval batch ${row.evalBatchSeconds.toFixed(3)} s, epoch about ${row.epochSecondsEstimate.toFixed(0)} s`,
    );
  }
}
await shutdownPool();
const result = {
  what: "LeNet-5 (the lecture's), batch 500, float32, one training iteration = zeroGrad + forward + softmax cross-entropy + backward (backwardParameters, as convlab train) + SGD step",
  lecture: { iterationSeconds: 6.05, iterationSecondsFftSpectraReused: 5.72, epochSeconds: '600-710' },
  repeat,
  machine: machineInfo(),
  loadAverage: { before: loadBefore, after: loadavg() },
  note: 'Wall-clock medians of `repeat` iterations after one warm-up. The machine has 2 cores shared with other jobs: a load average above 1 means these figures are inflated; re-run on a quiet machine.',
  rows,
};
mkdirSync(dirname(out), { recursive: true });
writeFileSync(`${out}.tmp`, JSON.stringify(result, null, 2) + '\n');
renameSync(`${out}.tmp`, out);
