import { describe, expect, it } from 'vitest';
import { dense, tensor } from '@convlab/core';
import type { Dtype, Tensor } from '@convlab/core';
import { Linear, SoftmaxCrossEntropy, layerFromConfig, softmax } from '@convlab/nn';
import type { Json, Layer } from '@convlab/nn';
import { expectClose, loadFixture } from '../../../testing/close.js';

/** PyTorch's answers for pooling, activations, flatten, linear and cross-entropy (fixtures/generate/nn_layers_golden.py). */
interface Shaped {
  shape: number[];
  data: number[];
}
interface LayerCase {
  name: string;
  layer: string;
  options: Record<string, unknown>;
  x: Shaped;
  gy: number[];
  y: Shaped;
  gx: number[];
}
interface LinearCase {
  name: string;
  inFeatures: number;
  outFeatures: number;
  bias: boolean;
  x: Shaped;
  w: number[];
  b: number[] | null;
  gy: number[];
  y: Shaped;
  gx: number[];
  gw: number[];
  gb: number[] | null;
}
interface CrossEntropyCase {
  name: string;
  logits: Shaped;
  labels: number[];
  loss: number;
  grad: number[];
  softmax: number[];
}
const golden = loadFixture<{ layers: LayerCase[]; linear: LinearCase[]; crossEntropy: CrossEntropyCase[] }>('golden/nn-layers.json');

// The layers are built as a model file rebuilds them, from a config.
function make(name: string, options: Record<string, unknown>): Layer {
  return layerFromConfig({ type: name, ...(options as Record<string, Json>) });
}

function input(s: Shaped, dtype: Dtype): Tensor {
  const data = dtype === 'float32' ? Float32Array.from(s.data) : Float64Array.from(s.data);
  return tensor(data, s.shape);
}

const DTYPES: Array<[Dtype, number]> = [
  ['float64', 1e-12],
  ['float32', 1e-6],
];

describe('parameter-free layers against PyTorch', () => {
  for (const c of golden.layers) {
    for (const [dtype, rel] of DTYPES) {
      it(`${c.layer} ${c.name} (${dtype}): forward and backward`, () => {
        const layer = make(c.layer, c.options);
        const y = layer.forward(input(c.x, dtype));
        expect(y.shape).toEqual(c.y.shape);
        expect(y.data).toBeInstanceOf(dtype === 'float32' ? Float32Array : Float64Array);
        expectClose(dense(y).data, c.y.data, { rel });
        const gx = layer.backward(input({ shape: c.y.shape, data: c.gy }, dtype));
        expect(gx.shape).toEqual(c.x.shape);
        expectClose(dense(gx).data, c.gx, { rel });
      });
    }
  }
});

describe('Linear against PyTorch', () => {
  for (const c of golden.linear) {
    for (const [dtype, rel] of DTYPES) {
      it(`${c.name} (${dtype}): y, dL/dx, dL/dW, dL/db`, () => {
        const layer = new Linear({ inFeatures: c.inFeatures, outFeatures: c.outFeatures, bias: c.bias, dtype });
        const params = layer.parameters();
        expect(params.map((p) => p.name)).toEqual(c.bias ? ['weight', 'bias'] : ['weight']);
        expect(params[0]!.value.shape).toEqual([c.outFeatures, c.inFeatures]);
        params[0]!.value.data.set(c.w);
        if (c.b) params[1]!.value.data.set(c.b);
        const y = layer.forward(input(c.x, dtype));
        expect(y.shape).toEqual(c.y.shape);
        expectClose(dense(y).data, c.y.data, { rel });
        const gx = layer.backward(input({ shape: c.y.shape, data: c.gy }, dtype));
        expectClose(dense(gx).data, c.gx, { rel });
        expectClose(params[0]!.grad.data, c.gw, { rel });
        if (c.gb) expectClose(params[1]!.grad.data, c.gb, { rel });
        // A second backward accumulates into the parameter gradients.
        layer.backward(input({ shape: c.y.shape, data: c.gy }, dtype));
        expectClose(params[0]!.grad.data, c.gw.map((v) => 2 * v), { rel });
      });
    }
  }
});

describe('SoftmaxCrossEntropy against PyTorch cross_entropy', () => {
  for (const c of golden.crossEntropy) {
    for (const [dtype, rel] of DTYPES) {
      it(`${c.name} (${dtype}): mean loss, dL/dlogits, softmax`, () => {
        const ce = new SoftmaxCrossEntropy();
        const logits = input(c.logits, dtype);
        const loss = ce.forward(logits, c.labels);
        expect(Number.isFinite(loss)).toBe(true);
        expectClose([loss], [c.loss], { rel });
        const g = ce.backward();
        expect(g.shape).toEqual(c.logits.shape);
        expect(g.data).toBeInstanceOf(dtype === 'float32' ? Float32Array : Float64Array);
        expectClose(dense(g).data, c.grad, { rel });
        expectClose(dense(softmax(logits)).data, c.softmax, { rel });
        // Int32Array labels give the same loss.
        expect(ce.forward(logits, Int32Array.from(c.labels))).toBe(loss);
      });
    }
  }
});
