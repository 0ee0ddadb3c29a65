/**
 * One LeNet-5 training iteration at batch 500 (forward, softmax cross-entropy, backward, SGD step,
 * float32) on one thread and on all threads, with a per-layer breakdown, the GEMM's GFLOP/s, and
 * TensorFlow.js's wasm backend on the same iteration in the same run when it is installed.
 *
 * Two threaded steps:
 *   - "nn lenet5 (auto)": @convlab/nn as `convlab train` runs it, its Conv2d and Linear layers on
 *     core's default pool (setNumThreads), the conv method from the FFT cost model;
 *   - the "fused step" below (threadedLenet): the same layers and parameters with every layer but
 *     the loss and SGD split across threads by blocks of samples, max pooling fused with the tanh
 *     after it, activations kept in shared memory in buffers each layer reuses, conv1 by im2col
 *     and conv2 spectral, and no input gradient for conv1: what more fusion would give nn.
 * The 1-thread rows run the same code with one thread, so each pair's ratio measures threading.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import {
  WorkerPool,
  arrayFor,
  defaultPool,
  getNumThreads,
  setNumThreads,
  conv2dGradBiasParallelInto,
  conv2dGradInputParallelInto,
  conv2dGradWeightParallelInto,
  conv2dParallelInto,
  convInfo,
  defineTask,
  dense,
  fromDense,
  gemmInto,
  gemmParallelInto,
  isShared,
  sharedArrayFor,
  sharedScratch,
  splitRange,
  type Conv2dOptions,
  type ConvInfo,
  type Dtype,
  type FloatArray,
  type Tensor,
} from '@convlab/core';
import {
  Conv2d,
  Linear,
  MaxPool2d,
  Module,
  Random,
  SGD,
  Sequential,
  SoftmaxCrossEntropy,
  Tanh,
  ThreadedSpectralConv2d,
  lenet5,
  maxPool2dBackwardInto,
  maxPool2dInto,
  tanhBackwardInto,
  tanhInto,
} from '@convlab/nn';
import type { Layer, LayerConfig, Parameter } from '@convlab/nn';
import { measureInterleaved, summarize, type Timing } from '../harness.js';
import type { BenchContext, BenchRow, BenchSuite } from '../suite.js';
import { loadTfjs } from '../peers/tfjs.js';
import { iterationSummary } from './iteration-summary.js';

// ---------------------------------------------------------------------------------------------
// Threaded layers over nn's parameters
//
// Activations and gradients between these layers live in shared memory, so a layer's input
// reaches the workers without a copy; an input from elsewhere is copied into a buffer the layer
// owns. Each layer's outputs and returned gradients are buffers it owns and reuses (sized once per
// shape): no allocation per iteration, and a returned tensor is valid until the layer's next call
// in the same direction (nn's layers return fresh arrays instead).

/** acc += values over the first values.length elements. */
function addInto(acc: FloatArray, values: ArrayLike<number>): void {
  for (let i = 0; i < values.length; i++) acc[i] += values[i]!;
}

/** A layer-owned shared buffer of exactly `length` elements, reallocated only when the size changes. */
function ownShared(previous: FloatArray | undefined, dtype: Dtype, length: number): FloatArray {
  const fits = previous !== undefined && previous.length === length && previous instanceof Float32Array === (dtype === 'float32');
  return fits ? previous : sharedArrayFor(dtype, length);
}

/** x's elements in shared memory: x's own buffer when it already is, else a copy into `own`. */
function sharedData(x: Tensor, own: FloatArray | undefined, dtype: Dtype): FloatArray {
  const data = dense(x).data;
  if (isShared(data)) return data;
  const copy = ownShared(own, dtype, data.length);
  copy.set(data);
  return copy;
}

/** nn's Linear, its three GEMMs on the pool (y = x W^T + b, dW += gy^T x, dx = gy W). */
export class ThreadedLinear extends Module {
  private x?: FloatArray;
  private yBuffer?: FloatArray;
  private gxBuffer?: FloatArray;
  private xCopy?: FloatArray;
  private gyCopy?: FloatArray;
  private rows = 0;
  private inShape: number[] = [];

  constructor(
    readonly inner: Linear,
    readonly pool: WorkerPool,
  ) {
    super();
  }

