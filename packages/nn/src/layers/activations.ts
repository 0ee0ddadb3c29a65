import { dtypeOf, fromDense } from '@convlab/core';
import type { FloatArray, Tensor } from '@convlab/core';
import { Module, ResultBuffer, checkGrad, checkInput, flatData } from './layer.js';
import { activationThreadedInto } from './kernels/threaded.js';
import type { LayerConfig } from './layer.js';

/**
 * An elementwise activation f. Backward is the lecture's `delta = delta_next .* f'(z)`, with f'
 * computed from the kept output y = f(z). The kernels are picked by name (kernels/threaded.ts).
 */
abstract class Activation extends Module {
  protected abstract readonly name: string;
  private kept?: FloatArray;
  private shape?: number[];
  private readonly outBuffer = new ResultBuffer();
  private readonly gradBuffer = new ResultBuffer();

  forward(x: Tensor): Tensor {
    checkInput(x, this.name);
    const input = flatData(x);
    const out = this.outBuffer.take(dtypeOf(x), input.length, this.reuse.output);
    // On core's worker pool (setNumThreads), by ranges of elements: the same numbers bit for bit.
    activationThreadedInto(this.name, out, input, null);
    this.kept = out;
    this.shape = [...x.shape];
    return fromDense(out, this.shape);
  }

  backward(gy: Tensor): Tensor {
    checkGrad(gy, this.shape, this.name);
    const gx = this.gradBuffer.take(dtypeOf(gy), this.kept!.length, this.reuse.gradInput);
    activationThreadedInto(this.name, gx, flatData(gy), this.kept!);
    return fromDense(gx, this.shape!);
  }

  config(): LayerConfig {
    return { type: this.name };
  }
}

/** tanh(x); f'(z) = 1 - tanh(z)^2. */
export class Tanh extends Activation {
  protected readonly name = 'Tanh';
}

/** 1 / (1 + e^-x); f'(z) = f(z) (1 - f(z)). */
export class Sigmoid extends Activation {
  protected readonly name = 'Sigmoid';
}

/** max(x, 0); f'(z) = [z > 0] = [f(z) > 0]. */
export class ReLU extends Activation {
  protected readonly name = 'ReLU';
}
