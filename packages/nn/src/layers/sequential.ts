import type { Tensor, WorkerPool } from '@convlab/core';
import type { Random } from '../random.js';
import { writeModelFile } from '../model-writer.js';
import type { SaveExtras } from '../model-writer.js';
import { Module } from './layer.js';
import { summarize } from './summary.js';
import type { Layer, LayerConfig, Parameter, ResultReuse } from './layer.js';

/**
 * Layers applied in order; backward runs them in reverse, each layer's dL/dx becoming the previous
 * layer's dL/dy (the chain rule of the lecture's backprop). Parameter names carry the layer's
 * index, as in PyTorch: `0.weight`, `0.bias`, `3.weight`, ...
 */
export class Sequential extends Module {
  readonly layers: readonly Layer[];
  /** True when every layer passes its input through (a Sequential of Flatten and Dropout layers). */
  override readonly passesThrough: boolean;

  constructor(...layers: Layer[]) {
    super();
    layers.forEach((layer, i) => {
      if (!layer || typeof layer.forward !== 'function' || typeof layer.backward !== 'function') {
        throw new Error(`Sequential: argument ${i} is not a layer (it needs forward and backward)`);
      }
    });
    this.layers = layers;
    this.passesThrough = layers.every(passesThrough);
    this.reuseResults(this.reuse);
  }

  /**
   * Results that only the next (or, backward, the previous) layer reads go into the layers' own
   * buffers: a layer's output is reused unless it reaches the caller of forward, i.e. unless only
   * pass-through layers (Flatten, Dropout) follow it, and its dL/dx unless only pass-through layers
   * precede it. A Sequential inside another one reuses its own results as the outer one says.
   */
  override reuseResults(reuse: ResultReuse): this {
    super.reuseResults(reuse);
    const layers = this.layers;
    layers.forEach((layer, i) => {
      layer.reuseResults?.({
        output: reuse.output || layers.slice(i + 1).some((next) => !passesThrough(next)),
        gradInput: reuse.gradInput || layers.slice(0, i).some((previous) => !passesThrough(previous)),
      });
    });
    return this;
  }

  forward(x: Tensor): Tensor {
    let y = x;
    for (const layer of this.layers) y = layer.forward(y);
    return y;
  }

  /** dL/dx of the model's input, through every layer (a Sequential is a layer: it may sit inside another). */
  backward(gy: Tensor): Tensor {
    return this.backwardThrough(gy, true)!;
  }

  /**
   * The training step's backward pass: every parameter's gradient, and no dL/dx for the first
   * layer (its input, the data, needs none), as PyTorch's autograd skips an input that does not
   * require a gradient. The parameter gradients are the same as `backward`'s, bit for bit.
   */
  override backwardParameters(gy: Tensor): void {
    this.backwardThrough(gy, false);
  }

  private backwardThrough(gy: Tensor, inputGrad: boolean): Tensor | null {
    const layers = this.layers;
    if (layers.length === 0) return inputGrad ? gy : null;
    let g = gy;
    for (let i = layers.length - 1; i > 0; i--) g = layers[i]!.backward(g);
    const first = layers[0]!;
    if (inputGrad) return first.backward(g);
    // A hand-made layer object may have only forward and backward: then its dL/dx is dropped.
    if (typeof first.backwardParameters === 'function') first.backwardParameters(g);
    else first.backward(g);
    return null;
  }

  override parameters(): Parameter[] {
    return this.layers.flatMap((layer, i) =>
      layer.parameters().map((p) => ({ name: `${i}.${p.name}`, value: p.value, grad: p.grad })),
    );
  }

  /** Runs every layer on `pool` (see Module.usePool). */
  override usePool(pool: WorkerPool | undefined): this {
    super.usePool(pool);
    for (const layer of this.layers) layer.usePool?.(pool);
    return this;
  }

  override train(mode = true): this {
    this.training = mode;
    for (const layer of this.layers) layer.train(mode);
    return this;
  }

  /** Points every layer that draws random numbers (Dropout) at `random`, e.g. a trainer's seeded generator. */
  useRandom(random: Random): this {
    for (const layer of this.layers) {
      if (layer instanceof Sequential) layer.useRandom(random);
      else if ('random' in layer) (layer as { random: Random }).random = random;
    }
    return this;
  }

  config(): LayerConfig {
    return { type: 'Sequential', layers: this.layers.map((layer) => layer.config()) };
  }

  /**
   * The layers, their output shapes for an input of shape `inputShape` (e.g. `[1, 1, 28, 28]`; the
   * batch axis prints as -1) and their parameter counts, as a table (torchsummary's layout).
   */
  summary(inputShape: readonly number[]): string {
    return summarize(this, inputShape);
  }

  /** Writes the architecture and the weights to `path` atomically (docs/model-format.md); Node only, elsewhere use serializeModel. */
  save(path: string, extras?: SaveExtras): void {
    writeModelFile(this, path, extras);
  }
}

/** Whether a layer may hand its input back as its result; a layer that does not say is assumed to. */
function passesThrough(layer: Layer): boolean {
  return layer.passesThrough ?? true;
}

/** The number of scalar parameters of a layer or model. */
export function countParameters(layer: Layer): number {
  return layer.parameters().reduce((sum, p) => sum + p.value.size, 0);
}
