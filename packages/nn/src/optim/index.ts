export type { OptimizerState } from './optimizer.js';
export { Optimizer } from './optimizer.js';
export type { SGDOptions } from './sgd.js';
export { SGD } from './sgd.js';
export type { AdamOptions } from './adam.js';
export { Adam } from './adam.js';
export type { LrSchedule } from './schedules.js';
export { inverseDecay, stepDecay } from './schedules.js';
