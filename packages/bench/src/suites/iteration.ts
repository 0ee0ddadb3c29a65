/**
 * One LeNet-5 training iteration at batch 500 (forward, softmax cross-entropy, backward, SGD step,
 * float32) on one thread and on all threads, with a per-layer breakdown, the GEMM's GFLOP/s, and
 * TensorFlow.js's wasm backend on the same iteration in the same run when it is installed
 * (interleaved), then ConvNetJS once (seconds a step). Each peer runs on a worker thread of its own.
 *
 * The step is @convlab/nn's lenet5 as `convlab train` runs it: its layers on core's default pool
 * (setNumThreads), the conv method from the FFT cost model, the activations and gradients between
 * layers in buffers the layers own (shared memory), and no input gradient for the first layer
 * (Sequential.backwardParameters). The 1-thread row runs the same code with one thread, so the
 * pair's ratio measures threading.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import {
  WorkerPool,
  defaultPool,
  fromDense,
  gemmInto,
  gemmParallelInto,
  getNumThreads,
  setNumThreads,
  sharedArrayFor,
  wasmSimdSupported,
  type Tensor,
} from '@convlab/core';
import { Conv2d, Linear, MaxPool2d, Random, SGD, Sequential, SoftmaxCrossEntropy, Tanh } from '@convlab/nn';
import { measureInterleaved, summarize, type Timing } from '../harness.js';
import type { BenchContext, BenchRow, BenchSuite } from '../suite.js';
import { IsolatedPeer } from '../peers/isolated.js';
import { torchLenetSteps } from '../peers/torch.js';
import type { PeerCase } from '../peers/tfjs-ops.js';
import { lenetWeights, seededLenet, syntheticBatch } from '../lenet-iteration.js';
import { iterationSummary } from './iteration-summary.js';
import { simdLabel, withSimd } from './common.js';

// ---------------------------------------------------------------------------------------------
// The measured step

/** Short names of a model's layers for the breakdown: conv1, pool1, tanh1, fc1, ... */
function layerNames(model: Sequential): string[] {
  const counts = new Map<string, number>();
  const numbered = (kind: string): number => {
    const n = (counts.get(kind) ?? 0) + 1;
    counts.set(kind, n);
    return n;
  };
  return model.layers.map((layer) => {
    if (layer instanceof Conv2d) return `conv${numbered('conv')}`;
    if (layer instanceof MaxPool2d) return `pool${numbered('pool')}`;
    if (layer instanceof Linear) return `fc${numbered('fc')}`;
    if (layer instanceof Tanh) return `tanh${numbered('tanh')}`;
    return layer.config().type.toLowerCase();
  });
}

/** Milliseconds of each phase of one step: per layer forward and backward, the loss, the update. */
interface StepTimes {
  forward: number[];
  backward: number[];
  loss: number;
  update: number;
  /** CPU time of the whole process (every thread) during the step. */
  cpu: number;
  /** CPU time of each thread of the process during the step, largest first (Linux only, 10 ms ticks). */
  threadCpu: number[];
}

/** CPU milliseconds used so far by each thread of this process, by thread id (from /proc; empty elsewhere). */
function threadCpuTimes(): Map<string, number> {
  const out = new Map<string, number>();
  try {
    for (const tid of readdirSync('/proc/self/task')) {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      // Fields after the parenthesised name: state is field 3, utime 14 and stime 15 (clock ticks, 100 a second).
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(tid, (Number(fields[11]) + Number(fields[12])) * 10);
    }
  } catch {
    // Not Linux: no per-thread figures.
  }
  return out;
}

/** Per-thread CPU milliseconds between two snapshots, largest first, threads that did nothing left out. */
function threadCpuSince(before: Map<string, number>): number[] {
  const deltas: number[] = [];
  for (const [tid, ms] of threadCpuTimes()) {
    const d = ms - (before.get(tid) ?? 0);
    if (d > 0) deltas.push(d);
  }
  return deltas.sort((a, b) => b - a);
}

