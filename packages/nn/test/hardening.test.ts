import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import ndarray from 'ndarray';
import { DEFAULT_MAX_BUFFER_BYTES, setMaxBufferBytes } from '@convlab/core';
import {
  Conv2d,
  Flatten,
  Linear,
  MAX_SEED,
  Random,
  Sequential,
  deserializeModel,
  encodeIdx,
  loadMnist,
  serializeModel,
  writeFileAtomic,
} from '@convlab/nn';

const dir = mkdtempSync(join(tmpdir(), 'convlab-nn-hardening-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('seeds', () => {
  it('takes every integer in [0, 2^32 - 1] as a distinct seed', () => {
    expect(MAX_SEED).toBe(4294967295);
    const first = (seed: number) => new Random(seed).nextUint32();
    expect(first(MAX_SEED)).not.toBe(first(0));
    expect(first(MAX_SEED)).not.toBe(first(MAX_SEED - 1));
  });

  it.each([
    [2 ** 32, '4294967296'],
    [-1, '-1'],
    [0.5, '0.5'],
    [Number.NaN, 'NaN'],
    [Number.POSITIVE_INFINITY, 'Infinity'],
    ['7', '"7"'],
  ])('refuses %s (it would stand for another seed)', (seed, shown) => {
    expect(() => new Random(seed as number)).toThrow(RangeError);
    expect(() => new Random(seed as number)).toThrow(`Random: seed must be an integer in [0, 4294967295], got ${shown}`);
  });
});

describe('model files are checked before any layer is built', () => {
  /** The bytes of `model` with its header's architecture changed by `edit`, the data kept where it was. */
  function forged(edit: (architecture: any) => void): Uint8Array {
    const bytes = Buffer.from(serializeModel(new Sequential(new Flatten(), new Linear({ inFeatures: 784, outFeatures: 10 })), { meta: { room: 'x'.repeat(200) } }));
    const length = bytes.readUInt32LE(12);
    const header = JSON.parse(bytes.subarray(16, 16 + length).toString('utf8'));
    delete header.meta;
    edit(header.architecture);
    const out = Buffer.from(bytes);
    out.fill(0x20, 16, 16 + length);
    Buffer.from(JSON.stringify(header)).copy(out, 16);
    return out;
  }

  it('a 31 KB file declaring a 40000x40000 Linear fails on its header, allocating nothing', () => {
    const bytes = forged((a) => {
      a.layers[1].inFeatures = 40000;
      a.layers[1].outFeatures = 40000;
    });
    expect(bytes.length).toBeLessThan(32_000);
    // A limit far below 6.4 GB shows no weight buffer was ever asked for: the size check came first.
    setMaxBufferBytes(1_000_000);
    try {
      expect(() => deserializeModel(bytes, 'bomb.cvlm')).toThrow('bomb.cvlm: the architecture declares 1.weight [40000, 40000], the file stores [10, 784]');
    } finally {
      setMaxBufferBytes(DEFAULT_MAX_BUFFER_BYTES);
    }
  });

  it('a declared layer the tensor table lacks is named', () => {
    const bytes = forged((a) => a.layers.push({ type: 'Conv2d', inChannels: 1, outChannels: 5000, kernelSize: 300 }));
    expect(() => deserializeModel(bytes, 'm')).toThrow('m: the architecture declares 2.weight [5000, 1, 300, 300], which the file does not store');
  });

  it('a layer built from options past the limit fails on its size, naming the layer', () => {
    expect(() => new Linear({ inFeatures: 40000, outFeatures: 40000 })).toThrow(
      'Linear: weight [40000, 40000] float32 needs 6.40 GB, over the 2.15 GB limit of one buffer (setMaxBufferBytes)',
    );
    // A batch of 400,000 images as a view over one pixel: the layer sizes its output before reading any.
    const conv = new Conv2d({ inChannels: 1, outChannels: 50, kernelSize: 5, padding: 2 });
    const batch = ndarray(new Float32Array(1), [400_000, 1, 28, 28], [0, 0, 0, 0], 0);
    expect(() => conv.forward(batch)).toThrow('Conv2d: output [400000, 50, 28, 28] float32 needs 62.7 GB, over the 2.15 GB limit of one buffer (setMaxBufferBytes)');
  });
});

describe('MNIST files', () => {
  it('images that are not 28x28 are refused, naming the file', () => {
    const small = join(dir, 'mnist-14');
    mkdirSync(small);
    writeFileSync(join(small, 'train-images-idx3-ubyte'), encodeIdx([12, 14, 14], new Uint8Array(12 * 196)));
    writeFileSync(join(small, 'train-labels-idx1-ubyte'), encodeIdx([12], new Uint8Array(12)));
    writeFileSync(join(small, 't10k-images-idx3-ubyte'), encodeIdx([2, 28, 28], new Uint8Array(2 * 784)));
    writeFileSync(join(small, 't10k-labels-idx1-ubyte'), encodeIdx([2], new Uint8Array(2)));
    expect(() => loadMnist({ dir: small })).toThrow(`${join(small, 'train-images-idx3-ubyte')}: images are 14x14; MNIST images are 28x28`);
  });
});

describe('writeFileAtomic', () => {
  it('names the file it was asked to write, not its temporary file, and keeps the system code', () => {
    writeFileSync(join(dir, 'plain-file'), 'keep');
    const target = join(dir, 'plain-file', 'model.cvlm');
    let error: (Error & { code?: string }) | undefined;
    try {
      writeFileAtomic(target, 'data');
    } catch (e) {
      error = e as Error & { code?: string };
    }
    expect(error?.message).toMatch(new RegExp(`^${target.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: cannot write: E[A-Z]+: [a-z ]+$`));
    expect(error?.message).not.toContain('.tmp');
    expect(error?.code).toMatch(/^E[A-Z]+$/);
    expect(readFileSync(join(dir, 'plain-file'), 'utf8')).toBe('keep');
  });
});