  forward(x: Tensor): Tensor {
    const { inFeatures: inF, outFeatures: outF, dtype } = this.inner;
    const n = x.size / inF;
    const w = this.inner.weight.value.data;
    const b = this.inner.bias?.value.data ?? null;
    this.x = sharedData(x, this.xCopy, dtype);
    if (!isShared(dense(x).data)) this.xCopy = this.x;
    this.rows = n;
    this.inShape = [...x.shape];
    const y = (this.yBuffer = ownShared(this.yBuffer, dtype, n * outF));
    if (b !== null) for (let r = 0; r < n; r++) y.set(b, r * outF);
    gemmParallelInto(y, this.x, w, n, outF, inF, { transB: true, beta: b === null ? 0 : 1, pool: this.pool });
    return fromDense(y, [...x.shape.slice(0, -1), outF]);
  }

  backward(gy: Tensor): Tensor {
    const { inFeatures: inF, outFeatures: outF, dtype } = this.inner;
    const n = this.rows;
    const g = sharedData(gy, this.gyCopy, dtype);
    if (!isShared(dense(gy).data)) this.gyCopy = g;
    gemmParallelInto(this.inner.weight.grad.data, g, this.x!, outF, inF, n, { transA: true, beta: 1, pool: this.pool });
    if (this.inner.bias) {
      const gb = this.inner.bias.grad.data;
      for (let o = 0; o < outF; o++) {
        let sum = 0;
        for (let r = 0; r < n; r++) sum += g[r * outF + o]!;
        gb[o] += sum;
      }
    }
    const gx = (this.gxBuffer = ownShared(this.gxBuffer, dtype, n * inF));
    gemmParallelInto(gx, g, this.inner.weight.value.data, n, inF, outF, { pool: this.pool });
    return fromDense(gx, this.inShape);
  }

  override parameters(): Parameter[] {
    return this.inner.parameters();
  }

  config(): LayerConfig {
    return this.inner.config();
  }
}

/** Max pooling then tanh over a block of samples (forward), and the way back. */
interface PoolTanhArgs {
  x: FloatArray;
  /** The pooled and activated output y, kept for tanh' = 1 - y^2. */
  y: FloatArray;
  switches: Int32Array;
  info: ConvInfo;
  gy: FloatArray | null;
  gx: FloatArray | null;
  /** dtype scratch for dL/d(pooled) = gy (1 - y^2), rounded as nn's Tanh rounds it. */
  g: FloatArray | null;
  /** Skip the tanh (a bare max pooling). */
  tanh: boolean;
}

function poolBlock(info: ConvInfo, start: number, end: number): { info: ConvInfo; inSize: number; outSize: number } {
  const inSize = info.inChannels * info.inHeight * info.inWidth;
  const outSize = info.outChannels * info.outHeight * info.outWidth;
  return { info: { ...info, batch: end - start }, inSize, outSize };
}

export function poolTanhForwardPart(a: PoolTanhArgs, start: number, end: number): void {
  const { info, inSize, outSize } = poolBlock(a.info, start, end);
  const y = a.y.subarray(start * outSize, end * outSize);
  maxPool2dInto(y, a.switches.subarray(start * outSize, end * outSize), a.x.subarray(start * inSize, end * inSize), info);
  if (a.tanh) tanhInto(y, y);
}

export function poolTanhBackwardPart(a: PoolTanhArgs, start: number, end: number): void {
  const { info, inSize, outSize } = poolBlock(a.info, start, end);
  const y = a.y.subarray(start * outSize, end * outSize);
  const gy = a.gy!.subarray(start * outSize, end * outSize);
  const g = a.tanh ? a.g!.subarray(start * outSize, end * outSize) : gy;
  if (a.tanh) tanhBackwardInto(g, gy, y);
  const gx = a.gx!.subarray(start * inSize, end * inSize);
  gx.fill(0);
  maxPool2dBackwardInto(gx, g, a.switches.subarray(start * outSize, end * outSize), info);
}

/** tanh over elements [start, end), forward or backward. */
interface TanhArgs {
  x: FloatArray;
  y: FloatArray;
  gy: FloatArray | null;
  gx: FloatArray | null;
}

export function tanhForwardPart(a: TanhArgs, start: number, end: number): void {
  tanhInto(a.y.subarray(start, end), a.x.subarray(start, end));
}

export function tanhBackwardPart(a: TanhArgs, start: number, end: number): void {
  tanhBackwardInto(a.gx!.subarray(start, end), a.gy!.subarray(start, end), a.y.subarray(start, end));
}