/** A training step that records where its time goes, layer by layer. */
function timedStep(model: Sequential, x: Tensor, labels: Int32Array, lr: number) {
  const loss = new SoftmaxCrossEntropy();
  const optimizer = new SGD(model.parameters(), { lr });
  const log: StepTimes[] = [];
  const losses: number[] = [];
  const run = (): number => {
    const t: StepTimes = { forward: [], backward: [], loss: 0, update: 0, cpu: 0, threadCpu: [] };
    const threadsBefore = threadCpuTimes();
    const cpu = process.cpuUsage();
    let start = performance.now();
    optimizer.zeroGrad();
    let h = x;
    for (const layer of model.layers) {
      h = layer.forward(h);
      const now = performance.now();
      t.forward.push(now - start);
      start = now;
    }
    const value = loss.forward(h, labels);
    let g = loss.backward();
    let now = performance.now();
    t.loss = now - start;
    start = now;
    for (let i = model.layers.length - 1; i >= 0; i--) {
      // As Sequential.backwardParameters (and `convlab train`): the first layer computes no dL/dx.
      if (i > 0) g = model.layers[i]!.backward(g);
      else model.layers[i]!.backwardParameters(g);
      now = performance.now();
      t.backward[i] = now - start;
      start = now;
    }
    optimizer.step();
    t.update = performance.now() - start;
    const used = process.cpuUsage(cpu);
    t.cpu = (used.user + used.system) / 1000;
    t.threadCpu = threadCpuSince(threadsBefore);
    log.push(t);
    if (losses.length < 2) losses.push(value);
    return value;
  };
  return { run, log, losses };
}

/** Floating-point operations of LeNet-5's products at a batch (forward + both gradients, layer 1 without dL/dx). */
function lenetFlops(batch: number): { forward: number; backward: number } {
  const conv1 = 2 * batch * 20 * 24 * 24 * 25;
  const conv2 = 2 * batch * 50 * 8 * 8 * 500;
  const fc1 = 2 * batch * 800 * 500;
  const fc2 = 2 * batch * 500 * 10;
  return { forward: conv1 + conv2 + fc1 + fc2, backward: conv1 + 2 * (conv2 + fc1 + fc2) };
}

/**
 * TensorFlow.js wasm's training step from the same weights, on a worker thread of its own (see
 * peers/isolated.ts: in this thread its memory growth would slow convlab's typed arrays), or why it
 * cannot run.
 */
async function tfjsCase(
  model: Sequential,
  x: Tensor,
  labels: Int32Array,
  lr: number,
): Promise<(PeerCase & { label: string; close: () => Promise<void> }) | { missing: string }> {
  const peer = await IsolatedPeer.start('wasm');
  if ('missing' in peer) return peer;
  return { ...peer.lenetTrainingCase(lenetWeights(model), x, labels, lr), label: peer.label, close: () => peer.close() };
}

/**
 * ConvNetJS's training step from the same weights, one image at a time (seconds a step): one run
 * after the interleaved ones, on a worker thread of its own, for the factor; or why it cannot run.
 */
async function convnetRow(
  operation: string,
  model: Sequential,
  x: Tensor,
  labels: Int32Array,
  lr: number,
  reference: number[],
  flops: number,
): Promise<BenchRow> {
  const peer = await IsolatedPeer.start('convnetjs');
  if ('missing' in peer) return { operation, key: 'iteration', strategy: 'convnetjs', timing: summarize([NaN]), note: `skipped: ${peer.missing}` };
  try {
    const c = peer.lenetTrainingCase(lenetWeights(model), x, labels, lr);
    const start = performance.now();
    c.run();
    const ms = performance.now() - start;
    const [loss] = Array.from(c.check()) as [number];
    return {
      operation,
      key: 'iteration',
      strategy: peer.label,
      timing: summarize([ms]),
      flops,
      maxRelDiff: Math.abs(loss - reference[0]!) / Math.abs(reference[0]!),
      note: `1 run, no warm-up, not interleaved (seconds a step), on a worker thread of its own; same weights and minibatch; loss ${loss.toFixed(6)}`,
    };
  } finally {
    await peer.close();
  }
}

/**
 * PyTorch CPU's step on 1 and on all threads, in a Python process of its own after the interleaved
 * runs (its own initialisation and a synthetic minibatch of the same shapes), or a row saying why not.
 */
