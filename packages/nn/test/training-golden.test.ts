import { describe, expect, it } from 'vitest';
import { tensor } from '@convlab/core';
import type { Dtype } from '@convlab/core';
import { Adam, CONV_METHODS, Conv2d, Flatten, Linear, MaxPool2d, SGD, Sequential, SoftmaxCrossEntropy, Tanh } from '@convlab/nn';
import type { ConvMethod, Optimizer } from '@convlab/nn';
import { expectClose, loadFixture } from '../../../testing/close.js';

/**
 * Six training steps of a small LeNet-shaped network, replayed against PyTorch
 * (fixtures/generate/nn_training_golden.py): the forward pass, every backward rule, the loss and
 * the optimiser together, for every convolution method.
 */
interface Shaped {
  shape: number[];
  data: number[];
}
interface Run {
  optimizer: 'SGD' | 'Adam';
  options: Record<string, unknown>;
  losses: number[];
  params: Record<string, number[]>;
}
const golden = loadFixture<{ batches: Shaped[]; labels: number[][]; params0: Record<string, Shaped>; runs: Run[] }>('golden/nn-training.json');

function network(method: ConvMethod, dtype: Dtype): Sequential {
  const model = new Sequential(
    new Conv2d({ inChannels: 1, outChannels: 4, kernelSize: 5, method, dtype }),
    new MaxPool2d({ kernelSize: 2 }),
    new Tanh(),
    new Conv2d({ inChannels: 4, outChannels: 6, kernelSize: 5, method, dtype }),
    new MaxPool2d({ kernelSize: 2 }),
    new Tanh(),
    new Flatten(),
    new Linear({ inFeatures: 96, outFeatures: 20, dtype }),
    new Tanh(),
    new Linear({ inFeatures: 20, outFeatures: 10, dtype }),
  );
  for (const p of model.parameters()) p.value.data.set(golden.params0[p.name]!.data);
  return model;
}

describe('training steps against PyTorch', () => {
  for (const run of golden.runs) {
    for (const method of CONV_METHODS) {
      for (const [dtype, rel] of [
        ['float64', 1e-10],
        ['float32', 2e-4],
      ] as const) {
        it(`${run.optimizer} ${JSON.stringify(run.options)}, conv ${method}, ${dtype}`, () => {
          const model = network(method, dtype);
          const params = model.parameters();
          expect(params.map((p) => p.name)).toEqual(Object.keys(golden.params0));
          const opt: Optimizer = run.optimizer === 'SGD' ? new SGD(params, run.options as never) : new Adam(params, run.options as never);
          const ce = new SoftmaxCrossEntropy();
          const batches = golden.batches.map((b) => tensor(dtype === 'float32' ? Float32Array.from(b.data) : Float64Array.from(b.data), b.shape));
          const losses = run.losses.map((_, s) => {
            opt.zeroGrad();
            const loss = ce.forward(model.forward(batches[s % 2]!), golden.labels[s % 2]!);
            model.backward(ce.backward());
            opt.step();
            return loss;
          });
          expectClose(losses, run.losses, { rel });
          for (const p of params) expectClose(p.value.data, run.params[p.name]!, { rel });
        });
      }
    }
  }
});
