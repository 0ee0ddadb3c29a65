import { fromDense } from '@convlab/core';
import type { Dtype, FloatArray, Tensor } from '@convlab/core';
import { checkInit, defaultRandom, initWeight } from '../init.js';
import type { Init } from '../init.js';
import type { Random } from '../random.js';
import { linearGradInputInto, linearGradParamsInto, linearInto } from './kernels/linear.js';
import { Module, ResultBuffer, checkDtype, checkGrad, checkInput, checkInputDtype, configOf, flatData, newParameter, positiveInt } from './layer.js';
import type { LayerConfig, Parameter } from './layer.js';

export interface LinearOptions {
  inFeatures: number;
  outFeatures: number;
  /** Add a learnable bias (default true). */
  bias?: boolean;
  /** Parameter dtype, default 'float32'; inputs must have the same dtype. */
  dtype?: Dtype;
  /** Initialisation, named after the activation that follows (default 'tanh'): see init.ts. */
  init?: Init;
  /** Generator for the initial weights (default: the shared default generator). */
  random?: Random;
}

/**
 * Fully connected layer y = x W^T + b, W [outFeatures, inFeatures], b [outFeatures], as torch.nn.Linear.
 * The input is [..., inFeatures]; leading axes are batch axes.
 */
export class Linear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly dtype: Dtype;
  readonly weight: Parameter;
  readonly bias: Parameter | null;
  private input?: FloatArray;
  private inShape?: number[];
  private outShape?: number[];
  private readonly outBuffer = new ResultBuffer();
  private readonly gradBuffer = new ResultBuffer();

  constructor(options: LinearOptions) {
    super();
    if (!options || typeof options !== 'object') throw new Error('Linear: expected an options object { inFeatures, outFeatures }');
    this.inFeatures = positiveInt(options.inFeatures, 'Linear', 'inFeatures');
    this.outFeatures = positiveInt(options.outFeatures, 'Linear', 'outFeatures');
    this.dtype = checkDtype(options.dtype ?? 'float32', 'Linear');
    const init = checkInit(options.init ?? 'tanh', 'Linear');
    this.weight = newParameter('weight', [this.outFeatures, this.inFeatures], this.dtype, 'Linear');
    initWeight(this.weight.value.data, init, this.inFeatures, this.outFeatures, options.random ?? defaultRandom());
    this.bias = options.bias === false ? null : newParameter('bias', [this.outFeatures], this.dtype, 'Linear');
  }

  forward(x: Tensor): Tensor {
    checkInput(x, 'Linear');
    checkInputDtype(x, this.dtype, 'Linear');
    const last = x.shape[x.shape.length - 1]!;
    if (last !== this.inFeatures) {
      throw new Error(`Linear: input shape [${x.shape.join(', ')}] does not end in inFeatures ${this.inFeatures}`);
    }
    const n = x.size / this.inFeatures;
    const input = flatData(x);
    const y = this.outBuffer.take(this.dtype, n * this.outFeatures, this.reuse.output);
    linearInto(y, input, this.weight.value.data, this.bias ? this.bias.value.data : null, n, this.inFeatures, this.outFeatures, this.pool);
    this.input = input;
    this.inShape = [...x.shape];
    this.outShape = [...x.shape.slice(0, -1), this.outFeatures];
    return fromDense(y, this.outShape);
  }

  backward(gy: Tensor): Tensor {
    return this.backwardWith(gy, true)!;
  }

  /** dL/dW and dL/db alone: the GEMM gy W for dL/dx is not run. */
  override backwardParameters(gy: Tensor): void {
    this.backwardWith(gy, false);
  }

  private backwardWith(gy: Tensor, inputGrad: boolean): Tensor | null {
    checkGrad(gy, this.outShape, 'Linear');
    checkInputDtype(gy, this.dtype, 'Linear.backward');
    const x = this.input!;
    const n = x.length / this.inFeatures;
    const g = flatData(gy);
    linearGradParamsInto(this.weight.grad.data, this.bias ? this.bias.grad.data : null, g, x, n, this.inFeatures, this.outFeatures, this.pool);
    if (!inputGrad) return null;
    const gx = this.gradBuffer.take(this.dtype, x.length, this.reuse.gradInput);
    linearGradInputInto(gx, g, this.weight.value.data, n, this.inFeatures, this.outFeatures, this.pool);
    return fromDense(gx, this.inShape!);
  }

  override parameters(): Parameter[] {
    return this.bias ? [this.weight, this.bias] : [this.weight];
  }

  config(): LayerConfig {
    return configOf('Linear', { inFeatures: this.inFeatures, outFeatures: this.outFeatures, bias: this.bias !== null, dtype: this.dtype });
  }
}
