import type { FloatArray } from '../tensor.js';
import type { WorkerPool } from '../parallel/pool.js';
import { conv2dGradInputParallelInto, conv2dGradWeightParallelInto, conv2dParallelInto } from '../parallel/conv2d-parallel.js';
import type { Conv2dOptions, ConvInfo } from './conv-info.js';
import { chooseConv2dMethod, type ConvMethod, type ConvStrategyName } from './conv-method.js';

/*
 * One contract for every way of computing conv2d, and the table that names them. Core registers
 * its direct loop and im2col + GEMM here; @convlab/fft registers its spectral strategy and its cost
 * model for `'auto'` when it is loaded. Callers (core's conv2d, nn's Conv2d) look a strategy up by
 * name and call it; none of them knows which package implements it.
 */

/**
 * What one call site keeps between a forward pass and its gradients: the pool it runs on (the
 * thread count is passed, not read from a global), and whatever the strategy reuses (the spectral
 * strategy keeps the input's and the weights' spectra).
 */
export interface Conv2dPlan {
  /** The strategy that made the plan. */
  readonly method: ConvStrategyName;
  /** The pool the strategy's kernels run on (default: core's `defaultPool()`). */
  readonly pool?: WorkerPool;
}

/**
 * A conv2d strategy: destination-first kernels over flat NCHW arrays whose sizes `info` gives.
 * `gradInput` and `gradWeight` of the same pass may use what `forward` kept in `plan` when they get
 * the same arrays, unchanged in between (as a layer calls them). Forward and input gradient are the
 * single-threaded result bit for bit at any thread count; the weight gradient is identical from run
 * to run for a given thread count.
 */
export interface Conv2dStrategy {
  readonly method: ConvStrategyName;
  /** out [N, K, Ho, Wo] = conv2d(x, w) + bias. */
  forward(out: FloatArray, x: FloatArray, w: FloatArray, bias: FloatArray | null, info: ConvInfo, plan?: Conv2dPlan): void;
  /** gx [N, C, H, W] = dL/dx for the output gradient gy [N, K, Ho, Wo]. */
  gradInput(gx: FloatArray, gy: FloatArray, w: FloatArray, info: ConvInfo, plan?: Conv2dPlan): void;
  /** gw [K, C/groups, kh, kw] = dL/dw, summed over the batch. */
  gradWeight(gw: FloatArray, x: FloatArray, gy: FloatArray, info: ConvInfo, plan?: Conv2dPlan): void;
  /** A plan for one call site (a layer) with these options, running on `pool`. */
  plan(options: Conv2dOptions, pool?: WorkerPool): Conv2dPlan;
}

/** What `'auto'` resolves to, for a forward pass or a whole training step (forward and both gradients). */
export type ConvMethodChooser = (info: ConvInfo, pass: 'forward' | 'training') => ConvStrategyName;

function coreStrategy(method: 'direct' | 'im2col'): Conv2dStrategy {
  return {
    method,
    forward: (out, x, w, bias, info, plan) => conv2dParallelInto(out, x, w, bias, info, { method, pool: plan?.pool }),
    gradInput: (gx, gy, w, info, plan) => conv2dGradInputParallelInto(gx, gy, w, info, { method, pool: plan?.pool }),
    gradWeight: (gw, x, gy, info, plan) => conv2dGradWeightParallelInto(gw, x, gy, info, { method, pool: plan?.pool }),
    plan: (_options, pool) => ({ method, pool }),
  };
}

const strategies = new Map<ConvStrategyName, Conv2dStrategy>([
  ['direct', coreStrategy('direct')],
  ['im2col', coreStrategy('im2col')],
]);

let chooser: ConvMethodChooser | undefined;

/** Adds (or replaces) the strategy named `strategy.method`; @convlab/fft registers 'fft' this way. */
export function registerConv2dStrategy(strategy: Conv2dStrategy): void {
  strategies.set(strategy.method, strategy);
}

/** Makes `chooser` the rule behind `'auto'` (@convlab/fft registers its cost model); undefined restores core's. */
export function registerConvMethodChooser(next: ConvMethodChooser | undefined): void {
  chooser = next;
}

/** The strategy named `method`, or an error naming the package that provides it. */
export function conv2dStrategy(method: ConvStrategyName, who = 'conv2d'): Conv2dStrategy {
  const strategy = strategies.get(method);
  if (strategy) return strategy;
  const hint = method === 'fft' ? " (import '@convlab/fft' to register the spectral method)" : '';
  throw new Error(`${who}: no conv2d strategy named ${JSON.stringify(method)} is registered${hint}`);
}

/**
 * The strategy `method` stands for on this convolution: itself, or for `'auto'` the registered
 * chooser (the FFT package's cost model) and core's `chooseConv2dMethod` when none is.
 */
export function resolveConvMethod(method: ConvMethod, info: ConvInfo, pass: 'forward' | 'training' = 'forward'): ConvStrategyName {
  if (method !== 'auto') return method;
  return chooser ? chooser(info, pass) : chooseConv2dMethod(info);
}
