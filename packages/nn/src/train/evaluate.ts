import { dense, fromDense, optionsObject } from '@convlab/core';
import type { Tensor } from '@convlab/core';
import type { TrainableModel } from './types.js';

export interface Evaluation {
  /** Fraction misclassified, in [0, 1]. */
  error: number;
  correct: number;
  total: number;
  /** confusion[t][p]: how many examples of true class t were predicted as p (rows sum to the class counts). */
  confusion: number[][];
  /** The predicted class of every example. */
  predictions: Int32Array;
}

export interface EvaluateOptions {
  /** Number of classes (default: the width of the model's output). */
  classes?: number;
  /** Called after each batch with the examples done so far. */
  onBatch?: (done: number, total: number) => void;
  /** Polled between batches by `evaluateAsync`; when it returns true the evaluation stops and returns null. */
  shouldStop?: () => boolean;
}

/** The index of the largest of `values[from .. from + n)` (the first one on ties, as argmax does). */
export function argmax(values: ArrayLike<number>, from = 0, n = values.length - from): number {
  let best = 0;
  let bestValue = values[from]!;
  for (let j = 1; j < n; j++) {
    const v = values[from + j]!;
    if (v > bestValue) {
      bestValue = v;
      best = j;
    }
  }
  return best;
}

/** The predicted class of each row of [N, classes] logits. */
export function predictClasses(logits: Tensor): Int32Array {
  if (logits.shape.length !== 2) {
    throw new Error(`predictClasses: logits must be 2-D [N, classes], got shape [${logits.shape.join(', ')}]`);
  }
  const [n, k] = logits.shape as [number, number];
  const { data } = dense(logits);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = argmax(data, i * k, k);
  return out;
}

/**
 * Classifies `images` [N, C, H, W] in batches with the model in eval mode and compares with
 * `labels`: the error rate and the confusion matrix. Leaves the model in eval mode.
 */
export function evaluate(
  model: TrainableModel,
  images: Tensor,
  labels: ArrayLike<number>,
  batchSize = 500,
  optionsIn: EvaluateOptions | null = {},
): Evaluation {
  const options = optionsObject(optionsIn, 'evaluate');
  const steps = evaluationSteps(model, images, labels, batchSize, options.classes);
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
    options.onBatch?.(next.value, images.shape[0]!);
  }
}

/**
 * `evaluate` that yields to the event loop between batches (so a Ctrl-C handler can run) and
 * returns null as soon as `shouldStop` says so.
 */
export async function evaluateAsync(
  model: TrainableModel,
  images: Tensor,
  labels: ArrayLike<number>,
  batchSize = 500,
  optionsIn: EvaluateOptions | null = {},
): Promise<Evaluation | null> {
  const options = optionsObject(optionsIn, 'evaluate');
  const steps = evaluationSteps(model, images, labels, batchSize, options.classes);
  const n = images.shape[0]!;
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
    options.onBatch?.(next.value, n);
    if (next.value < n) {
      await yieldToEventLoop();
      if (options.shouldStop?.()) return null;
    }
  }
}

/** Lets pending I/O and signal handlers (in a browser: the page) run. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => (typeof setImmediate === 'function' ? setImmediate(resolve) : setTimeout(resolve, 0)));
}

/** The evaluation, one batch per step; each step yields the number of examples done. */
function* evaluationSteps(
  model: TrainableModel,
  images: Tensor,
  labels: ArrayLike<number>,
  batchSize: number,
  classes: number | undefined,
): Generator<number, Evaluation, void> {
  if (images.shape.length !== 4) {
    throw new Error(`evaluate: images must be 4-D [N, C, H, W], got shape [${images.shape.join(', ')}]`);
  }
  const n = images.shape[0]!;
  if (labels.length !== n) throw new Error(`evaluate: ${n} images but ${labels.length} labels`);
  if (n === 0) throw new Error('evaluate: no images');
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`evaluate: batchSize must be a positive integer, got ${batchSize}`);
  const { data, shape } = dense(images);
  const per = shape[1]! * shape[2]! * shape[3]!;
  model.eval();
  const predictions = new Int32Array(n);
  let confusion: number[][] | undefined = classes ? square(classes) : undefined;
  let correct = 0;
  for (let start = 0; start < n; start += batchSize) {
    const count = Math.min(batchSize, n - start);
    const x = fromDense(data.subarray(start * per, (start + count) * per), [count, shape[1]!, shape[2]!, shape[3]!]);
    const logits = model.forward(x);
    if (logits.shape.length !== 2 || logits.shape[0] !== count) {
      throw new Error(`evaluate: the model's output must be [${count}, classes], got [${logits.shape.join(', ')}]`);
    }
    confusion ??= square(logits.shape[1]!);
    const k = confusion.length;
    const predicted = predictClasses(logits);
    for (let i = 0; i < count; i++) {
      const truth = labels[start + i]!;
      const guess = predicted[i]!;
      predictions[start + i] = guess;
      if (!(Number.isInteger(truth) && truth >= 0 && truth < k)) {
        throw new Error(`evaluate: label ${truth} at index ${start + i} is not a class 0..${k - 1}`);
      }
      if (guess < k) confusion[truth]![guess]!++;
      if (guess === truth) correct++;
    }
    yield start + count;
  }
  return { error: (n - correct) / n, correct, total: n, confusion: confusion!, predictions };
}

function square(k: number): number[][] {
  return Array.from({ length: k }, () => new Array<number>(k).fill(0));
}
