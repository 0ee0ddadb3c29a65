import { AvgPool2d } from './avg-pool2d.js';
import type { AvgPool2dOptions } from './avg-pool2d.js';
import { ReLU, Sigmoid, Tanh } from './activations.js';
import { Conv2d } from './conv2d.js';
import type { Conv2dLayerOptions } from './conv2d.js';
import { Dropout } from './dropout.js';
import { Flatten } from './flatten.js';
import type { Layer, LayerConfig } from './layer.js';
import { Linear } from './linear.js';
import type { LinearOptions } from './linear.js';
import { MaxPool2d } from './max-pool2d.js';
import type { MaxPool2dOptions } from './max-pool2d.js';
import { Sequential } from './sequential.js';

/**
 * Rebuilds a layer from its `config()`: the inverse of config, used to load model files.
 * Layers with weights are built zero-initialised (the file supplies the weights), so loading
 * a model draws nothing from any random generator.
 */
export function layerFromConfig(config: LayerConfig): Layer {
  if (!config || typeof config !== 'object' || typeof config.type !== 'string') {
    throw new Error(`layer config must be an object with a string "type", got ${JSON.stringify(config)}`);
  }
  // The constructors validate the options and say what is wrong with them.
  const { type, ...options } = config as { type: string } & Record<string, any>;
  switch (type) {
    case 'Sequential': {
      const layers = (config as { layers?: unknown }).layers;
      if (!Array.isArray(layers)) throw new Error('Sequential config needs a "layers" array');
      return new Sequential(...layers.map((c) => layerFromConfig(c as LayerConfig)));
    }
    case 'Conv2d':
      return new Conv2d({ ...(options as Conv2dLayerOptions), init: 'zeros' });
    case 'Linear':
      return new Linear({ ...(options as LinearOptions), init: 'zeros' });
    case 'MaxPool2d':
      return new MaxPool2d(options as MaxPool2dOptions);
    case 'AvgPool2d':
      return new AvgPool2d(options as AvgPool2dOptions);
    case 'Tanh':
      return new Tanh();
    case 'Sigmoid':
      return new Sigmoid();
    case 'ReLU':
      return new ReLU();
    case 'Dropout':
      return new Dropout(options);
    case 'Flatten':
      return new Flatten();
  }
  throw new Error(`unknown layer type ${JSON.stringify(type)}`);
}
