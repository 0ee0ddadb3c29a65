import { dtypeOf, fromDense, maxPool2dBackwardParallelInto, maxPool2dParallelInto, poolOf, sharedInt32Array } from '@convlab/core';
import type { ConvInfo, Pair, Tensor } from '@convlab/core';
import { Module, ResultBuffer, checkGrad, checkInput, configOf, flatData, reuse } from './layer.js';
import type { LayerConfig } from './layer.js';
import { checkPoolOptions, poolInfo } from './pool-options.js';
import type { PoolOptions } from './pool-options.js';

export interface MaxPool2dOptions extends PoolOptions {
  /** Spacing between window elements (PyTorch's dilation), default 1. */
  dilation?: Pair;
}

/**
 * Max pooling over [N, C, H, W]. The forward pass records each window's argmax (the "switches");
 * the backward pass routes each gradient to that element alone, since a small change of any other
 * element does not change the output.
 */
export class MaxPool2d extends Module {
  readonly options: MaxPool2dOptions;
  private info?: ConvInfo;
  private outShape?: number[];
  private switches?: Int32Array;
  private readonly outBuffer = new ResultBuffer();
  private readonly gradBuffer = new ResultBuffer();

  constructor(options: MaxPool2dOptions) {
    super();
    checkPoolOptions(options, 'MaxPool2d');
    this.options = { ...options };
  }

  forward(x: Tensor): Tensor {
    checkInput(x, 'MaxPool2d', [4]);
    const g = poolInfo(x.shape, this.options, this.options.dilation ?? 1, 'MaxPool2d');
    const n = g.batch * g.inChannels * g.outHeight * g.outWidth;
    const out = this.outBuffer.take(dtypeOf(x), n, this.reuse.output);
    // In shared memory, so that the pool's workers can record them.
    this.switches = reuse(this.switches, sharedInt32Array, n);
    // On the layer's pool, by blocks of samples: the same numbers bit for bit.
    maxPool2dParallelInto(out, this.switches, flatData(x), g, poolOf(this.pool));
    this.info = g;
    this.outShape = [g.batch, g.inChannels, g.outHeight, g.outWidth];
    return fromDense(out, this.outShape);
  }

  backward(gy: Tensor): Tensor {
    checkGrad(gy, this.outShape, 'MaxPool2d');
    const g = this.info!;
    const gx = this.gradBuffer.take(dtypeOf(gy), g.batch * g.inChannels * g.inHeight * g.inWidth, this.reuse.gradInput);
    maxPool2dBackwardParallelInto(gx, flatData(gy), this.switches!, g, poolOf(this.pool));
    return fromDense(gx, [g.batch, g.inChannels, g.inHeight, g.inWidth]);
  }

  config(): LayerConfig {
    return configOf('MaxPool2d', { ...this.options });
  }
}
