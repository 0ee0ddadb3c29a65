export type { Activation, ModelOptions } from './options.js';
export { ACTIVATIONS } from './options.js';
export { lenet5 } from './lenet5.js';
export { shallowCnn, deepCnn } from './mnist-cnns.js';
export type { ModelPreset } from './registry.js';
export { models, MODEL_NAMES, createModel, setConvMethod } from './registry.js';
