import type { Tensor } from '@convlab/core';
import { decodeBundle, encodeBundle, isBundle } from './bundle.js';
import type { EpochRecord } from './types.js';

/** The best model so far, by validation error. */
export interface BestSoFar {
  epoch: number;
  validationError: number;
  testError: number | null;
}

/** Where a run stands: enough to continue it exactly as if it had never stopped. */
export interface TrainProgress {
  /** Epochs finished (the next epoch to run is epoch + 1 in the log's 1-based count). */
  epoch: number;
  /** Minibatches of the next epoch already done (0 between epochs). */
  batch: number;
  /** The example order of the epoch in progress (null between epochs, or in-order training). */
  order: Int32Array | null;
  /** The state of the generator that shuffles (and, if the model shares it, drops out). */
  random: number[];
  /** The running sums of the epoch in progress. */
  lossSum: number;
  errors: number;
  seen: number;
  trainSeconds: number;
  elapsedSeconds: number;
  /** Number of training examples, to refuse a resume on different data. */
  trainSize: number;
  best: BestSoFar | null;
  history: EpochRecord[];
}

/**
 * A training checkpoint: the run's configuration (whatever the caller stores, e.g. the command
 * line's options), the progress, the live weights in `model.parameters()` order, the optimiser's
 * state, and the weights of the best model so far. Written atomically as one bundle file
 * (see bundle.ts); every float is stored bit for bit.
 */
export interface TrainCheckpoint {
  format: 'convlab-checkpoint';
  version: 1;
  config: unknown;
  progress: TrainProgress;
  parameters: Tensor[];
  bestParameters: Tensor[] | null;
  optimizer: unknown;
  /** The model's own serialised file (architecture and weights), when the caller provides one. */
  model: Uint8Array | null;
}

export function encodeCheckpoint(checkpoint: TrainCheckpoint): Uint8Array {
  return encodeBundle(checkpoint);
}

export function decodeCheckpoint(bytes: Uint8Array, name: string): TrainCheckpoint {
  const c = decodeBundle(bytes, name) as Partial<TrainCheckpoint> | null;
  if (!c || c.format !== 'convlab-checkpoint') throw new Error(`${name}: not a convlab checkpoint`);
  if (c.version !== 1) throw new Error(`${name}: checkpoint version ${String(c.version)} is not supported (this build reads version 1)`);
  const p = c.progress as Partial<TrainProgress> | undefined;
  const ok =
    p &&
    Number.isInteger(p.epoch) &&
    Number.isInteger(p.batch) &&
    Array.isArray(p.random) &&
    Array.isArray(p.history) &&
    Number.isInteger(p.trainSize) &&
    (p.order === null || p.order instanceof Int32Array) &&
    Array.isArray(c.parameters);
  if (!ok) throw new Error(`${name}: corrupt checkpoint (progress or parameters missing)`);
  return c as TrainCheckpoint;
}

export function isCheckpointBytes(bytes: Uint8Array): boolean {
  return isBundle(bytes);
}
