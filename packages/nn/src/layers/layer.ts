import { arrayFor, checkAllocation, checkTensor, dense, dtypeOf, fromDense, sharedArrayFor } from '@convlab/core';
import type { WorkerPool } from '@convlab/core';
import type { Dtype, FloatArray, Tensor } from '@convlab/core';

/**
 * The layer contract (as in micrograd and torch.nn): `forward(x)` computes the output and keeps what
 * the backward pass needs; `backward(gy)` takes dL/dy, ADDS the parameter gradients into each
 * parameter's `grad` and returns dL/dx. Outputs and returned gradients are fresh tensors the caller
 * may keep, unless the layer was told to reuse its buffers (`reuseResults`, which a Sequential does
 * for results that only its own layers see); scratch that only the layer reads (switches, masks) is
 * reused between calls.
 */
export interface Parameter {
  /** `weight`, `bias`; inside a Sequential, prefixed with the layer's index: `0.weight`. */
  readonly name: string;
  /** The live tensor the layer computes with: writing into it changes the layer. */
  readonly value: Tensor;
  /** dL/dvalue, same shape and dtype; accumulated by `backward`, cleared by an optimiser's `zeroGrad()`. */
  readonly grad: Tensor;
}

/** A JSON value, for layer configurations stored in model files. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A layer's architecture as plain JSON: its class name and its constructor options. */
export interface LayerConfig {
  readonly type: string;
  readonly [option: string]: Json;
}

export interface Layer {
  /** True in training mode (the default), false after `eval()`. Only Dropout behaves differently. */
  readonly training: boolean;
  forward(x: Tensor): Tensor;
  backward(gy: Tensor): Tensor;
  /**
   * Parameter gradients only: adds dL/dparameter into each parameter's `grad` exactly as `backward`
   * does, and computes no dL/dx. A model's first layer needs no input gradient (PyTorch computes
   * none for an input that does not require one), and for a first convolution it is the costliest
   * product of its backward pass. A layer without parameters has nothing to do.
   */
  backwardParameters(gy: Tensor): void;
  parameters(): Parameter[];
  train(mode?: boolean): this;
  eval(): this;
  /** The constructor options that rebuild this layer (without its weights). */
  config(): LayerConfig;
  /**
   * Whether the layer may return its input (or a view of it) from forward, and gy (or a view) from
   * backward, instead of a result of its own: Flatten and Dropout do. A Sequential reads it to know
   * which results reach its caller.
   */
  readonly passesThrough?: boolean;
  /** See Module.reuseResults. */
  reuseResults?(reuse: ResultReuse): this;
  /** See Module.usePool. */
  usePool?(pool: WorkerPool | undefined): this;
}

/** Which results a layer writes into buffers it owns instead of fresh arrays. */
export interface ResultReuse {
  /** forward's output. */
  output: boolean;
  /** backward's dL/dx. */
  gradInput: boolean;
}

/** The shared part of every layer: the training flag, and no parameters unless a layer has some. */
export abstract class Module implements Layer {
  training = true;
  readonly passesThrough: boolean = false;
  /** Set by reuseResults: forward's output and backward's dL/dx go into the layer's own buffers. */
  protected reuse: ResultReuse = { output: false, gradInput: false };
  /** Set by usePool: the pool the layer's kernels run on (undefined: core's `defaultPool()`). */
  protected pool: WorkerPool | undefined;

  abstract forward(x: Tensor): Tensor;
  abstract backward(gy: Tensor): Tensor;
  abstract config(): LayerConfig;

  /** Layers with parameters run `backward` and drop dL/dx unless they override this with a cheaper path. */
  backwardParameters(gy: Tensor): void {
    if (this.parameters().length > 0) this.backward(gy);
  }

  parameters(): Parameter[] {
    return [];
  }

