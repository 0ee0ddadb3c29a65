import { optionsObject } from '@convlab/core';
import type { Dtype } from '@convlab/core';
import { checkDtype } from '../layers/layer.js';
import type { Layer } from '../layers/layer.js';
import { ReLU, Sigmoid, Tanh } from '../layers/activations.js';
import type { ConvMethod } from '@convlab/core';
import { Random, checkSeed } from '../random.js';

/** The hidden activation of a preset network; the initialisation follows it (init.ts). */
export type Activation = 'tanh' | 'relu' | 'sigmoid';
export const ACTIVATIONS: readonly Activation[] = ['tanh', 'relu', 'sigmoid'];

export interface ModelOptions {
  /** Hidden activation (each preset has its own default). */
  activation?: Activation;
  /** Convolution strategy of every Conv2d (default 'auto'). */
  method?: ConvMethod;
  /** Parameter dtype (default 'float32'; 'float64' for gradient checks). */
  dtype?: Dtype;
  /** Seed of the generator the initial weights come from (default 0): the same seed, the same weights, bit for bit. */
  seed?: number;
  /** A generator to draw the initial weights from instead of a new one from `seed`. */
  random?: Random;
}

export interface ResolvedModelOptions {
  activation: Activation;
  method: ConvMethod;
  dtype: Dtype;
  random: Random;
}

export function resolveModelOptions(optionsIn: ModelOptions | null, defaultActivation: Activation, who: string): ResolvedModelOptions {
  const options = optionsObject(optionsIn, who);
  const activation = options.activation ?? defaultActivation;
  if (!ACTIVATIONS.includes(activation)) {
    throw new Error(`${who}: activation must be one of ${ACTIVATIONS.map((a) => `'${a}'`).join(', ')}, got ${JSON.stringify(activation)}`);
  }
  const seed = checkSeed(options.seed, who);
  return {
    activation,
    method: options.method ?? 'auto',
    dtype: checkDtype(options.dtype ?? 'float32', who),
    random: options.random ?? new Random(seed),
  };
}

export function activationLayer(activation: Activation): Layer {
  return activation === 'tanh' ? new Tanh() : activation === 'relu' ? new ReLU() : new Sigmoid();
}
