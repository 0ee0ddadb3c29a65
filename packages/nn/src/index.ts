export { Random } from './random.js';
export * from './layers/index.js';
export * from './optim/index.js';
export * from './models/index.js';
export * from './data/index.js';
export * from './train/index.js';