  train(mode = true): this {
    this.training = mode;
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /**
   * Lets forward write its output, and backward its dL/dx, into buffers the layer owns: sized once
   * per shape, in shared memory (so threaded kernels need no staging copy), and overwritten by the
   * layer's next call in the same direction. A Sequential sets this on the layers whose results only
   * its other layers see, so a training step allocates nothing for them; what a caller receives
   * (the model's output, the model's dL/dx) stays fresh. By default (false, false) every result is
   * a new tensor, as in PyTorch.
   */
  reuseResults(reuse: ResultReuse): this {
    this.reuse = { output: reuse.output, gradInput: reuse.gradInput };
    return this;
  }

  /**
   * Runs the layer's kernels on `pool` (a Sequential passes it to its layers); undefined, the
   * default, follows core's `defaultPool()`, sized by `setNumThreads`. The numbers do not depend on
   * the pool beyond the round-off of summed gradients (docs/performance.md).
   */
  usePool(pool: WorkerPool | undefined): this {
    this.pool = pool;
    return this;
  }
}

export function checkDtype(dtype: unknown, who: string): Dtype {
  if (dtype !== 'float32' && dtype !== 'float64') {
    throw new Error(`${who}: dtype must be 'float32' or 'float64', got ${JSON.stringify(dtype)}`);
  }
  return dtype;
}

/** A positive integer option, or a clear error naming the layer and the value. */
export function positiveInt(value: unknown, who: string, name: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new Error(`${who}: ${name} must be a positive integer, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** A new parameter of the given shape and dtype, with a zero gradient; `who` (the layer) names it in a size error. */
export function newParameter(name: string, shape: readonly number[], dtype: Dtype, who: string): Parameter {
  checkAllocation(who, name, shape, dtype);
  let n = 1;
  for (const d of shape) n *= d;
  return { name, value: fromDense(arrayFor(dtype, n), shape), grad: fromDense(arrayFor(dtype, n), shape) };
}

/** Validates a forward input: a tensor of the given ranks (all ranks when omitted), no zero-size axis. */
export function checkInput(x: unknown, who: string, ranks?: readonly number[]): asserts x is Tensor {
  checkTensor(x, who, 'input', ranks);
  if (x.shape.some((d) => d === 0)) {
    throw new Error(`${who}: input has a zero-size axis, shape [${x.shape.join(', ')}]`);
  }
}

/** A layer with parameters of one dtype refuses inputs of the other, as PyTorch does. */
export function checkInputDtype(x: Tensor, dtype: Dtype, who: string): void {
  const got = dtypeOf(x);
  if (got !== dtype) {
    throw new Error(
      `${who}: input is ${got} but the layer's parameters are ${dtype}; build the layer with dtype '${got}' or convert the input`,
    );
  }
}

/** Validates a backward input against the output shape the forward pass produced. */
export function checkGrad(gy: unknown, shape: readonly number[] | undefined, who: string): asserts gy is Tensor {
  if (!shape) throw new Error(`${who}: backward called before forward`);
  checkTensor(gy, `${who}.backward`, 'gradient');
  if (gy.shape.length !== shape.length || gy.shape.some((d, i) => d !== shape[i])) {
    throw new Error(
      `${who}.backward: gradient shape [${gy.shape.join(', ')}] does not match the output shape [${shape.join(', ')}]`,
    );
  }
}

/** The contiguous elements of `x` in the given dtype (no copy when they already are). */
export function flatData(x: Tensor, dtype: Dtype = dtypeOf(x)): FloatArray {
  return dense(x, dtype).data;
}

/**
 * Where a layer puts one kind of result (its output, or its dL/dx): a fresh array per call, or, when
 * the layer reuses its results, one array in shared memory that the layer owns, reallocated only
 * when the size or the dtype changes. Its contents are stale: kernels write every element.
 */
export class ResultBuffer {
  private own?: FloatArray;

  take(dtype: Dtype, n: number, reuse: boolean): FloatArray {
    if (!reuse) {
      this.own = undefined;
      return arrayFor(dtype, n);
    }
    const own = this.own;
    if (own !== undefined && own.length === n && own instanceof Float32Array === (dtype === 'float32')) return own;
    return (this.own = sharedArrayFor(dtype, n));
  }
}

/** A typed array of length n: `previous` when it already has that length (contents kept), else a new zeroed one. */
export function reuse<T extends FloatArray | Int32Array | Uint8Array>(previous: T | undefined, make: (n: number) => T, n: number): T {
  return previous !== undefined && previous.length === n ? previous : make(n);
}

/** A layer configuration from its type and the options that rebuild it (undefined options dropped). */
export function configOf(type: string, options: Record<string, unknown>): LayerConfig {
  const config: Record<string, Json> = { type };
  for (const [key, value] of Object.entries(options)) {
    if (value !== undefined) config[key] = JSON.parse(JSON.stringify(value)) as Json;
  }
  return config as LayerConfig;
}