/**
 * nn's MaxPool2d, and the Tanh that follows it when given, over blocks of samples on the pool: the
 * same kernels per sample (nn's maxPool2dInto, tanh, tanh' then maxPool2dBackwardInto), so the same
 * numbers bit for bit, in one pass over each block.
 */
export class ThreadedPoolTanh extends Module {
  private x?: FloatArray;
  private xCopy?: FloatArray;
  private y?: FloatArray;
  private switches?: Int32Array;
  private info?: ConvInfo;
  private gyCopy?: FloatArray;
  private g?: FloatArray;
  private gxBuffer?: FloatArray;

  constructor(
    readonly pool: WorkerPool,
    readonly poolLayer: MaxPool2d,
    readonly tanh: Tanh | null,
  ) {
    super();
  }

  forward(x: Tensor): Tensor {
    const dtype: Dtype = dense(x).data instanceof Float32Array ? 'float32' : 'float64';
    const o = this.poolLayer.options;
    const channels = x.shape[1]!;
    const [kh, kw] = typeof o.kernelSize === 'number' ? [o.kernelSize, o.kernelSize] : o.kernelSize;
    const info = convInfo(
      x.shape,
      [channels, 1, kh, kw],
      { stride: o.stride ?? o.kernelSize, padding: o.padding ?? 0, dilation: o.dilation ?? 1, groups: channels, floor: o.floor ?? false },
      'ThreadedPoolTanh',
    );
    this.info = info;
    this.x = sharedData(x, this.xCopy, dtype);
    if (!isShared(dense(x).data)) this.xCopy = this.x;
    const n = info.batch * info.outChannels * info.outHeight * info.outWidth;
    this.y = ownShared(this.y, dtype, n);
    if (!this.switches || this.switches.length !== n) this.switches = new Int32Array(new SharedArrayBuffer(4 * n));
    this.pool.run(poolTanhForwardTask, this.args(null, null), splitRange(info.batch, this.pool.threads));
    return fromDense(this.y, [info.batch, info.outChannels, info.outHeight, info.outWidth]);
  }

  private args(gy: FloatArray | null, gx: FloatArray | null): PoolTanhArgs {
    return { x: this.x!, y: this.y!, switches: this.switches!, info: this.info!, gy, gx, g: this.g ?? null, tanh: this.tanh !== null };
  }

  backward(gy: Tensor): Tensor {
    const info = this.info!;
    const dtype: Dtype = this.y instanceof Float32Array ? 'float32' : 'float64';
    const g = sharedData(gy, this.gyCopy, dtype);
    if (!isShared(dense(gy).data)) this.gyCopy = g;
    this.g = ownShared(this.g, dtype, g.length);
    const gx = (this.gxBuffer = ownShared(this.gxBuffer, dtype, info.batch * info.inChannels * info.inHeight * info.inWidth));
    this.pool.run(poolTanhBackwardTask, this.args(g, gx), splitRange(info.batch, this.pool.threads));
    return fromDense(gx, [info.batch, info.inChannels, info.inHeight, info.inWidth]);
  }

  config(): LayerConfig {
    return this.poolLayer.config();
  }
}

/** nn's Tanh over blocks of elements on the pool. */
export class ThreadedTanh extends Module {
  private y?: FloatArray;
  private gxBuffer?: FloatArray;
  private shape: number[] = [];
  private copy?: FloatArray;

  constructor(readonly pool: WorkerPool) {
    super();
  }

  forward(x: Tensor): Tensor {
    const dtype: Dtype = dense(x).data instanceof Float32Array ? 'float32' : 'float64';
    const data = sharedData(x, this.copy, dtype);
    if (!isShared(dense(x).data)) this.copy = data;
    this.y = ownShared(this.y, dtype, data.length);
    this.shape = [...x.shape];
    this.pool.run(tanhTask, { x: data, y: this.y, gy: null, gx: null }, splitRange(data.length, this.pool.threads, 1024));
    return fromDense(this.y, this.shape);
  }

  backward(gy: Tensor): Tensor {
    const dtype: Dtype = this.y instanceof Float32Array ? 'float32' : 'float64';
    const g = sharedData(gy, undefined, dtype);
    const gx = (this.gxBuffer = ownShared(this.gxBuffer, dtype, g.length));
    this.pool.run(tanhBackwardTask, { x: this.y!, y: this.y!, gy: g, gx }, splitRange(g.length, this.pool.threads, 1024));
    return fromDense(gx, this.shape);
  }

  config(): LayerConfig {
    return { type: 'Tanh' };
  }
}

