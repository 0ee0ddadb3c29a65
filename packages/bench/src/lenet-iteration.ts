/**
 * One LeNet-5 training iteration in convlab (forward, loss, backward, SGD step) in three
 * flavours: im2col + GEMM, spectral with reused spectra (nn's Conv2d on the FFT plan), and
 * spectral without reuse (every product transforms its own inputs, as the lecture did before
 * "Reuse FFT results"). All start from the same weights, so their first losses agree.
 */
import { conv2dGradBias, fromDense } from '@convlab/core';
import type { ConvMethod, Tensor } from '@convlab/core';
import { fftConv2d, fftConv2dGradInput, fftConv2dGradWeight } from '@convlab/fft';
import { Conv2d, Linear, Module, Random, SGD, Sequential, SoftmaxCrossEntropy, lenet5 } from '@convlab/nn';
import type { Layer, LayerConfig, Parameter } from '@convlab/nn';
import type { LenetWeights } from './peers/tfjs-ops.js';

/** nn's methods the bench times, and the spectral path without reuse. */
export type IterationFlavour = Exclude<ConvMethod, 'direct'> | 'fft-no-reuse';

/**
 * A spectral conv layer without reuse: forward transforms x and w; the weight gradient
 * transforms x and gy again; the input gradient transforms gy and w again. It shares the
 * parameters of the Conv2d it wraps.
 */
export class FreshSpectraConv2d extends Module {
  private x?: Tensor;

  constructor(readonly conv: Conv2d) {
    super();
  }

  forward(x: Tensor): Tensor {
    this.x = x;
    return fftConv2d(x, this.conv.weight.value, this.conv.bias?.value ?? null);
  }

  backward(gy: Tensor): Tensor {
    this.backwardParameters(gy);
    return fftConv2dGradInput(gy, this.conv.weight.value, this.x!.shape);
  }

  /** The weight and bias gradients alone, as nn's Conv2d gives them to a first layer. */
  override backwardParameters(gy: Tensor): void {
    const w = this.conv.weight;
    addInto(w.grad.data, fftConv2dGradWeight(this.x!, gy, w.value.shape).data);
    if (this.conv.bias) addInto(this.conv.bias.grad.data, conv2dGradBias(gy).data);
  }

  override parameters(): Parameter[] {
    return this.conv.parameters();
  }

  config(): LayerConfig {
    return this.conv.config();
  }
}

function addInto(acc: ArrayLike<number> & { [i: number]: number }, values: ArrayLike<number>): void {
  for (let i = 0; i < values.length; i++) acc[i] += values[i]!;
}

/** LeNet-5 from a seed, its softmax layer given random weights too (LISA starts it at zero), so the first loss depends on every weight. */
export function seededLenet(flavour: IterationFlavour, seed: number): Sequential {
  const model = lenet5({ method: flavour === 'fft-no-reuse' ? 'fft' : flavour, seed });
  const last = model.layers[model.layers.length - 1] as Linear;
  const rng = new Random(seed + 1);
  const w = last.parameters()[0]!.value.data;
  for (let i = 0; i < w.length; i++) w[i] = rng.uniform(-0.1, 0.1);
  if (flavour !== 'fft-no-reuse') return model;
  return new Sequential(...model.layers.map((layer: Layer) => (layer instanceof Conv2d ? new FreshSpectraConv2d(layer) : layer)));
}

/** The weights of a LeNet-5 built by `seededLenet`, for a peer library to start from. */
export function lenetWeights(model: Sequential): LenetWeights {
  const params = model.parameters();
  const pair = (i: number) => ({ weight: params[2 * i]!.value, bias: params[2 * i + 1]!.value });
  return { conv1: pair(0), conv2: pair(1), fc1: pair(2), fc2: pair(3) };
}

/** A minibatch of MNIST's shape: pixels in [0, 1), labels 0..9, from a seed. */
export function syntheticBatch(batch: number, seed: number): { x: Tensor; labels: Int32Array } {
  const rng = new Random(seed);
  const data = new Float32Array(batch * 28 * 28);
  for (let i = 0; i < data.length; i++) data[i] = rng.next();
  const labels = new Int32Array(batch);
  for (let i = 0; i < batch; i++) labels[i] = rng.int(10);
  return { x: fromDense(data, [batch, 1, 28, 28]), labels };
}

/**
 * One training step on a fixed minibatch as a bench case: `run` returns the loss before the step;
 * `check` gives the losses of the first two runs (the second follows one SGD step, so equal
 * second losses mean equal gradients).
 */
export function trainingCase(model: Sequential, x: Tensor, labels: Int32Array, lr: number): { run: () => number; check: () => number[] } {
  const step = trainingStep(model, x, labels, lr);
  const losses: number[] = [];
  return {
    run: () => {
      const loss = step();
      if (losses.length < 2) losses.push(loss);
      return loss;
    },
    check: () => losses,
  };
}

/**
 * One training step on a fixed minibatch, as `convlab train` runs it; returns the loss before the
 * step. Like the peers' steps (TensorFlow.js's variable gradients), it computes no gradient for
 * the input images (Sequential.backwardParameters).
 */
export function trainingStep(model: Sequential, x: Tensor, labels: Int32Array, lr: number): () => number {
  const loss = new SoftmaxCrossEntropy();
  const optimizer = new SGD(model.parameters(), { lr });
  return () => {
    optimizer.zeroGrad();
    const value = loss.forward(model.forward(x), labels);
    model.backwardParameters(loss.backward());
    optimizer.step();
    return value;
  };
}
