import { describe, expect, it } from 'vitest';
import { fromDense, isShared } from '@convlab/core';
import type { FloatArray, Tensor } from '@convlab/core';
import {
  AvgPool2d,
  Conv2d,
  Dropout,
  Flatten,
  Linear,
  MaxPool2d,
  Random,
  ReLU,
  SGD,
  Sequential,
  SoftmaxCrossEntropy,
  Tanh,
} from '@convlab/nn';
import type { Layer, ConvMethod } from '@convlab/nn';

/*
 * Layers inside a Sequential write the results only their neighbours read into buffers they own
 * (reuseResults): the same numbers as fresh arrays, bit for bit, no new array per step, and the
 * results that reach the caller (the model's output, the model's dL/dx) stay fresh.
 */

function cnn(method: ConvMethod, random = new Random(21)): Sequential {
  return new Sequential(
    new Conv2d({ inChannels: 1, outChannels: 4, kernelSize: 3, method, random }),
    new MaxPool2d({ kernelSize: 2 }),
    new Tanh(),
    new Conv2d({ inChannels: 4, outChannels: 6, kernelSize: 3, method, random }),
    new AvgPool2d({ kernelSize: 2 }),
    new ReLU(),
    new Dropout({ p: 0.25, random }),
    new Flatten(),
    new Linear({ inFeatures: 6 * 2 * 2, outFeatures: 8, random }),
    new Tanh(),
    new Linear({ inFeatures: 8, outFeatures: 3, random }),
  );
}

function batch(n: number, seed = 5): { x: Tensor; labels: Int32Array } {
  const random = new Random(seed);
  const x = Float32Array.from({ length: n * 14 * 14 }, () => random.uniform(-1, 1));
  return { x: fromDense(x, [n, 1, 14, 14]), labels: Int32Array.from({ length: n }, () => random.int(3)) };
}

/** Every layer back to fresh results (PyTorch's semantics), to compare against. */
function allFresh(model: Sequential): Sequential {
  for (const layer of model.layers) layer.reuseResults?.({ output: false, gradInput: false });
  return model;
}

/** Three SGD steps (the last on a smaller batch); the losses, the logits and every gradient of each step. */
function train(model: Sequential): { losses: number[]; logits: FloatArray[]; copies: FloatArray[]; grads: FloatArray[][] } {
  const ce = new SoftmaxCrossEntropy();
  const sgd = new SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
  const out = { losses: [] as number[], logits: [] as FloatArray[], copies: [] as FloatArray[], grads: [] as FloatArray[][] };
  for (const [n, seed] of [[6, 1], [6, 2], [4, 3]] as const) {
    const { x, labels } = batch(n, seed);
    sgd.zeroGrad();
    const logits = model.forward(x);
    out.losses.push(ce.forward(logits, labels));
    model.backward(ce.backward());
    out.grads.push(model.parameters().map((p) => p.grad.data.slice()));
    sgd.step();
    out.logits.push(logits.data as FloatArray);
    out.copies.push((logits.data as FloatArray).slice());
  }
  return out;
}

function identical(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  return a.length === b.length && Array.prototype.every.call(a, (v: number, i: number) => Object.is(v, b[i]));
}