const here = new URL('../../dist/suites/iteration.js', import.meta.url);
const poolTanhForwardTask = defineTask(here, 'poolTanhForwardPart', poolTanhForwardPart);
const poolTanhBackwardTask = defineTask(here, 'poolTanhBackwardPart', poolTanhBackwardPart);
const tanhTask = defineTask(here, 'tanhForwardPart', tanhForwardPart);
const tanhBackwardTask = defineTask(here, 'tanhBackwardPart', tanhBackwardPart);

/**
 * nn's Conv2d with its products on the pool, split by samples: im2col (or direct) through core's
 * threaded kernels, or the spectral plan, one per thread. `inputGrad: false` skips dL/dx (a
 * first layer's input needs none) and returns zeros of the input's shape.
 */
export class ThreadedConv2d extends Module {
  private x?: FloatArray;
  private xCopy?: FloatArray;
  private gyCopy?: FloatArray;
  private info?: ConvInfo;
  private out?: FloatArray;
  private weightGrad?: FloatArray;
  private biasGrad?: FloatArray;
  private gxBuffer?: FloatArray;
  /** The spectral path: nn's plan per thread (ThreadedSpectralConv2d). */
  private plan?: ThreadedSpectralConv2d;

  constructor(
    readonly inner: Conv2d,
    readonly pool: WorkerPool,
    readonly method: 'im2col' | 'direct' | 'fft',
    readonly inputGrad = true,
  ) {
    super();
  }

  private options(): Conv2dOptions {
    const c = this.inner;
    return { stride: c.stride, padding: c.padding, dilation: c.dilation, groups: c.groups, floor: c.floor };
  }

  forward(x: Tensor): Tensor {
    const dtype = this.inner.dtype;
    const info = convInfo(x.shape, [...this.inner.weight.value.shape], this.options(), 'ThreadedConv2d');
    this.info = info;
    const shape = [info.batch, info.outChannels, info.outHeight, info.outWidth];
    if (this.method === 'fft') {
      this.plan ??= new ThreadedSpectralConv2d(this.options(), this.pool);
      return this.plan.forward(x, this.inner.weight.value, this.inner.bias?.value ?? null);
    }
    this.x = sharedData(x, this.xCopy, dtype);
    if (!isShared(dense(x).data)) this.xCopy = this.x;
    const out = (this.out = ownShared(this.out, dtype, shape[0]! * shape[1]! * shape[2]! * shape[3]!));
    const w = this.inner.weight.value.data;
    const b = this.inner.bias?.value.data ?? null;
    conv2dParallelInto(out, this.x, w, b, info, { pool: this.pool, method: this.method, minWork: 0 });
    return fromDense(out, shape);
  }

  backward(gy: Tensor): Tensor {
    const info = this.info!;
    const dtype = this.inner.dtype;
    const wGrad = this.inner.weight.grad.data;
    const bias = this.inner.bias;
    const xShape = [info.batch, info.inChannels, info.inHeight, info.inWidth];
    const xSize = xShape.reduce((p, d) => p * d);
    if (this.method === 'fft') {
      const grads = this.plan!.backward(gy, { input: this.inputGrad, bias: bias !== null });
      addInto(wGrad, grads.gradWeight!.data);
      if (bias) addInto(bias.grad.data, grads.gradBias!.data);
      return grads.gradInput ?? fromDense((this.gxBuffer = ownPlain(this.gxBuffer, dtype, xSize)), xShape);
    }
    const g = sharedData(gy, this.gyCopy, dtype);
    if (!isShared(dense(gy).data)) this.gyCopy = g;
    const gx = (this.gxBuffer = this.inputGrad ? ownShared(this.gxBuffer, dtype, xSize) : ownPlain(this.gxBuffer, dtype, xSize));
    const opts = { pool: this.pool, method: this.method, minWork: 0 } as const;
    const gw = (this.weightGrad = ownPlain(this.weightGrad, dtype, wGrad.length));
    conv2dGradWeightParallelInto(gw, this.x!, g, info, opts);
    addInto(wGrad, gw);
    if (bias) {
      const gb = (this.biasGrad = ownPlain(this.biasGrad, dtype, info.outChannels));
      conv2dGradBiasParallelInto(gb, g, info, opts);
      addInto(bias.grad.data, gb);
    }
    if (this.inputGrad) conv2dGradInputParallelInto(gx, g, this.inner.weight.value.data, info, opts);
    return fromDense(gx, xShape);
  }

