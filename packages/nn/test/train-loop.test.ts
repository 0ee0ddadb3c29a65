import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { fromDense, tensor } from '@convlab/core';
import type { Tensor } from '@convlab/core';
import {
  Random,
  decodeBundle,
  encodeBundle,
  evaluate,
  fit,
  loadMnist,
  readCheckpoint,
  shiftImagesInPlace,
  sliceDataset,
} from '@convlab/nn';
import type { EpochRecord, FitOptions, TrainEvent } from '@convlab/nn';
import { CrossEntropy, MomentumSGD, SoftmaxRegression } from './train-standin.js';

const fixtures = fileURLToPath(new URL('../../../fixtures/mnist-tiny/plain', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'convlab-train-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const data = loadMnist({ dir: fixtures });

/** A fresh stand-in run; the seed sets the initial weights. */
function setup(seed: number, extra: Partial<Omit<FitOptions, 'model'>> = {}): FitOptions & { model: SoftmaxRegression } {
  const random = new Random(seed);
  const model = new SoftmaxRegression(784, 10, random);
  return {
    model,
    optimizer: new MomentumSGD(model.parameters(), 0.5, 0.9),
    loss: new CrossEntropy(),
    train: data.train,
    validation: data.validation,
    test: data.test,
    epochs: 4,
    batchSize: 8,
    random,
    ...extra,
  };
}

/** The history without wall times, which differ between runs. */
function untimed(history: EpochRecord[]) {
  return history.map(({ epochSeconds, iterationSeconds, evalSeconds, ...rest }) => rest);
}

function bits(t: Tensor): Uint32Array {
  return new Uint32Array(t.data.slice().buffer);
}

describe('fit', () => {
  it('runs the lecture loop: minibatches, validation each epoch, test error when validation improves', async () => {
    const events: TrainEvent[] = [];
    const o = setup(1, { onEvent: (e) => events.push(e), schedule: (t) => 0.5 / (1 + 0.5 * t) });
    const result = await fit(o);
    expect(result.stopped).toBe(false);
    expect(result.history.map((r) => r.epoch)).toEqual([1, 2, 3, 4]);
    // 50 training examples in batches of 8: 7 minibatches, the last of 2.
    expect(result.history.every((r) => r.batches === 7)).toBe(true);
    expect(events.filter((e) => e.type === 'batch')).toHaveLength(28);
    expect(result.history.map((r) => r.lr)).toEqual([0.5, 0.5 / 1.5, 0.5 / 2, 0.5 / 2.5]);
    // The loss falls.
    expect(result.history[3]!.trainLoss).toBeLessThan(result.history[0]!.trainLoss);
    // A test error appears exactly on the epochs whose validation error is a new best.
    let best = Infinity;
    for (const r of result.history) {
      if (r.validationError! < best) {
        best = r.validationError!;
        expect(r.testError).not.toBeNull();
        expect(r.bestEpoch).toBe(r.epoch);
      } else {
        expect(r.testError).toBeNull();
      }
      expect(r.bestValidationError).toBe(best);
    }
    // The validation error is what evaluate says of the best weights.
    const o2 = setup(99);
    o2.model.parameters().forEach((p, i) => p.value.data.set(result.bestParameters![i]!.data));
    const v = evaluate(o2.model, data.validation.images, data.validation.labels, 3);
    expect(v.error).toBe(result.best!.validationError);
    for (const r of result.history) {
      expect(r.epochSeconds).toBeGreaterThan(0);
      expect(r.iterationSeconds).toBeGreaterThan(0);
      expect(r.iterationSeconds * r.batches).toBeLessThanOrEqual(r.epochSeconds);
    }
  });

  it('gives the same trajectory for the same seed, a different one for another seed', async () => {
    const a = await fit(setup(5, { epochs: 2 }));
    const b = await fit(setup(5, { epochs: 2 }));
    const c = await fit(setup(6, { epochs: 2 }));
    expect(untimed(b.history)).toEqual(untimed(a.history));
    expect(untimed(c.history)).not.toEqual(untimed(a.history));
  });

  it('takes examples in order when shuffle is false', async () => {
    const seen: number[][] = [];
    const o = setup(3, { epochs: 1, shuffle: false, batchSize: 10 });
    const forward = o.model.forward.bind(o.model);
    o.model.forward = (x: Tensor) => {
      if (o.model.training) seen.push([x.shape[0]!, x.data[300]!]);
      return forward(x);
    };
    await fit(o);
    expect(seen.map((s) => s[0])).toEqual([10, 10, 10, 10, 10]);
    expect(seen.map((s) => s[1])).toEqual([0, 1, 2, 3, 4].map((b) => data.train.images.data[b * 10 * 784 + 300]));
  });

  it('resumes from a checkpoint bit for bit, stopped mid-epoch or during evaluation', async () => {
    const full = setup(11, { checkpointPath: join(scratch, 'full.ckpt') });
    const reference = await fit(full);
    // Every place a run can stop: after any minibatch, and inside the validation or test pass.
    for (const stopAt of [3, 7, 9, 15, 'validation', 'test'] as const) {
      const path = join(scratch, `stop-${stopAt}.ckpt`);
      let batches = 0;
      let stopNow = false;
      const first = setup(11, {
        checkpointPath: path,
        onEvent: (e) => {
          if (e.type === 'batch') batches++;
          if (typeof stopAt === 'number' && e.type === 'batch' && batches === stopAt) stopNow = true;
          // Validation in epoch 2; the test pass of epoch 1 (the first validation is always a new best).
          if (e.type === 'evaluate' && e.split === stopAt && e.epoch === (stopAt === 'test' ? 1 : 2)) stopNow = true;
        },
        shouldStop: () => stopNow,
        evalBatchSize: 4,
      });
      const part = await fit(first);
      expect(part.stopped, `stop at ${stopAt}`).toBe(true);
      const checkpoint = readCheckpoint(path);
      // A different seed: everything must come from the checkpoint.
      const second = setup(12345, { checkpointPath: path, resume: checkpoint, evalBatchSize: 4 });
      const rest = await fit(second);
      expect(rest.stopped).toBe(false);
      expect(untimed(rest.history), `stopped at ${stopAt}`).toEqual(untimed(reference.history));
      second.model.parameters().forEach((p, i) => expect(bits(p.value)).toEqual(bits(full.model.parameters()[i]!.value)));
      rest.bestParameters!.forEach((t, i) => expect(bits(t)).toEqual(bits(reference.bestParameters![i]!)));
      expect(rest.best).toEqual(reference.best);
    }
  });

  it('resumes bit for bit with random shifts of the training images', async () => {
    const augment = { shift: 2 };
    const reference = await fit(setup(31, { augment, epochs: 3 }));
    const plain = await fit(setup(31, { epochs: 3 }));
    expect(untimed(reference.history)).not.toEqual(untimed(plain.history));
    const path = join(scratch, 'augment.ckpt');
    let batches = 0;
    const part = await fit(
      setup(31, { augment, epochs: 3, checkpointPath: path, onEvent: (e) => void (e.type === 'batch' && batches++), shouldStop: () => batches === 10 }),
    );
    expect(part.stopped).toBe(true);
    const rest = await fit(setup(7, { augment, epochs: 3, resume: readCheckpoint(path) }));
    expect(untimed(rest.history)).toEqual(untimed(reference.history));
    rest.bestParameters!.forEach((t, i) => expect(bits(t)).toEqual(bits(reference.bestParameters![i]!)));
    await expect(fit(setup(1, { augment: { shift: -1 } }))).rejects.toThrow('fit: augment.shift must be a non-negative integer, got -1');
  });

  it('extends a finished run with more epochs exactly as a longer run', async () => {
    const long = await fit(setup(21, { epochs: 3 }));
    const path = join(scratch, 'short.ckpt');
    await fit(setup(21, { epochs: 2, checkpointPath: path }));
    const more = setup(0, { epochs: 3, resume: readCheckpoint(path) });
    expect(untimed((await fit(more)).history)).toEqual(untimed(long.history));
  });

  it('refuses a resume on data of another size, and stops on a diverging loss', async () => {
    const path = join(scratch, 'size.ckpt');
    await fit(setup(2, { epochs: 1, checkpointPath: path }));
    const smaller = sliceDataset(data.train, 0, 40);
    await expect(fit(setup(2, { train: smaller, resume: readCheckpoint(path) }))).rejects.toThrow(
      'resume: checkpoint was made with 50 training examples, the data has 40',
    );
    const o = setup(2, { epochs: 1 });
    o.optimizer.lr = 1e38;
    await expect(fit(o)).rejects.toThrow(/training diverged: the loss is (NaN|Infinity) at epoch 1, minibatch \d+; try a smaller learning rate/);
  });

  it('checks its options', async () => {
    await expect(fit(setup(1, { epochs: 0 }))).rejects.toThrow('fit: epochs must be a positive integer, got 0');
    await expect(fit(setup(1, { batchSize: -5 }))).rejects.toThrow('fit: batchSize must be a positive integer, got -5');
    await expect(fit(setup(1, { schedule: () => NaN }))).rejects.toThrow('fit: the schedule gave learning rate NaN for epoch 1');
  });
});

describe('shiftImagesInPlace', () => {
  it('moves each image by its own draw of dx, dy in [-shift, shift], filling with zeros', () => {
    const h = 5;
    const w = 6;
    const count = 40;
    const pixels = new Float32Array(count * 2 * h * w);
    for (let i = 0; i < pixels.length; i++) pixels[i] = (i % 29) + 1;
    const original = pixels.slice();
    shiftImagesInPlace(pixels, count, 2, h, w, 2, new Random(5));
    const draws = new Random(5);
    const seen = new Set<string>();
    for (let i = 0; i < count; i++) {
      const dy = draws.int(5) - 2;
      const dx = draws.int(5) - 2;
      seen.add(`${dx},${dy}`);
      for (let c = 0; c < 2; c++) {
        for (let y = 0; y < h; y++) {
          for (let x = 0; x < w; x++) {
            const at = ((i * 2 + c) * h + y) * w + x;
            const sy = y - dy;
            const sx = x - dx;
            const want = sy >= 0 && sy < h && sx >= 0 && sx < w ? original[((i * 2 + c) * h + sy) * w + sx]! : 0;
            expect(pixels[at]).toBe(want);
          }
        }
      }
    }
    expect(seen.size).toBeGreaterThan(10);
    const r = new Random(9);
    const state = r.getState();
    const same = original.slice();
    shiftImagesInPlace(same, count, 2, h, w, 0, r);
    expect(same).toEqual(original);
    expect(r.getState()).toEqual(state);
  });
});

describe('evaluate', () => {
  it('counts errors and fills the confusion matrix (rows: true class, columns: predicted)', async () => {
    // A "model" whose logits are the input's first three pixels.
    const model = {
      forward: (x: Tensor) => {
        const n = x.shape[0]!;
        const out = new Float64Array(n * 3);
        for (let i = 0; i < n; i++) for (let j = 0; j < 3; j++) out[i * 3 + j] = x.data[i * 4 + j]!;
        return fromDense(out, [n, 3]);
      },
      backward: (g: Tensor) => g,
      parameters: () => [],
      train: () => {},
      eval: () => {},
    };
    const images = tensor(
      [
        [[[1, 0], [0, 0]]],
        [[[0, 2, 1, 0].slice(0, 2), [1, 0]]],
        [[[0, 0], [3, 0]]],
        [[[5, 5], [5, 0]]],
        [[[0, 1], [0, 0]]],
      ],
      'float64',
    );
    const e = evaluate(model, images, [0, 1, 1, 2, 1], 2);
    // Predictions: 0, 1, 2, 0 (first of the tie), 1.
    expect(Array.from(e.predictions)).toEqual([0, 1, 2, 0, 1]);
    expect(e.correct).toBe(3);
    expect(e.error).toBeCloseTo(2 / 5, 15);
    expect(e.confusion).toEqual([
      [1, 0, 0],
      [0, 2, 1],
      [1, 0, 0],
    ]);
    expect(() => evaluate(model, images, [0, 1], 2)).toThrow('evaluate: 5 images but 2 labels');
    expect(() => evaluate(model, images, [0, 1, 1, 2, 7], 2)).toThrow('evaluate: label 7 at index 4 is not a class 0..2');
  });
});

describe('checkpoint bundles', () => {
  it('keep typed arrays, tensors, non-finite numbers and -0 bit for bit', async () => {
    const w = fromDense(Float32Array.from([1.5, -2.25, Math.fround(0.1), 3]), [2, 2]);
    const view = w.transpose(1, 0);
    const body = {
      a: 1 / 3,
      b: [Infinity, -Infinity, NaN, -0, 0],
      s: 'text',
      t: true,
      n: null,
      f64: Float64Array.from([Math.PI, 1e-300]),
      i32: Int32Array.from([-1, 2 ** 31 - 1]),
      u8: Uint8Array.from([0, 255, 7]),
      tensor: w,
      view,
      nested: { deep: [{ x: Float32Array.from([7]) }] },
      skipped: undefined,
    };
    const back = decodeBundle(encodeBundle(body), 'x') as any;
    expect(back.a).toBe(1 / 3);
    expect(back.b[0]).toBe(Infinity);
    expect(back.b[1]).toBe(-Infinity);
    expect(back.b[2]).toBeNaN();
    expect(Object.is(back.b[3], -0)).toBe(true);
    expect(Object.is(back.b[4], 0)).toBe(true);
    expect([back.s, back.t, back.n]).toEqual(['text', true, null]);
    expect(back.f64).toEqual(body.f64);
    expect(back.i32).toEqual(body.i32);
    expect(back.u8).toEqual(body.u8);
    expect(back.tensor.shape).toEqual([2, 2]);
    expect(Array.from(back.tensor.data)).toEqual(Array.from(w.data));
    expect(Array.from(back.view.data)).toEqual([1.5, Math.fround(0.1), -2.25, 3]);
    expect(back.nested.deep[0].x).toEqual(Float32Array.from([7]));
    expect('skipped' in back).toBe(false);
  });

  it('name the file and the problem when corrupt', async () => {
    const bytes = encodeBundle({ w: new Float64Array(100) });
    expect(() => decodeBundle(bytes.subarray(0, bytes.length - 8), 'c.ckpt')).toThrow(/c\.ckpt: truncated checkpoint: blob 0 ends at byte \d+, file has \d+/);
    expect(() => decodeBundle(Buffer.from('hello world, not a checkpoint'), 'c.ckpt')).toThrow('c.ckpt: not a convlab checkpoint (no CVLBNDL1 magic)');
    const garbled = Uint8Array.from(bytes);
    garbled[14] = 0x7b;
    garbled[15] = 0x7b;
    expect(() => decodeBundle(garbled, 'c.ckpt')).toThrow(/c\.ckpt: corrupt checkpoint header/);
    expect(() => encodeBundle({ f: () => 1 })).toThrow('encodeBundle: cannot store function at body.f');
    expect(() => encodeBundle({ r: new Random(1) })).toThrow('encodeBundle: cannot store a Random at body.r');
    const path = join(scratch, 'not-a-checkpoint');
    writeFileSync(path, 'nope');
    expect(() => readCheckpoint(path)).toThrow(/not-a-checkpoint: not a convlab checkpoint/);
    expect(() => readCheckpoint(join(scratch, 'absent.ckpt'))).toThrow(/absent\.ckpt: no such file/);
    expect(readFileSync(path, 'utf8')).toBe('nope');
  });
});
