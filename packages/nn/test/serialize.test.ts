import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tensor } from '@convlab/core';
import type { Tensor } from '@convlab/core';
import {
  AvgPool2d,
  Conv2d,
  Dropout,
  Flatten,
  Linear,
  MODEL_MAGIC,
  Random,
  ReLU,
  Sequential,
  Sigmoid,
  deepCnn,
  defaultRandom,
  deserializeModel,
  lenet5,
  loadModel,
  readModelHeader,
  serializeModel,
} from '@convlab/nn';

const dir = mkdtempSync(join(tmpdir(), 'convlab-model-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function images(n: number, seed: number): Tensor {
  const random = new Random(seed);
  return tensor(Float32Array.from({ length: n * 784 }, () => random.next()), [n, 1, 28, 28]);
}

function bits(t: Tensor): Buffer {
  return Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);
}

/** A LeNet-5 whose every weight is non-zero (its softmax layer starts at zero). */
function trainedLookingLenet(): Sequential {
  const model = lenet5({ seed: 4 });
  const random = new Random(5);
  for (const p of model.parameters()) for (let i = 0; i < p.value.size; i++) p.value.data[i] += random.uniform(-0.01, 0.01);
  return model;
}

describe('model files', () => {
  it('save then load predicts bit for bit the same, for LeNet-5', () => {
    const model = trainedLookingLenet();
    const path = join(dir, 'lenet5.cvlm');
    model.save(path, { meta: { epochs: 3, note: 'test' } });
    const loaded = loadModel(path);
    expect(loaded.config()).toEqual(model.config());
    const x = images(4, 6);
    expect(bits(loaded.forward(x)).equals(bits(model.forward(x)))).toBe(true);
    loaded.parameters().forEach((p, i) => expect(bits(p.value).equals(bits(model.parameters()[i]!.value)), p.name).toBe(true));
    expect(readModelHeader(readFileSync(path), path).meta).toEqual({ epochs: 3, note: 'test' });
    // No temporary file is left beside it.
    expect(readdirSync(dir)).toEqual(['lenet5.cvlm']);
  });

  it('round-trips every layer type, float64 and float32, through a Buffer', () => {
    const random = new Random(1);
    const model = new Sequential(
      new Conv2d({ inChannels: 1, outChannels: 4, kernelSize: [3, 2], stride: [1, 2], padding: [1, 0], dilation: 1, groups: 1, method: 'direct', dtype: 'float64', random }),
      new Sigmoid(),
      new AvgPool2d({ kernelSize: 2, stride: 1, countIncludePad: false }),
      new Sequential(new Flatten(), new Dropout({ p: 0.2 })),
      new Linear({ inFeatures: 4 * 9 * 2, outFeatures: 5, bias: false, dtype: 'float64', random }),
      new ReLU(),
    ).eval();
    const bytes = serializeModel(model);
    const loaded = deserializeModel(bytes, 'buffer').eval();
    // An ArrayBuffer (a fetched file's) loads the same; anything else is named.
    const fromArrayBuffer = deserializeModel(bytes.slice().buffer, 'fetched').eval();
    expect(Buffer.from(serializeModel(fromArrayBuffer)).equals(Buffer.from(bytes))).toBe(true);
    expect(() => deserializeModel([1, 2, 3] as never, 'array')).toThrow('array: expected the bytes of a model file (a Uint8Array or an ArrayBuffer)');
    expect(loaded.config()).toEqual(model.config());
    const x = tensor(Float64Array.from({ length: 2 * 10 * 6 }, () => random.uniform(-1, 1)), [2, 1, 10, 6]);
    expect(bits(loaded.forward(x)).equals(bits(model.forward(x)))).toBe(true);
    const deep = deepCnn({ seed: 2 });
    expect(Buffer.from(serializeModel(deserializeModel(serializeModel(deep)))).equals(Buffer.from(serializeModel(deep)))).toBe(true);
  });

  it('has the documented layout: magic, version, header length, JSON header, 8-aligned little-endian data', () => {
    const model = new Sequential(new Linear({ inFeatures: 3, outFeatures: 2, random: new Random(1) }));
    const raw = serializeModel(model);
    // A plain Uint8Array in every runtime (no Node Buffer), read here through one.
    expect(Object.getPrototypeOf(raw)).toBe(Uint8Array.prototype);
    const bytes = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
    expect(bytes.subarray(0, 8).toString('latin1')).toBe(MODEL_MAGIC);
    expect(bytes.readUInt32LE(8)).toBe(1);
    const n = bytes.readUInt32LE(12);
    const header = JSON.parse(bytes.subarray(16, 16 + n).toString('utf8'));
    expect(header).toEqual({
      format: 'convlab-model',
      version: 1,
      architecture: { type: 'Sequential', layers: [{ type: 'Linear', inFeatures: 3, outFeatures: 2, bias: true, dtype: 'float32' }] },
      tensors: [
        { name: '0.weight', dtype: 'float32', shape: [2, 3], offset: 0 },
        { name: '0.bias', dtype: 'float32', shape: [2], offset: 24 },
      ],
      dataLength: 32,
    });
    const start = Math.ceil((16 + n) / 8) * 8;
    expect(bytes.length).toBe(start + 32);
    const w = model.parameters()[0]!.value.data;
    for (let i = 0; i < 6; i++) expect(bytes.readFloatLE(start + 4 * i)).toBe(w[i]);
  });

  it('loading draws nothing from any generator and leaves the default one alone', () => {
    const bytes = serializeModel(lenet5());
    const before = defaultRandom().getState();
    deserializeModel(bytes);
    expect(defaultRandom().getState()).toEqual(before);
  });
});