  override parameters(): Parameter[] {
    return this.inner.parameters();
  }

  config(): LayerConfig {
    return this.inner.config();
  }
}

function ownPlain(previous: FloatArray | undefined, dtype: Dtype, length: number): FloatArray {
  return previous !== undefined && previous.length === length ? previous : arrayFor(dtype, length);
}

export type ThreadedMethod = 'im2col' | 'fft';

/**
 * lenet5's layers on `pool`: conv layer i with `methods[i]` (the first computes no input
 * gradient), each max pooling fused with the tanh after it, the other tanh and both Linear
 * layers threaded too; Flatten, the loss and SGD stay nn's.
 */
export function threadedLenet(model: Sequential, pool: WorkerPool, methods: readonly ThreadedMethod[]): Sequential {
  let conv = 0;
  const layers: Layer[] = [];
  const source = model.layers;
  for (let i = 0; i < source.length; i++) {
    const layer = source[i]!;
    if (layer instanceof Conv2d) {
      layers.push(new ThreadedConv2d(layer, pool, methods[Math.min(conv, methods.length - 1)]!, conv > 0));
      conv++;
    } else if (layer instanceof MaxPool2d) {
      const next = source[i + 1];
      const tanh = next instanceof Tanh ? next : null;
      layers.push(new ThreadedPoolTanh(pool, layer, tanh));
      if (tanh) i++;
    } else if (layer instanceof Tanh) {
      layers.push(new ThreadedTanh(pool));
    } else if (layer instanceof Linear) {
      layers.push(new ThreadedLinear(layer, pool));
    } else {
      layers.push(layer);
    }
  }
  return new Sequential(...layers);
}

// ---------------------------------------------------------------------------------------------
// The measured step

