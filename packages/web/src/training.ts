/**
 * LeNet-5 (the lecture's network) learning a slice of MNIST, one minibatch at a time, in the
 * engine worker: each step is its own task, so requests (a drawing to classify, a pause) get in
 * between steps. Every few steps the model is scored on held-out test images.
 */
import { Adam, Random, SoftmaxCrossEntropy, epochOrder, evaluate, gatherBatch, lenet5, parseIdx, scalePixels } from '@convlab/nn';
import type { Dataset, Sequential } from '@convlab/nn';
import type { EngineReply } from './messages.js';

/** Examples per step: small, so a step takes a fraction of a second and the curve moves. */
export const BATCH = 50;
/** Steps between two scores on the held-out images. */
export const EVALUATE_EVERY = 25;
/** Adam's default rate, as torch.optim.Adam: LeNet-5's loss falls within a few dozen steps. */
const LEARNING_RATE = 0.001;

/** The MNIST slice the build ships beside the page (build.mjs): the first images of each file. */
const FILES = {
  trainImages: 'mnist/train-images-idx3-ubyte',
  trainLabels: 'mnist/train-labels-idx1-ubyte',
  testImages: 'mnist/t10k-images-idx3-ubyte',
  testLabels: 'mnist/t10k-labels-idx1-ubyte',
};

type Send = (message: EngineReply) => void;
type Fetch = (url: string) => Promise<Uint8Array>;

async function loadSplit(fetchBytes: Fetch, imagesUrl: string, labelsUrl: string): Promise<Dataset> {
  const images = parseIdx(await fetchBytes(imagesUrl), imagesUrl, 'images');
  const labels = parseIdx(await fetchBytes(labelsUrl), labelsUrl, 'labels');
  const [n, rows, cols] = images.dims as [number, number, number];
  if (labels.dims[0] !== n) throw new Error(`${labelsUrl}: ${labels.dims[0]} labels, but ${imagesUrl} has ${n} images`);
  return { images: scalePixels(images.data, 0, n, rows, cols), labels: Int32Array.from(labels.data) };
}

export class Trainer {
  private data: { train: Dataset; test: Dataset } | null = null;
  private readonly random = new Random(0);
  private readonly model: Sequential = lenet5({ seed: 0 });
  private readonly optimizer = new Adam(this.model.parameters(), { lr: LEARNING_RATE });
  private readonly loss = new SoftmaxCrossEntropy();
  private order: Int32Array = new Int32Array(0);
  private cursor = 0;
  private step = 0;
  private target = 0;
  private running = false;

  constructor(
    private readonly send: Send,
    private readonly fetchBytes: Fetch,
  ) {}

  /** Trains `steps` more steps (added to any still to run), yielding between steps. */
  async run(steps: number): Promise<void> {
    this.data ??= {
      train: await loadSplit(this.fetchBytes, FILES.trainImages, FILES.trainLabels),
      test: await loadSplit(this.fetchBytes, FILES.testImages, FILES.testLabels),
    };
    if (this.step === 0 && !this.running) this.score();
    this.target = Math.max(this.target, this.step) + steps;
    if (this.running) return;
    this.running = true;
    this.scheduleStep();
  }

  /** Stops after the step under way; `run` continues from there. */
  pause(): void {
    this.target = this.step;
  }

  private scheduleStep(): void {
    setTimeout(() => {
      try {
        if (this.step >= this.target) {
          this.running = false;
          this.send({ type: 'training-stopped', step: this.step });
          return;
        }
        this.trainStep();
        this.scheduleStep();
      } catch (error) {
        this.running = false;
        this.send({ type: 'error', panel: 'training', message: (error as Error).message.split('\n')[0]! });
      }
    }, 0);
  }

  private trainStep(): void {
    const { train } = this.data!;
    const n = train.labels.length;
    if (this.cursor + BATCH > this.order.length) {
      this.order = epochOrder(n, this.random);
      this.cursor = 0;
    }
    const { x, labels } = gatherBatch(train, this.order, this.cursor, this.cursor + BATCH);
    this.cursor += BATCH;
    const t0 = performance.now();
    this.model.train();
    this.optimizer.zeroGrad();
    const loss = this.loss.forward(this.model.forward(x), labels);
    this.model.backward(this.loss.backward());
    this.optimizer.step();
    this.step++;
    this.send({ type: 'step', step: this.step, loss, seconds: (performance.now() - t0) / 1000 });
    if (this.step % EVALUATE_EVERY === 0) this.score();
  }

  /** The error on the held-out test images now (the untrained network's too, at step 0). */
  private score(): void {
    const { test } = this.data!;
    const scored = evaluate(this.model, test.images, test.labels, 500);
    this.send({ type: 'evaluation', step: this.step, error: scored.error, total: test.labels.length });
  }
}