function torchRows(context: BenchContext, operation: string, batch: number, threads: number, flops: number): BenchRow[] {
  const rows: BenchRow[] = [];
  for (const n of threads > 1 ? [1, threads] : [1]) {
    context.progress(`iteration: PyTorch CPU on ${n} thread${n === 1 ? '' : 's'}`);
    const steps = torchLenetSteps(n, Math.max(1, context.warmup), context.repeat, batch);
    const where = `${n} thread${n === 1 ? '' : 's'}`;
    if ('missing' in steps) {
      rows.push({ operation, key: 'iteration', strategy: `pytorch cpu, ${where} (not run)`, timing: summarize([NaN]), note: `skipped: ${steps.missing}` });
      if (n === 1) break;
      continue;
    }
    rows.push({
      operation,
      key: 'iteration',
      strategy: `pytorch cpu, ${where} (torch ${steps.version})`,
      timing: summarize(steps.timesMs),
      flops,
      params: { threads: n },
      note: 'run after the interleaved steps, in a Python process of its own; its own initialisation and a synthetic minibatch of the same shapes',
    });
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------
// The suite

/** The threads of this machine (os.availableParallelism). */
function allThreads(): number {
  return os.availableParallelism();
}

export const iterationSuite: BenchSuite = {
  name: 'iteration',
  description:
    'one LeNet-5 training iteration (forward, loss, backward, SGD; float32) on 1 thread and on all threads, per layer, with the GEMM rate and TensorFlow.js wasm',
  async run(context: BenchContext): Promise<BenchRow[]> {
    const batch = context.tiny ? 8 : context.batch;
    const threads = allThreads();
    const lr = 0.1;
    const { x, labels } = syntheticBatch(batch, 7);
    const one = new WorkerPool({ threads: 1 });
    const all = new WorkerPool({ threads });
    await all.start();
    const rows: BenchRow[] = [];
    try {
      // The training step on 1 and on all threads; both models start from the same weights.
      // Each on the pure-JavaScript kernels and, where the runtime has it, on WebAssembly SIMD (what `convlab train` runs).
      const configs: Array<{ strategy: string; model: Sequential; threads: number; simd: boolean; note: string }> = [];
      for (const simd of wasmSimdSupported() ? [false, true] : [false]) {
        const path = simd ? `, ${simdLabel()}` : '';
        // The path before the thread count: the summary pairs rows that differ only in their last part.
        const trainNote = simd ? '@convlab/nn as `convlab train` runs it' : '@convlab/nn as `CONVLAB_SIMD=0 convlab train` runs it';
        configs.push(
          { strategy: `nn lenet5 (auto)${path}, 1 thread`, model: seededLenet('auto', 0), threads: 1, simd, note: `${trainNote} with --threads 1` },
          { strategy: `nn lenet5 (auto)${path}, ${threads} threads`, model: seededLenet('auto', 0), threads, simd, note: trainNote },
        );
      }
      const before = getNumThreads();
      setNumThreads(threads);
      await defaultPool().start();
      const steps = configs.map((c) => ({ ...c, step: timedStep(c.model, x, labels, lr) }));
      const cases: Record<string, () => unknown> = {};
      for (const s of steps) {
        cases[s.strategy] = () => {
          setNumThreads(s.threads);
          return withSimd(s.simd, s.step.run);
        };
      }
      const peer = context.tiny ? { missing: 'skipped at smoke-test scale' } : await tfjsCase(seededLenet('im2col', 0), x, labels, lr);
      if (!('missing' in peer)) cases[peer.label] = peer.run;
      const warmup = Math.max(1, context.warmup);
      const timings = measureInterleaved(cases, {
        warmup,
        repeat: context.repeat,
        onRun: (e) => context.progress(`iteration: ${e.name} (${e.phase === 'warmup' ? 'warm-up' : 'run'} ${e.round}/${e.rounds})`),
      });
      setNumThreads(before);
      const rss = process.resourceUsage().maxRSS / 1024;
      const flops = lenetFlops(batch);
      const reference = steps[0]!.step.losses;
      const operation = `LeNet-5 training iteration (batch ${batch}, float32)`;
      for (const s of steps) {
        const timing = timings[s.strategy]!;
        const [l0, l1] = s.step.losses as [number, number];
        const timed = s.step.log.slice(-context.repeat);
        const cpu = summarize(timed.map((t) => t.cpu)).median;
        // The busiest thread's CPU time bounds the step from below on idle cores.
        const busiest = summarize(timed.map((t) => t.threadCpu[0] ?? NaN)).median;
        rows.push({
          operation,
          key: 'iteration',
          strategy: s.strategy,
          timing,
          flops: flops.forward + flops.backward,
          lectureSeconds: 6.05,
          maxRelDiff: Math.max(Math.abs(l0 - reference[0]!) / Math.abs(reference[0]!), Math.abs(l1 - reference[1]!) / Math.abs(reference[1]!)),
          note: [s.note, `losses ${l0.toFixed(6)} then ${l1.toFixed(6)}`, `CPU ${(cpu / 1000).toFixed(3)} s a step (all threads)`]
            .filter(Boolean)
            .join('; '),
          params: {
            threads: s.threads,
            cpuMs: Math.round(cpu),
            ...(Number.isFinite(busiest) ? { busiestThreadCpuMs: Math.round(busiest) } : {}),
          },
        });
      }
      if ('missing' in peer) {
        rows.push({ operation, key: 'iteration', strategy: 'tfjs wasm', timing: summarize([NaN]), note: `skipped: ${peer.missing}` });
      } else {
        const [l0, l1] = Array.from(peer.check()) as [number, number];
        rows.push({
          operation,
          key: 'iteration',
          strategy: peer.label,
          timing: timings[peer.label]!,
          flops: flops.forward + flops.backward,
          maxRelDiff: Math.max(Math.abs(l0 - reference[0]!) / Math.abs(reference[0]!), Math.abs(l1 - reference[1]!) / Math.abs(reference[1]!)),
          note: `same weights and minibatch, on a worker thread of its own; losses ${l0.toFixed(6)} then ${l1.toFixed(6)}`,
        });
        peer.dispose();
        await peer.close();
      }
      if (!context.tiny) rows.push(await convnetRow(operation, seededLenet('im2col', 0), x, labels, lr, reference, flops.forward + flops.backward));
      if (!context.tiny) rows.push(...torchRows(context, operation, batch, threads, flops.forward + flops.backward));
      rows[0]!.note += `; peak resident memory of the bench process so far ${rss.toFixed(0)} MB`;

      // Where the time goes: per layer, medians over the timed runs.
      for (const s of steps) {
        const log = s.step.log.slice(-context.repeat);
        const phase = (name: string, pick: (t: StepTimes) => number): void => {
          rows.push({
            operation: `per layer: ${name}`,
            key: `layer-${name.replace(/\W+/g, '-')}`,
            strategy: s.strategy,
            timing: summarize(log.map(pick)),
          });
        };
        const names = layerNames(s.model);
        names.forEach((layer, i) => phase(`${layer} forward`, (t) => t.forward[i]!));
        phase('loss', (t) => t.loss);
        [...names.keys()].reverse().forEach((i) => phase(`${names[i]} backward`, (t) => t.backward[i]!));
        phase('SGD update', (t) => t.update);
      }
      // The products' floating-point operations per phase (backward: both gradients; conv1 has no dL/dx).
      const productFlops: Record<string, number> = {
        'conv1 forward': 2 * batch * 20 * 24 * 24 * 25,
        'conv1 backward': 2 * batch * 20 * 24 * 24 * 25,
        'conv2 forward': 2 * batch * 50 * 8 * 8 * 500,
        'conv2 backward': 4 * batch * 50 * 8 * 8 * 500,
        'fc1 forward': 2 * batch * 800 * 500,
        'fc1 backward': 4 * batch * 800 * 500,
        'fc2 forward': 2 * batch * 500 * 10,
        'fc2 backward': 4 * batch * 500 * 10,
      };
      for (const r of rows) {
        const phase = r.operation.replace('per layer: ', '');
        if (r.operation.startsWith('per layer: ') && productFlops[phase] !== undefined) r.flops = productFlops[phase];
      }

      // The GEMM alone at the fully connected layer's product, and the same split across threads.
      rows.push(...gemmRows(context, batch, one, all));
    } finally {
      await Promise.all([one.shutdown(), all.shutdown()]);
    }
    if (!context.tiny) {
      for (const row of rows.filter((r) => r.key === 'iteration' && r.strategy.startsWith('nn lenet5'))) {
        const n = Number(row.params?.['threads'] ?? 1);
        context.progress(`iteration: peak memory of a training process on ${n} thread${n === 1 ? '' : 's'}`);
        const memory = trainingPeakMemory(n, row.strategy.includes('WebAssembly SIMD'));
        if ('maxRssMB' in memory) row.params = { ...row.params, trainingPeakRssMB: memory.maxRssMB };
        else row.note = `${row.note ?? ''}; training process memory not measured (${memory.error.replace(/[()]/g, '')})`;
      }
    }
    return rows;
  },
  summary: iterationSummary,
};

/**
 * Peak resident memory of a training process: full MNIST loaded, lenet5 (method auto) trained for
 * 20 minibatches of 500 on `threads` threads, in a child process of its own (this process holds
 * three LeNet-5s and TensorFlow.js, which says nothing about training).
 */
function trainingPeakMemory(threads: number, simd: boolean): { maxRssMB: number } | { error: string } {
  const script = `
    const { setNumThreads } = await import(${JSON.stringify(import.meta.resolve('@convlab/core'))});
    const { Random, SGD, SoftmaxCrossEntropy, epochOrder, gatherBatch, lenet5, loadMnist } = await import(${JSON.stringify(import.meta.resolve('@convlab/nn'))});
    setNumThreads(${threads});
    const data = loadMnist();
    const model = lenet5({ seed: 0 });
    const sgd = new SGD(model.parameters(), { lr: 0.1 });
    const ce = new SoftmaxCrossEntropy();
    const order = epochOrder(data.train.labels.length, new Random(1));
    for (let k = 0; k < 20; k++) {
      const { x, labels } = gatherBatch(data.train, order, k * 500, (k + 1) * 500);
      sgd.zeroGrad();
      ce.forward(model.forward(x), labels);
      model.backwardParameters(ce.backward());
      sgd.step();
    }
    // On Linux a spawned process's maxRSS starts at its parent's resident size at the fork, so the
    // bench's own (three LeNet-5s, TensorFlow.js) would show through; VmHWM is this process's own peak.
    const { readFileSync } = await import('node:fs');
    let peakKiB = process.resourceUsage().maxRSS;
    try {
      const hwm = /VmHWM:\\s+(\\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
      if (hwm) peakKiB = Number(hwm[1]);
    } catch {}
    console.log(JSON.stringify({ maxRssMB: Math.round(peakKiB / 1024) }));`;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    timeout: 600_000,
    env: { ...process.env, CONVLAB_SIMD: simd ? '1' : '0' },
  });
  if (child.status !== 0) return { error: (child.stderr || String(child.error)).trim().split('\n').at(-1) ?? 'failed' };
  try {
    return JSON.parse(child.stdout.trim().split('\n').at(-1)!) as { maxRssMB: number };
  } catch {
    return { error: 'the training process printed no memory figure' };
  }
}

