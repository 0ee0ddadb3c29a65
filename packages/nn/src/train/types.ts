import type { Tensor } from '@convlab/core';

/**
 * What the training loop needs of a model, an optimiser and a loss: the layer contract of
 * API.md, nothing more, so any network built from the library's layers fits.
 */
export interface TrainableModel {
  forward(x: Tensor): Tensor;
  backward(gy: Tensor): Tensor;
  /** Parameter gradients without the input's gradient; the loop uses it when the model has it. */
  backwardParameters?(gy: Tensor): void;
  parameters(): Array<{ readonly value: Tensor; readonly grad: Tensor }>;
  train(mode?: boolean): unknown;
  eval(): unknown;
}

export interface TrainableOptimizer {
  /** The learning rate of the next `step()`; the loop sets it from the schedule each epoch. */
  lr: number;
  step(): void;
  zeroGrad(): void;
}

export interface TrainableLoss {
  /** Mean loss over the batch. */
  forward(logits: Tensor, labels: Int32Array): number;
  /** dL/dlogits of that mean. */
  backward(): Tensor;
}

/** The learning rate for epoch t (0 for the first epoch), e.g. the lecture's mu0 / (1 + d t). */
export type LearningRateSchedule = (epoch: number) => number;

/** One finished epoch, as printed and logged. Epochs count from 1, as in the lecture's log. */
export interface EpochRecord {
  epoch: number;
  /** Learning rate used during the epoch. */
  lr: number;
  /** Mean minibatch loss over the epoch. */
  trainLoss: number;
  /** Fraction of training examples misclassified while training (each seen once, before its update). */
  trainError: number;
  /** Fraction of the validation split misclassified after the epoch (null without a validation split). */
  validationError: number | null;
  /** The test error of this epoch's model when its validation error was a new best, else null. */
  testError: number | null;
  /** The best validation error so far and the test error of that model. */
  bestValidationError: number | null;
  bestTestError: number | null;
  bestEpoch: number | null;
  /** Wall time of the epoch: training steps plus evaluation, in seconds. */
  epochSeconds: number;
  /** Mean wall time of one training step (forward, backward, update), in seconds. */
  iterationSeconds: number;
  /** Wall time of the validation and test passes, in seconds. */
  evalSeconds: number;
  /** Minibatches in the epoch. */
  batches: number;
}

/** Everything the loop reports while it runs; a progress display and a log listen to these. */
export type TrainEvent =
  | { type: 'epoch-start'; epoch: number; epochs: number; batches: number; lr: number; resumedAt: number }
  | { type: 'batch'; epoch: number; batch: number; batches: number; loss: number; seconds: number }
  | { type: 'evaluate'; epoch: number; split: 'validation' | 'test'; done: number; total: number }
  | { type: 'epoch-end'; record: EpochRecord }
  | { type: 'checkpoint'; path: string; epoch: number; batch: number }
  /** epoch: epochs finished; batch: minibatches of the next epoch done (batch === batches: its evaluation was pending). */
  | { type: 'stopped'; epoch: number; batch: number; batches: number };
