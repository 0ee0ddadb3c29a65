import { Conv2d } from '../layers/conv2d.js';
import { Flatten } from '../layers/flatten.js';
import { Linear } from '../layers/linear.js';
import { Sequential } from '../layers/sequential.js';
import { activationLayer, resolveModelOptions } from './options.js';
import type { ModelOptions } from './options.js';

/*
 * The two MNIST networks of the "Example on MNIST Dataset" slides (Kede Ma, CS5489 lecture 9.2):
 * no pooling, strided convolutions, a 50-unit fully connected layer and a 10-way softmax, ReLU by
 * default. The slides give the sizes 28 -> 14 -> 7 -> 7; a stride-2 layer reaches them with
 * padding (k-1)/2 and PyTorch's flooring of the output size ((28 + 4 - 5)/2 + 1 = 14.5 -> 14,
 * (14 + 2 - 3)/2 + 1 = 7.5 -> 7), which changes no parameter count.
 * Initialisation: He for ReLU (Glorot for tanh, 4x Glorot for sigmoid), biases zero; the softmax
 * layer Glorot uniform.
 */

/** Shallow CNN, 98,820 parameters: conv 10@5x5 stride 2 -> [10,14,14] -> 1960 -> 50 -> 10. */
export function shallowCnn(options: ModelOptions = {}): Sequential {
  const { activation, method, dtype, random } = resolveModelOptions(options, 'relu', 'shallowCnn');
  const init = activation;
  return new Sequential(
    new Conv2d({ inChannels: 1, outChannels: 10, kernelSize: 5, stride: 2, padding: 2, floor: true, method, dtype, init, random }),
    activationLayer(activation),
    new Flatten(),
    new Linear({ inFeatures: 10 * 14 * 14, outFeatures: 50, dtype, init, random }),
    activationLayer(activation),
    new Linear({ inFeatures: 50, outFeatures: 10, dtype, init: 'tanh', random }),
  );
}

/**
 * Deep CNN, 229,340 parameters: conv 10@5x5 stride 2 -> [10,14,14], conv 40@3x3 stride 2 ->
 * [40,7,7], conv 80@3x3 stride 1 -> [80,7,7], then 3920 -> 50 -> 10.
 */
export function deepCnn(options: ModelOptions = {}): Sequential {
  const { activation, method, dtype, random } = resolveModelOptions(options, 'relu', 'deepCnn');
  const init = activation;
  return new Sequential(
    new Conv2d({ inChannels: 1, outChannels: 10, kernelSize: 5, stride: 2, padding: 2, floor: true, method, dtype, init, random }),
    activationLayer(activation),
    new Conv2d({ inChannels: 10, outChannels: 40, kernelSize: 3, stride: 2, padding: 1, floor: true, method, dtype, init, random }),
    activationLayer(activation),
    new Conv2d({ inChannels: 40, outChannels: 80, kernelSize: 3, stride: 1, padding: 1, method, dtype, init, random }),
    activationLayer(activation),
    new Flatten(),
    new Linear({ inFeatures: 80 * 7 * 7, outFeatures: 50, dtype, init, random }),
    activationLayer(activation),
    new Linear({ inFeatures: 50, outFeatures: 10, dtype, init: 'tanh', random }),
  );
}
