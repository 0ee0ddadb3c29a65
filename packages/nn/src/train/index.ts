export { fit } from './trainer.js';
export type { FitOptions, FitResult, OptimizerStateAccess } from './trainer.js';
export { evaluate, evaluateAsync, predictClasses, argmax } from './evaluate.js';
export type { Evaluation, EvaluateOptions } from './evaluate.js';
export { epochOrder, batchCount, gatherBatch } from './batches.js';
export { copyParameters, loadParameters } from './parameters.js';
export { shiftImagesInPlace } from './augment.js';
export type { Augmentation } from './augment.js';
export {
  encodeCheckpoint,
  decodeCheckpoint,
  isCheckpointBytes,
} from './checkpoint.js';
export type { TrainCheckpoint, TrainProgress, BestSoFar } from './checkpoint.js';
export { encodeBundle, decodeBundle, isBundle } from './bundle.js';
export type {
  TrainableModel,
  TrainableOptimizer,
  TrainableLoss,
  LearningRateSchedule,
  EpochRecord,
  TrainEvent,
} from './types.js';
