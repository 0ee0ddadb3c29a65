import { fromDense } from '@convlab/core';
import type { Tensor } from '@convlab/core';
import { Module, checkGrad, checkInput, flatData } from './layer.js';
import type { LayerConfig } from './layer.js';

/** [N, d1, d2, ...] -> [N, d1*d2*...] (torch.nn.Flatten with its default startDim 1); no copy for a contiguous input. */
export class Flatten extends Module {
  override readonly passesThrough = true;
  private inShape?: number[];
  private outShape?: number[];

  forward(x: Tensor): Tensor {
    checkInput(x, 'Flatten');
    if (x.shape.length < 2) throw new Error(`Flatten: input must have a batch axis and at least one more, got shape [${x.shape.join(', ')}]`);
    this.inShape = [...x.shape];
    this.outShape = [x.shape[0]!, x.size / x.shape[0]!];
    return fromDense(flatData(x), this.outShape);
  }

  backward(gy: Tensor): Tensor {
    checkGrad(gy, this.outShape, 'Flatten');
    return fromDense(flatData(gy), this.inShape!);
  }

  config(): LayerConfig {
    return { type: 'Flatten' };
  }
}
