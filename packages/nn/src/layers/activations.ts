import { activationParallelInto, dtypeOf, fromDense, poolOf } from '@convlab/core';
import type { ActivationName, FloatArray, Tensor } from '@convlab/core';
import { Module, ResultBuffer, checkGrad, checkInput, flatData } from './layer.js';
import type { LayerConfig } from './layer.js';

/**
 * An elementwise activation f. Backward is the lecture's `delta = delta_next .* f'(z)`, with f'
 * computed from the kept output y = f(z). The kernels are core's, picked by name.
 */
abstract class Activation extends Module {
  protected abstract readonly name: string;
  protected abstract readonly kernel: ActivationName;
  private kept?: FloatArray;
  private shape?: number[];
  private readonly outBuffer = new ResultBuffer();
  private readonly gradBuffer = new ResultBuffer();

  forward(x: Tensor): Tensor {
    checkInput(x, this.name);
    const input = flatData(x);
    const out = this.outBuffer.take(dtypeOf(x), input.length, this.reuse.output);
    // On the layer's pool, by ranges of elements: the same numbers bit for bit.
    activationParallelInto(this.kernel, out, input, null, poolOf(this.pool));
    this.kept = out;
    this.shape = [...x.shape];
    return fromDense(out, this.shape);
  }

  backward(gy: Tensor): Tensor {
    checkGrad(gy, this.shape, this.name);
    const gx = this.gradBuffer.take(dtypeOf(gy), this.kept!.length, this.reuse.gradInput);
    activationParallelInto(this.kernel, gx, flatData(gy), this.kept!, poolOf(this.pool));
    return fromDense(gx, this.shape!);
  }

  config(): LayerConfig {
    return { type: this.name };
  }
}

/** tanh(x); f'(z) = 1 - tanh(z)^2. */
export class Tanh extends Activation {
  protected readonly name = 'Tanh';
  protected readonly kernel = 'tanh';
}

/** 1 / (1 + e^-x); f'(z) = f(z) (1 - f(z)). */
export class Sigmoid extends Activation {
  protected readonly name = 'Sigmoid';
  protected readonly kernel = 'sigmoid';
}

/** max(x, 0); f'(z) = [z > 0] = [f(z) > 0]. */
export class ReLU extends Activation {
  protected readonly name = 'ReLU';
  protected readonly kernel = 'relu';
}