describe('result buffers inside a Sequential', () => {
  for (const method of ['direct', 'im2col', 'fft'] as const) {
    it(`${method}: a training step with reused buffers equals the fresh-array step bit for bit, a smaller last batch included`, () => {
      const reused = train(cnn(method));
      const fresh = train(allFresh(cnn(method)));
      expect(reused.losses).toEqual(fresh.losses);
      reused.grads.forEach((step, s) => step.forEach((g, i) => expect(identical(g, fresh.grads[s]![i]!), `step ${s} gradient ${i}`).toBe(true)));
      // The model's output is fresh: each step's logits survive the next steps unchanged.
      reused.logits.forEach((l, s) => expect(identical(l, reused.copies[s]!), `logits of step ${s}`).toBe(true));
      reused.logits.forEach((l, s) => expect(identical(l, fresh.logits[s]!), `logits of step ${s}`).toBe(true));
    });
  }

  it('inner results come from the same shared arrays step after step; the model output and dL/dx are new each time', () => {
    const model = cnn('im2col');
    const seen = new Map<Layer, Set<ArrayBufferLike>>();
    const grads = new Map<Layer, Set<ArrayBufferLike>>();
    for (const layer of model.layers) {
      const forward = layer.forward.bind(layer);
      const backward = layer.backward.bind(layer);
      seen.set(layer, new Set());
      grads.set(layer, new Set());
      layer.forward = (x: Tensor) => {
        const y = forward(x);
        seen.get(layer)!.add(y.data.buffer);
        return y;
      };
      layer.backward = (g: Tensor) => {
        const gx = backward(g);
        grads.get(layer)!.add(gx.data.buffer);
        return gx;
      };
    }
    const ce = new SoftmaxCrossEntropy();
    const { x, labels } = batch(6);
    const outputs: Tensor[] = [];
    const inputGrads: Tensor[] = [];
    for (let step = 0; step < 3; step++) {
      const y = model.forward(x);
      outputs.push(y);
      ce.forward(y, labels);
      inputGrads.push(model.backward(ce.backward()));
    }
    const layers = model.layers;
    // Conv, pools, activations, dropout and the hidden Linear: one buffer each way, in shared memory.
    for (const i of [0, 1, 2, 3, 4, 5, 6, 8, 9]) {
      expect(seen.get(layers[i]!)!.size, `layer ${i} output`).toBe(1);
      expect(isShared(new Uint8Array([...seen.get(layers[i]!)!][0]!))).toBe(true);
    }
    for (const i of [1, 2, 3, 4, 5, 6, 8, 9, 10]) expect(grads.get(layers[i]!)!.size, `layer ${i} dL/dx`).toBe(1);
    // What the caller receives: a new array each step.
    expect(seen.get(layers[10]!)!.size).toBe(3);
    expect(grads.get(layers[0]!)!.size).toBe(3);
    expect(new Set(outputs.map((y) => y.data.buffer)).size).toBe(3);
    expect(new Set(inputGrads.map((g) => g.data.buffer)).size).toBe(3);
  });

  it('a result that reaches the caller through pass-through layers stays fresh (Flatten last, Flatten first)', () => {
    const random = new Random(3);
    const tail = new Sequential(new Conv2d({ inChannels: 1, outChannels: 2, kernelSize: 3, random }), new Flatten());
    const { x } = batch(2);
    const a = tail.forward(x);
    const copy = a.data.slice();
    const b = tail.forward(batch(2, 9).x);
    expect(a.data).not.toBe(b.data);
    expect(identical(a.data, copy)).toBe(true);

    const head = new Sequential(new Flatten(), new Dropout({ p: 0 }), new Linear({ inFeatures: 196, outFeatures: 2, random }));
    head.forward(x);
    const g1 = head.backward(fromDense(new Float32Array([1, 2, 3, 4]), [2, 2]));
    const kept = g1.data.slice();
    head.forward(x);
    const g2 = head.backward(fromDense(new Float32Array([5, 6, 7, 8]), [2, 2]));
    expect(g1.data).not.toBe(g2.data);
    expect(identical(g1.data, kept)).toBe(true);
  });

  it('a Sequential inside another reuses its inner results; its own output as the outer one says', () => {
    const random = new Random(4);
    const inner = new Sequential(new Linear({ inFeatures: 3, outFeatures: 4, random }), new Tanh());
    const last = new Sequential(new Linear({ inFeatures: 4, outFeatures: 2, random }), new Tanh());
    const outer = new Sequential(inner, last);
    const x = fromDense(new Float32Array([1, 2, 3, 4, 5, 6]), [2, 3]);
    const innerOut = [inner.forward(x).data, inner.forward(x).data];
    expect(innerOut[0]).toBe(innerOut[1]);
    const y1 = outer.forward(x);
    const y2 = outer.forward(x);
    expect(y1.data).not.toBe(y2.data);
  });

  it('a layer on its own returns fresh arrays, as in PyTorch', () => {
    const layers: Layer[] = [new Tanh(), new MaxPool2d({ kernelSize: 2 }), new Conv2d({ inChannels: 1, outChannels: 2, kernelSize: 3, method: 'im2col' })];
    const { x } = batch(2);
    for (const layer of layers) {
      const a = layer.forward(x);
      const b = layer.forward(x);
      expect(a.data).not.toBe(b.data);
      const ga = layer.backward(fromDense(new Float32Array(a.size).fill(1), a.shape));
      const gb = layer.backward(fromDense(new Float32Array(a.size).fill(1), a.shape));
      expect(ga.data).not.toBe(gb.data);
      expect(isShared(a.data)).toBe(false);
    }
  });
});
