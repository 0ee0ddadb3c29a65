import { avgPool2dBackwardInto, avgPool2dInto, dtypeOf, fromDense } from '@convlab/core';
import type { ConvInfo, Tensor } from '@convlab/core';
import { Module, ResultBuffer, checkGrad, checkInput, configOf, flatData } from './layer.js';
import type { LayerConfig } from './layer.js';
import { checkPoolOptions, poolInfo } from './pool-options.js';
import type { PoolOptions } from './pool-options.js';

export interface AvgPool2dOptions extends PoolOptions {
  /** Divide by the whole window, padding included (default, as PyTorch), or by the real elements only. */
  countIncludePad?: boolean;
}

/**
 * Mean pooling over [N, C, H, W]. Backward spreads each gradient evenly over its window: for
 * non-overlapping p x p windows, the lecture's `kron(delta, ones(p, p)) / p^2`.
 */
export class AvgPool2d extends Module {
  readonly options: AvgPool2dOptions;
  private info?: ConvInfo;
  private outShape?: number[];
  private readonly outBuffer = new ResultBuffer();
  private readonly gradBuffer = new ResultBuffer();

  constructor(options: AvgPool2dOptions) {
    super();
    checkPoolOptions(options, 'AvgPool2d');
    this.options = { ...options };
  }

  forward(x: Tensor): Tensor {
    checkInput(x, 'AvgPool2d', [4]);
    const g = poolInfo(x.shape, this.options, 1, 'AvgPool2d');
    const out = this.outBuffer.take(dtypeOf(x), g.batch * g.inChannels * g.outHeight * g.outWidth, this.reuse.output);
    avgPool2dInto(out, flatData(x), g, this.options.countIncludePad ?? true);
    this.info = g;
    this.outShape = [g.batch, g.inChannels, g.outHeight, g.outWidth];
    return fromDense(out, this.outShape);
  }

  backward(gy: Tensor): Tensor {
    checkGrad(gy, this.outShape, 'AvgPool2d');
    const g = this.info!;
    const gx = this.gradBuffer.take(dtypeOf(gy), g.batch * g.inChannels * g.inHeight * g.inWidth, this.reuse.gradInput);
    gx.fill(0); // the kernel adds each window's share
    avgPool2dBackwardInto(gx, flatData(gy), g, this.options.countIncludePad ?? true);
    return fromDense(gx, [g.batch, g.inChannels, g.inHeight, g.inWidth]);
  }

  config(): LayerConfig {
    return configOf('AvgPool2d', { ...this.options });
  }
}
