import { Conv2d } from '../layers/conv2d.js';
import type { ConvMethod } from '@convlab/core';
import type { Layer } from '../layers/layer.js';
import { Sequential } from '../layers/sequential.js';
import { lenet5 } from './lenet5.js';
import { deepCnn, shallowCnn } from './mnist-cnns.js';
import type { ModelOptions } from './options.js';

/** A network the command line can build by name (`convlab train --model NAME`). */
export interface ModelPreset {
  name: string;
  description: string;
  /** Parameters of the network, as its source states them. */
  parameterCount: number;
  build(options?: ModelOptions): Sequential;
}

export const models: Readonly<Record<string, ModelPreset>> = Object.freeze({
  lenet5: {
    name: 'lenet5',
    description: "the lecture's LeNet-5: conv 20@5x5, max-pool 2, conv 50@5x5, max-pool 2, 800->500 tanh, 500->10",
    parameterCount: 431080,
    build: lenet5,
  },
  'shallow-cnn': {
    name: 'shallow-cnn',
    description: 'shallow CNN of the CS5489 MNIST example: conv 10@5x5 stride 2, 1960->50 relu, 50->10',
    parameterCount: 98820,
    build: shallowCnn,
  },
  'deep-cnn': {
    name: 'deep-cnn',
    description: 'deep CNN of the CS5489 MNIST example: conv 10@5x5/2, 40@3x3/2, 80@3x3, 3920->50 relu, 50->10',
    parameterCount: 229340,
    build: deepCnn,
  },
});

export const MODEL_NAMES: readonly string[] = Object.keys(models);

/** Builds the preset `name`, or throws an error that lists the known names. */
export function createModel(name: string, options?: ModelOptions): Sequential {
  const preset = Object.prototype.hasOwnProperty.call(models, name) ? models[name] : undefined;
  if (!preset) throw new Error(`unknown model ${JSON.stringify(name)}; known models: ${MODEL_NAMES.join(', ')}`);
  return preset.build(options);
}

/** Sets the strategy of every Conv2d in a model (e.g. a loaded one), for a command line's `--conv`. */
export function setConvMethod(model: Layer, method: ConvMethod): void {
  if (model instanceof Conv2d) model.method = method;
  else if (model instanceof Sequential) for (const layer of model.layers) setConvMethod(layer, method);
}
