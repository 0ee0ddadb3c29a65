import { arrayFor, dtypeOf, fromDense, optionsObject } from '@convlab/core';
import type { FloatArray, Tensor } from '@convlab/core';
import { defaultRandom } from '../init.js';
import type { Random } from '../random.js';
import { Module, ResultBuffer, checkGrad, checkInput, configOf, flatData } from './layer.js';
import type { LayerConfig } from './layer.js';

export interface DropoutOptions {
  /** Probability of zeroing an element, in [0, 1] (default 0.5). */
  p?: number;
  /** Generator for the masks (default: the shared default generator). */
  random?: Random;
}

/**
 * Inverted dropout, as torch.nn.Dropout: in training each element is zeroed with probability p and
 * the survivors are scaled by 1/(1-p), so that eval mode is the identity. The mask comes from a
 * seeded generator, one draw per element in row-major order.
 */
export class Dropout extends Module {
  /** In eval mode, or with p = 0, forward returns its input and backward its gy. */
  override readonly passesThrough = true;
  readonly p: number;
  /** The mask generator; a trainer may point it at its own seeded generator. */
  random: Random;
  private mask?: FloatArray;
  private shape?: number[];
  private active = false;
  private readonly outBuffer = new ResultBuffer();
  private readonly gradBuffer = new ResultBuffer();

  constructor(optionsIn: DropoutOptions | null = {}) {
    super();
    const options = optionsObject(optionsIn, 'Dropout');
    const p = options.p ?? 0.5;
    if (typeof p !== 'number' || !(p >= 0 && p <= 1)) {
      throw new Error(`Dropout: p must be a probability in [0, 1], got ${JSON.stringify(options.p)}`);
    }
    this.p = p;
    this.random = options.random ?? defaultRandom();
  }

  forward(x: Tensor): Tensor {
    checkInput(x, 'Dropout');
    this.shape = [...x.shape];
    this.active = this.training && this.p > 0;
    if (!this.active) return x;
    const input = flatData(x);
    const n = input.length;
    const dtype = dtypeOf(x);
    if (!this.mask || this.mask.length !== n || dtypeOf(this.mask) !== dtype) this.mask = arrayFor(dtype, n);
    const m = this.mask;
    const scale = this.p === 1 ? 0 : 1 / (1 - this.p);
    for (let i = 0; i < n; i++) m[i] = this.random.next() < this.p ? 0 : scale;
    const out = this.outBuffer.take(dtype, n, this.reuse.output);
    for (let i = 0; i < n; i++) out[i] = input[i]! * m[i]!;
    return fromDense(out, this.shape);
  }

  backward(gy: Tensor): Tensor {
    checkGrad(gy, this.shape, 'Dropout');
    if (!this.active) return gy;
    const g = flatData(gy);
    const m = this.mask!;
    const gx = this.gradBuffer.take(dtypeOf(gy), g.length, this.reuse.gradInput);
    for (let i = 0; i < g.length; i++) gx[i] = g[i]! * m[i]!;
    return fromDense(gx, this.shape!);
  }

  config(): LayerConfig {
    return configOf('Dropout', { p: this.p });
  }
}
