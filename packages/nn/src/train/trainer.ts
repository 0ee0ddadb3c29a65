import { dense } from '@convlab/core';
import type { Tensor } from '@convlab/core';
import { Random } from '../random.js';
import type { Dataset } from '../data/dataset.js';
import { batchCount, epochOrder, gatherBatch } from './batches.js';
import { encodeCheckpoint } from './checkpoint.js';
import { fileWriter } from '../file-access.js';
import type { BestSoFar, TrainCheckpoint, TrainProgress } from './checkpoint.js';
import { argmax, evaluateAsync, yieldToEventLoop } from './evaluate.js';
import { copyParameters, loadParameters } from './parameters.js';
import { checkAugmentation } from './augment.js';
import type { Augmentation } from './augment.js';
import type { EpochRecord, LearningRateSchedule, TrainEvent, TrainableLoss, TrainableModel, TrainableOptimizer } from './types.js';

/** How an optimiser's internal state (momentum, Adam's moments, step count) is read and restored. */
export interface OptimizerStateAccess {
  get(): unknown;
  set(state: unknown): void;
}

export interface FitOptions {
  model: TrainableModel;
  optimizer: TrainableOptimizer;
  loss: TrainableLoss;
  train: Dataset;
  /** Evaluated after every epoch; a new best triggers a test pass (the lecture's log). */
  validation?: Dataset;
  test?: Dataset;
  /** Total epochs of the run (a resumed run counts the epochs already done). */
  epochs: number;
  batchSize: number;
  /** Batch size of the validation and test passes (default: batchSize). */
  evalBatchSize?: number;
  /** Shuffle the training examples every epoch (default true); false takes them in order, as the lecture did. */
  shuffle?: boolean;
  /** The seeded generator for shuffling; the model may share it (dropout). Default: new Random(0). */
  random?: Random;
  /** Random translation of the training images, drawn from `random` (default none). */
  augment?: Augmentation;
  /** Learning rate per epoch (0-based); default: the optimiser's lr throughout. */
  schedule?: LearningRateSchedule;
  onEvent?: (event: TrainEvent) => void;
  /** Polled after every minibatch and between evaluation batches; true stops the run after saving. */
  shouldStop?: () => boolean;
  /** Reads and restores the optimiser's state; default: its getState()/setState() methods, if any. */
  optimizerState?: OptimizerStateAccess;
  /** Write a checkpoint here after every epoch and when stopped. */
  checkpointPath?: string;
  /** Stored in checkpoints as they are (e.g. the command line's options), for a resume to rebuild the run. */
  config?: unknown;
  /** The model's own serialised bytes, stored in checkpoints so a resume can rebuild the architecture. */
  serializeModel?: (model: TrainableModel) => Uint8Array;
  /** Continue from this checkpoint: its weights, optimiser state, generator state and history. */
  resume?: TrainCheckpoint;
}

export interface FitResult {
  history: EpochRecord[];
  best: BestSoFar | null;
  /** Weights of the model with the lowest validation error (null without validation). */
  bestParameters: Tensor[] | null;
  /** True when shouldStop ended the run early. */
  stopped: boolean;
  /** The progress at the end (what the last checkpoint holds). */
  progress: TrainProgress;
}

function defaultStateAccess(optimizer: TrainableOptimizer): OptimizerStateAccess | undefined {
  const o = optimizer as TrainableOptimizer & { getState?: () => unknown; setState?: (s: unknown) => void };
  if (typeof o.getState === 'function' && typeof o.setState === 'function') {
    return { get: () => o.getState!(), set: (s) => o.setState!(s) };
  }
  return undefined;
}

function checkOptions(o: FitOptions): void {
  const positive = (value: number, name: string) => {
    if (!Number.isInteger(value) || value < 1) throw new Error(`fit: ${name} must be a positive integer, got ${value}`);
  };
  positive(o.epochs, 'epochs');
  positive(o.batchSize, 'batchSize');
  if (o.evalBatchSize !== undefined) positive(o.evalBatchSize, 'evalBatchSize');
  checkAugmentation(o.augment, 'fit');
  if (o.train.labels.length === 0) throw new Error('fit: the training set is empty');
  if (o.train.images.shape[0] !== o.train.labels.length) {
    throw new Error(`fit: ${o.train.images.shape[0]} training images but ${o.train.labels.length} labels`);
  }
}