/** Short names of a model's layers for the breakdown: conv1, pool1+tanh, fc1, ... */
function layerNames(model: Sequential): string[] {
  const counts = new Map<string, number>();
  const numbered = (kind: string): number => {
    const n = (counts.get(kind) ?? 0) + 1;
    counts.set(kind, n);
    return n;
  };
  return model.layers.map((layer) => {
    if (layer instanceof ThreadedConv2d || layer instanceof Conv2d) return `conv${numbered('conv')}`;
    if (layer instanceof ThreadedPoolTanh) return `pool${numbered('pool')}${layer.tanh ? '+tanh' : ''}`;
    if (layer instanceof MaxPool2d) return `pool${numbered('pool')}`;
    if (layer instanceof ThreadedLinear || layer instanceof Linear) return `fc${numbered('fc')}`;
    if (layer instanceof ThreadedTanh || layer instanceof Tanh) return `tanh${numbered('tanh')}`;
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

/** A minibatch of MNIST's shape from a seed: pixels in [0, 1), labels 0..9. */
function syntheticBatch(batch: number, seed: number): { x: Tensor; labels: Int32Array } {
  const rng = new Random(seed);
  const data = new Float32Array(batch * 28 * 28);
  for (let i = 0; i < data.length; i++) data[i] = rng.next();
  const labels = new Int32Array(batch);
  for (let i = 0; i < batch; i++) labels[i] = rng.int(10);
  return { x: fromDense(data, [batch, 1, 28, 28]), labels };
}

/** LeNet-5 from seed 0 with its softmax layer drawn at random too (LISA starts it at zero), so the second loss tests every gradient. */
function seededLenet(method: 'im2col' | 'fft' | 'auto'): Sequential {
  const model = lenet5({ method, seed: 0 });
  const last = model.layers[model.layers.length - 1] as Linear;
  const rng = new Random(1);
  const w = last.weight.value.data;
  for (let i = 0; i < w.length; i++) w[i] = rng.uniform(-0.1, 0.1);
  return model;
}

/** Floating-point operations of LeNet-5's products at a batch (forward + both gradients, layer 1 without dL/dx). */
function lenetFlops(batch: number): { forward: number; backward: number } {
  const conv1 = 2 * batch * 20 * 24 * 24 * 25;
  const conv2 = 2 * batch * 50 * 8 * 8 * 500;
  const fc1 = 2 * batch * 800 * 500;
  const fc2 = 2 * batch * 500 * 10;
  return { forward: conv1 + conv2 + fc1 + fc2, backward: conv1 + 2 * (conv2 + fc1 + fc2) };
}

/** What a training-step function type looks like in the TensorFlow.js peer (optional, loaded by name). */
type LenetTrainingCase = (
  peer: unknown,
  weights: Record<'conv1' | 'conv2' | 'fc1' | 'fc2', { weight: Tensor; bias: Tensor }>,
  x: Tensor,
  labels: Int32Array,
  lr: number,
) => { run: () => number; check: () => ArrayLike<number>; dispose?: () => void };

async function tfjsCase(
  model: Sequential,
  x: Tensor,
  labels: Int32Array,
  lr: number,
): Promise<{ run: () => number; check: () => ArrayLike<number>; dispose?: () => void; label: string } | { missing: string }> {
  const ops = (await import('../peers/tfjs-ops.js')) as Record<string, unknown>;
  const make = ops['lenetTrainingCase'] as LenetTrainingCase | undefined;
  if (typeof make !== 'function') return { missing: 'the TensorFlow.js LeNet-5 training case is not in this checkout' };
  const peer = await loadTfjs('wasm');
  if ('missing' in peer) return peer;
  const p = model.parameters();
  const pair = (i: number) => ({ weight: p[2 * i]!.value, bias: p[2 * i + 1]!.value });
  const c = make(peer, { conv1: pair(0), conv2: pair(1), fc1: pair(2), fc2: pair(3) }, x, labels, lr);
  return { ...c, label: peer.label };
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
      // The training step in five flavours; every model starts from the same weights.
      const mixed: ThreadedMethod[] = ['im2col', 'fft'];
      const fused = 'fused step (conv1 im2col, conv2 fft)';
      const configs: Array<{ strategy: string; model: Sequential; threads: number; note: string }> = [
        { strategy: 'nn lenet5 (auto), 1 thread', model: seededLenet('auto'), threads: 1, note: '@convlab/nn as `convlab train --threads 1` runs it' },
        { strategy: `nn lenet5 (auto), ${threads} threads`, model: seededLenet('auto'), threads, note: '@convlab/nn as `convlab train` runs it' },
        { strategy: `${fused}, 1 thread`, model: threadedLenet(seededLenet('im2col'), one, mixed), threads: 1, note: '' },
        { strategy: `${fused}, ${threads} threads`, model: threadedLenet(seededLenet('im2col'), all, mixed), threads, note: '' },
      ];
      const before = getNumThreads();
      setNumThreads(threads);
      await defaultPool().start();
      const steps = configs.map((c) => ({ ...c, step: timedStep(c.model, x, labels, lr) }));
      const cases: Record<string, () => unknown> = {};
      for (const s of steps) {
        cases[s.strategy] = () => {
          setNumThreads(s.threads);
          return s.step.run();
        };
      }
      const peer = context.tiny ? { missing: 'skipped at smoke-test scale' } : await tfjsCase(seededLenet('im2col'), x, labels, lr);
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
          note: `same weights and minibatch; losses ${l0.toFixed(6)} then ${l1.toFixed(6)}`,
        });
        peer.dispose?.();
      }
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
        const memory = trainingPeakMemory(n);
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
 * four models and TensorFlow.js, which says nothing about training).
 */
function trainingPeakMemory(threads: number): { maxRssMB: number } | { error: string } {
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
    console.log(JSON.stringify({ maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024) }));`;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 600_000 });
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
  const timings = measureInterleaved(
    {
      single: () => gemmInto(c1, a, b, m, n, k, { transB: true }),
      one: () => gemmParallelInto(c1, a, b, m, n, k, { transB: true, pool: one }),
      all: () => gemmParallelInto(cT, a, b, m, n, k, { transB: true, pool: all }),
    },
    { warmup: 2, repeat: Math.max(5, context.repeat), onRun: (e) => context.progress(`iteration: GEMM ${e.name}`) },
  );
  const operation = `GEMM, fully connected forward (${m}x${k} * ${k}x${n}, float32)`;
  let diff = 0;
  for (let i = 0; i < c1.length; i++) diff = Math.max(diff, Math.abs(c1[i]! - cT[i]!));
  const flops = 2 * m * n * k;
  const row = (strategy: string, timing: Timing, note?: string): BenchRow => ({
    operation,
    key: 'gemm-fc',
    strategy,
    timing,
    flops,
    maxRelDiff: diff,
    ...(note ? { note } : {}),
  });
  return [
    row('gemmInto', timings.single, 'core, single-threaded'),
    row('gemmParallelInto, 1 thread', timings.one),
    row(`gemmParallelInto, ${all.threads} threads`, timings.all, 'rows split in blocks of 4; bit-identical to 1 thread'),
  ];
}