function gemmRows(context: BenchContext, batch: number, one: WorkerPool, all: WorkerPool): BenchRow[] {
  const m = batch;
  const k = context.tiny ? 32 : 800;
  const n = context.tiny ? 16 : 500;
  const rng = new Random(3);
  const a = sharedArrayFor('float32', m * k);
  const b = sharedArrayFor('float32', n * k);
  for (let i = 0; i < a.length; i++) a[i] = rng.uniform(-1, 1);
  for (let i = 0; i < b.length; i++) b[i] = rng.uniform(-1, 1);
  const c1 = sharedArrayFor('float32', m * n);
  const cT = sharedArrayFor('float32', m * n);
  const s1 = sharedArrayFor('float32', m * n);
  const sT = sharedArrayFor('float32', m * n);
  const simd = wasmSimdSupported();
  const cases: Record<string, () => unknown> = {
    single: () => gemmInto(c1, a, b, m, n, k, { transB: true, simd: false }),
    one: () => gemmParallelInto(c1, a, b, m, n, k, { transB: true, pool: one, simd: false }),
    all: () => gemmParallelInto(cT, a, b, m, n, k, { transB: true, pool: all, simd: false }),
  };
  if (simd) {
    cases['simdSingle'] = () => gemmInto(s1, a, b, m, n, k, { transB: true, simd: true });
    cases['simdAll'] = () => withSimd(true, () => gemmParallelInto(sT, a, b, m, n, k, { transB: true, pool: all, simd: true }));
  }
  const timings = measureInterleaved(
    cases,
    { warmup: 2, repeat: Math.max(5, context.repeat), onRun: (e) => context.progress(`iteration: GEMM ${e.name}`) },
  );
  const operation = `GEMM, fully connected forward (${m}x${k} * ${k}x${n}, float32)`;
  const difference = (x: ArrayLike<number>): number => {
    let diff = 0;
    for (let i = 0; i < c1.length; i++) diff = Math.max(diff, Math.abs(c1[i]! - x[i]!));
    return diff;
  };
  const flops = 2 * m * n * k;
  const row = (strategy: string, timing: Timing, diff: number, note?: string): BenchRow => ({
    operation,
    key: 'gemm-fc',
    strategy,
    timing,
    flops,
    maxRelDiff: diff,
    ...(note ? { note } : {}),
  });
  const rows = [
    row('gemmInto', timings.single, 0, 'core, single-threaded, pure JavaScript'),
    row('gemmParallelInto, 1 thread', timings.one, 0),
    row(`gemmParallelInto, ${all.threads} threads`, timings.all, difference(cT), 'rows split in blocks of 4; bit-identical to 1 thread'),
  ];
  if (simd) {
    rows.push(
      row(`gemmInto, ${simdLabel()}`, timings.simdSingle!, difference(s1), 'core, single-threaded; float32 sums (vs the double sums of the rows above)'),
      row(`gemmParallelInto, ${simdLabel()}, ${all.threads} threads`, timings.simdAll!, difference(sT), 'each worker on its own kernel and memory'),
    );
  }
  return rows;
}
