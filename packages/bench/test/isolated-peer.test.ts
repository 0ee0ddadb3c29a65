import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IsolatedPeer } from '../src/peers/isolated.js';
import { loadTfjs, type TfjsPeer } from '../src/peers/tfjs.js';
import { convForwardCase, lenetTrainingCase } from '../src/peers/tfjs-ops.js';
import { lenetWeights, seededLenet, syntheticBatch } from '../src/lenet-iteration.js';
import { randomTensor } from '../src/suites/common.js';
import { SGD, SoftmaxCrossEntropy } from '@convlab/nn';

/**
 * A peer on its own worker thread computes exactly what the same peer computes in this thread:
 * the same tfjs code on the same numbers, so the results are equal bit for bit.
 */
describe('IsolatedPeer (TensorFlow.js wasm on a worker thread)', () => {
  let isolated: IsolatedPeer;
  let local: TfjsPeer;

  beforeAll(async () => {
    const started = await IsolatedPeer.start('wasm');
    if ('missing' in started) throw new Error(started.missing);
    isolated = started;
    const loaded = await loadTfjs('wasm');
    if ('missing' in loaded) throw new Error(loaded.missing);
    local = loaded;
  });

  afterAll(async () => {
    await isolated?.close();
  });

  it('reports the backend it loaded', () => {
    expect(isolated.backend).toBe('wasm');
    expect(isolated.label).toBe(local.label);
  });

  it('gives the forward convolution of the same backend in this thread', () => {
    const x = randomTensor([2, 3, 9, 9], 1);
    const w = randomTensor([4, 3, 3, 3], 2, 0.2);
    const b = randomTensor([4], 3, 0.1);
    const remote = isolated.convForwardCase(x, w, b);
    const here = convForwardCase(local, x, w, b);
    remote.run();
    const got = remote.check();
    const want = here.check();
    expect(got).toBeInstanceOf(Float32Array);
    expect(got.length).toBe(2 * 4 * 7 * 7);
    expect(Array.from(got)).toEqual(Array.from(want));
    remote.dispose();
    here.dispose();
  });

  it('gives the losses of two LeNet-5 training iterations of the same backend in this thread', () => {
    const { x, labels } = syntheticBatch(4, 5);
    const weights = lenetWeights(seededLenet('im2col', 6));
    const remote = isolated.lenetTrainingCase(weights, x, labels, 0.1);
    const here = lenetTrainingCase(local, weights, x, labels, 0.1);
    for (let i = 0; i < 2; i++) {
      remote.run();
      here.run();
    }
    const losses = Array.from(remote.check());
    expect(losses).toHaveLength(2);
    expect(losses[1]).not.toBe(losses[0]);
    expect(losses).toEqual(Array.from(here.check()));
    remote.dispose();
    here.dispose();
  });

  it("names the request and the peer's own message when a case fails in the worker", () => {
    const x = randomTensor([1, 3, 9, 9], 1);
    const w = randomTensor([4, 2, 3, 3], 2);
    const b = randomTensor([4], 3);
    const broken = isolated.convForwardCase(x, w, b);
    expect(() => broken.run()).toThrow(/^tfjs \S+ wasm .*: run failed in its worker: .+/);
    // The worker survives the failure and keeps answering.
    expect(() => isolated.convForwardCase(x, randomTensor([4, 3, 3, 3], 2), b).run()).not.toThrow();
  });
});

describe('IsolatedPeer after close', () => {
  it('refuses to run a case instead of waiting for a worker that is gone', async () => {
    const started = await IsolatedPeer.start('wasm');
    if ('missing' in started) throw new Error(started.missing);
    const c = started.convForwardCase(randomTensor([1, 1, 4, 4], 1), randomTensor([1, 1, 2, 2], 2), randomTensor([1], 3));
    c.run();
    await started.close();
    expect(() => c.run()).toThrow(/^tfjs \S+ wasm .*: "run" after the peer was closed$/);
  });
});

describe('IsolatedPeer (ConvNetJS on a worker thread)', () => {
  it("trains LeNet-5 from convlab's weights to convlab's losses, and has no forward convolution case", async () => {
    const started = await IsolatedPeer.start('convnetjs');
    if ('missing' in started) throw new Error(started.missing);
    try {
      expect(started.label).toMatch(/^convnetjs \d+\.\d+\.\d+$/);
      const { x, labels } = syntheticBatch(4, 5);
      const model = seededLenet('im2col', 6);
      const remote = started.lenetTrainingCase(lenetWeights(model), x, labels, 0.1);
      remote.run();
      remote.run();
      const losses = Array.from(remote.check());
      // The same two iterations in convlab (float32; ConvNetJS computes in float64).
      const loss = new SoftmaxCrossEntropy();
      const sgd = new SGD(model.parameters(), { lr: 0.1 });
      const ours: number[] = [];
      for (let i = 0; i < 2; i++) {
        sgd.zeroGrad();
        ours.push(loss.forward(model.forward(x), labels));
        model.backwardParameters(loss.backward());
        sgd.step();
      }
      expect(losses[1]).not.toBeCloseTo(losses[0]!, 3);
      for (let i = 0; i < 2; i++) expect(Math.abs(losses[i]! - ours[i]!) / ours[i]!).toBeLessThan(1e-6);
      expect(() => started.convForwardCase(x, randomTensor([2, 1, 3, 3], 1), randomTensor([2], 2))).toThrow(
        /^convnetjs 0\.3\.0: conv-forward failed in its worker: convnetjs has no forward convolution case here$/,
      );
    } finally {
      await started.close();
    }
  });
});