describe('model file errors name the file and the problem', () => {
  const good = Buffer.from(serializeModel(new Sequential(new Conv2d({ inChannels: 1, outChannels: 2, kernelSize: 3, random: new Random(1) }), new Flatten())));
  const write = (name: string, bytes: Uint8Array) => {
    const path = join(dir, name);
    writeFileSync(path, bytes);
    return path;
  };
  const withHeader = (edit: (h: any) => void): Buffer => {
    const n = good.readUInt32LE(12);
    const header = JSON.parse(good.subarray(16, 16 + n).toString('utf8'));
    edit(header);
    const json = Buffer.from(JSON.stringify(header));
    const start = Math.ceil((16 + json.length) / 8) * 8;
    const out = Buffer.alloc(start + header.dataLength);
    good.copy(out, 0, 0, 16);
    out.writeUInt32LE(json.length, 12);
    json.copy(out, 16);
    const oldStart = Math.ceil((16 + n) / 8) * 8;
    good.copy(out, start, oldStart, oldStart + Math.min(header.dataLength, good.length - oldStart));
    return out;
  };

  it('missing file, directory, not a model, truncated, trailing bytes, bad version', () => {
    expect(() => loadModel(join(dir, 'nope.cvlm'))).toThrow(/loadModel: .*nope.cvlm: no such file/);
    expect(() => loadModel(dir)).toThrow(/loadModel: .*: is a directory, not a model file/);
    const text = write('text.cvlm', Buffer.from('hello world, not a model'));
    expect(() => loadModel(text)).toThrow(new RegExp(`${text}: not a convlab model file: it does not start with "CVLMODEL"`));
    expect(() => deserializeModel(Buffer.from('CVLBNDL1\0\0\0\0'), 'ckpt')).toThrow(/ckpt: not a convlab model file.*a convlab bundle, e.g. a training checkpoint/);
    const truncated = write('truncated.cvlm', good.subarray(0, good.length - 5));
    expect(() => loadModel(truncated)).toThrow(new RegExp(`${truncated}: truncated: the header promises 80 bytes of weights, the file holds 75`));
    expect(() => deserializeModel(good.subarray(0, 30), 'short')).toThrow(/short: truncated: the header is \d+ bytes but only 14 follow the preamble/);
    expect(() => deserializeModel(Buffer.concat([good, Buffer.alloc(3)]), 'long')).toThrow(/long: 3 unexpected bytes after the weights/);
    const v2 = Buffer.from(good);
    v2.writeUInt32LE(2, 8);
    expect(() => deserializeModel(v2, 'v2')).toThrow(/v2: model format version 2 is not supported \(this build reads version 1\)/);
  });

  it('bad header: JSON, unknown layer, shapes that do not match the architecture, overlapping tensors', () => {
    const garbled = Buffer.from(good);
    garbled.write('{{{', 16, 'latin1');
    expect(() => deserializeModel(garbled, 'g')).toThrow(/g: the header is not valid JSON/);
    expect(() => deserializeModel(withHeader((h) => (h.architecture.layers[0].type = 'Conv3d')), 'm')).toThrow(/m: bad architecture: unknown layer type "Conv3d"/);
    expect(() => deserializeModel(withHeader((h) => (h.architecture.layers[0].kernelSize = 0)), 'm')).toThrow(/m: bad architecture: Conv2d: kernelSize must be a positive integer/);
    expect(() =>
      deserializeModel(
        withHeader((h) => {
          h.architecture.layers[0].outChannels = 3;
        }),
        'm',
      ),
    ).toThrow('m: the architecture declares 0.weight [3, 1, 3, 3], the file stores [2, 1, 3, 3]');
    // The same mismatch in the dtype, which the declared sizes do not say, is found once the layer is built.
    expect(() => deserializeModel(withHeader((h) => (h.architecture.layers[0].dtype = 'float64')), 'm')).toThrow(
      /m: parameter 0 is stored as 0.weight float32 \[2, 1, 3, 3\] but the architecture has 0.weight float64 \[2, 1, 3, 3\]/,
    );
    expect(() => deserializeModel(withHeader((h) => (h.tensors[1].offset = 0)), 'm')).toThrow(/m: bad header: tensor 1 \(0.bias\) has offset 0/);
    expect(() => deserializeModel(withHeader((h) => (h.tensors[0].dtype = 'int8')), 'm')).toThrow(/m: bad header: tensor 0 \(0.weight\) has dtype "int8"/);
    expect(() => deserializeModel(withHeader((h) => h.tensors.pop()), 'm')).toThrow('m: the architecture declares 0.bias [2], which the file does not store');
  });

  it('only a Sequential is written: a bare layer or another object is refused in one line', () => {
    const message = 'serializeModel: the model must be a Sequential (wrap a single layer in one)';
    expect(() => serializeModel(new Linear({ inFeatures: 2, outFeatures: 1 }) as unknown as Sequential)).toThrow(message);
    expect(() => serializeModel({} as Sequential)).toThrow(message);
    expect(() => serializeModel(null as unknown as Sequential)).toThrow(message);
  });

  it('a failed save leaves the existing file untouched', () => {
    const path = join(dir, 'keep.cvlm');
    writeFileSync(path, 'precious');
    const model = new Sequential(new Linear({ inFeatures: 2, outFeatures: 2 }));
    expect(() => model.save(join(path, 'child.cvlm'))).toThrow(/^saveModel: .*child\.cvlm: cannot write: E[A-Z]+: /);
    expect(readFileSync(path, 'utf8')).toBe('precious');
    expect(existsSync(join(dir, 'keep.cvlm'))).toBe(true);
  });
});