/**
 * Minibatch training as in the lecture's log: each epoch runs every minibatch (shuffled or in
 * order), then measures the validation error; when it improves, the test error of that model.
 * The learning rate comes from the schedule at the start of each epoch. After every epoch (and
 * when asked to stop) a checkpoint holds the weights, the optimiser's and the generator's
 * state, the epoch's order and position, the best model and the history, so a resumed run
 * computes exactly what an uninterrupted one would. Between minibatches it yields to the event
 * loop, so a signal handler (Ctrl-C) can ask it to stop.
 */
export async function fit(options: FitOptions): Promise<FitResult> {
  checkOptions(options);
  // Checkpoints are files: a run that cannot write them fails now, not after its first epoch.
  const writeFile = options.checkpointPath ? fileWriter('fit: checkpointPath', 'fit without checkpointPath') : undefined;
  const { model, optimizer, loss, train, validation, test, epochs, batchSize } = options;
  const evalBatchSize = options.evalBatchSize ?? batchSize;
  const shuffle = options.shuffle ?? true;
  const random = options.random ?? new Random(0);
  const baseLr = optimizer.lr;
  const schedule = options.schedule ?? (() => baseLr);
  const emit = options.onEvent ?? (() => {});
  const shouldStop = options.shouldStop ?? (() => false);
  const stateAccess = options.optimizerState ?? defaultStateAccess(optimizer);
  const n = train.labels.length;
  const batches = batchCount(n, batchSize);
  const augment = options.augment && options.augment.shift > 0 ? { shift: options.augment.shift, random } : undefined;

  let progress: TrainProgress;
  let bestParameters: Tensor[] | null;
  if (options.resume) {
    const r = options.resume;
    const who = 'resume: checkpoint';
    if (r.progress.trainSize !== n) {
      throw new Error(`${who} was made with ${r.progress.trainSize} training examples, the data has ${n}`);
    }
    loadParameters(model, r.parameters, who);
    if (r.optimizer !== null && r.optimizer !== undefined) {
      if (!stateAccess) throw new Error(`${who} holds optimiser state but the optimiser cannot restore it`);
      stateAccess.set(r.optimizer);
    }
    random.setState(r.progress.random);
    progress = { ...r.progress, history: [...r.progress.history] };
    bestParameters = r.bestParameters;
  } else {
    progress = {
      epoch: 0,
      batch: 0,
      order: null,
      random: random.getState(),
      lossSum: 0,
      errors: 0,
      seen: 0,
      trainSeconds: 0,
      elapsedSeconds: 0,
      trainSize: n,
      best: null,
      history: [],
    };
    bestParameters = null;
  }

  const save = (): void => {
    if (!options.checkpointPath) return;
    progress.random = random.getState();
    const checkpoint: TrainCheckpoint = {
      format: 'convlab-checkpoint',
      version: 1,
      config: options.config ?? null,
      progress,
      parameters: copyParameters(model),
      bestParameters,
      optimizer: stateAccess ? stateAccess.get() : null,
      model: options.serializeModel ? options.serializeModel(model) : null,
    };
    writeFile!(options.checkpointPath, encodeCheckpoint(checkpoint));
    emit({ type: 'checkpoint', path: options.checkpointPath, epoch: progress.epoch, batch: progress.batch });
  };
  const stop = (): FitResult => {
    save();
    emit({ type: 'stopped', epoch: progress.epoch, batch: progress.batch, batches });
    return { history: progress.history, best: progress.best, bestParameters, stopped: true, progress };
  };

  while (progress.epoch < epochs) {
    const epochIndex = progress.epoch;
    const epoch = epochIndex + 1;
    const lr = schedule(epochIndex);
    if (!(Number.isFinite(lr) && lr >= 0)) throw new Error(`fit: the schedule gave learning rate ${lr} for epoch ${epoch}`);
    optimizer.lr = lr;
    const resumedAt = progress.batch;
    if (progress.batch === 0 && progress.order === null) {
      progress.lossSum = 0;
      progress.errors = 0;
      progress.seen = 0;
      progress.trainSeconds = 0;
      progress.elapsedSeconds = 0;
      if (shuffle) progress.order = epochOrder(n, random);
    }
    const order = progress.order ?? epochOrder(n, null);
    emit({ type: 'epoch-start', epoch, epochs, batches, lr, resumedAt });
    const epochStart = performance.now() - progress.elapsedSeconds * 1000;

    model.train();
    while (progress.batch < batches) {
      const b = progress.batch;
      const from = b * batchSize;
      const to = Math.min(n, from + batchSize);
      const { x, labels } = gatherBatch(train, order, from, to, augment);
      const t0 = performance.now();
      optimizer.zeroGrad();
      const logits = model.forward(x);
      const value = loss.forward(logits, labels);
      // The minibatch needs no gradient: parameter gradients only, when the model can skip dL/dx.
      if (model.backwardParameters) model.backwardParameters(loss.backward());
      else model.backward(loss.backward());
      optimizer.step();
      const seconds = (performance.now() - t0) / 1000;
      if (!Number.isFinite(value)) {
        throw new Error(`fit: training diverged: the loss is ${value} at epoch ${epoch}, minibatch ${b + 1}; try a smaller learning rate`);
      }
      progress.errors += countErrors(logits, labels);
      progress.lossSum += value * labels.length;
      progress.seen += labels.length;
      progress.trainSeconds += seconds;
      progress.batch = b + 1;
      progress.elapsedSeconds = (performance.now() - epochStart) / 1000;
      emit({ type: 'batch', epoch, batch: b + 1, batches, loss: value, seconds });
      await yieldToEventLoop();
      if (shouldStop()) return stop();
    }

    // End of epoch: validation, and the test error of the model when validation improves.
    const evalStart = performance.now();
    let validationError: number | null = null;
    let testError: number | null = null;
    if (validation && validation.labels.length > 0) {
      const v = await evaluateAsync(model, validation.images, validation.labels, evalBatchSize, {
        shouldStop,
        onBatch: (done, total) => emit({ type: 'evaluate', epoch, split: 'validation', done, total }),
      });
      if (v === null) return stop();
      validationError = v.error;
      if (progress.best === null || v.error < progress.best.validationError) {
        if (test && test.labels.length > 0) {
          const t = await evaluateAsync(model, test.images, test.labels, evalBatchSize, {
            shouldStop,
            onBatch: (done, total) => emit({ type: 'evaluate', epoch, split: 'test', done, total }),
          });
          if (t === null) return stop();
          testError = t.error;
        }
        progress.best = { epoch, validationError: v.error, testError };
        bestParameters = copyParameters(model);
      }
    }
    model.train();
    const now = performance.now();
    const record: EpochRecord = {
      epoch,
      lr,
      trainLoss: progress.lossSum / progress.seen,
      trainError: progress.errors / progress.seen,
      validationError,
      testError,
      bestValidationError: progress.best?.validationError ?? null,
      bestTestError: progress.best?.testError ?? null,
      bestEpoch: progress.best?.epoch ?? null,
      epochSeconds: (now - epochStart) / 1000,
      iterationSeconds: progress.trainSeconds / batches,
      evalSeconds: (now - evalStart) / 1000,
      batches,
    };
    progress.history.push(record);
    progress.epoch = epoch;
    progress.batch = 0;
    progress.order = null;
    progress.elapsedSeconds = 0;
    emit({ type: 'epoch-end', record });
    save();
    if (progress.epoch < epochs && shouldStop()) {
      emit({ type: 'stopped', epoch: progress.epoch, batch: 0, batches });
      return { history: progress.history, best: progress.best, bestParameters, stopped: true, progress };
    }
  }
  return { history: progress.history, best: progress.best, bestParameters, stopped: false, progress };
}

/** Misclassified rows of [N, classes] logits. */
function countErrors(logits: Tensor, labels: Int32Array): number {
  const k = logits.shape[1]!;
  const { data } = dense(logits);
  let wrong = 0;
  for (let i = 0; i < labels.length; i++) if (argmax(data, i * k, k) !== labels[i]) wrong++;
  return wrong;
}
