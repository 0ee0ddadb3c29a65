import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tensor } from '@convlab/core';
import type { Tensor } from '@convlab/core';
import {
  Conv2d,
  Flatten,
  Linear,
  Random,
  Sequential,
  Tanh,
  lenet5,
  loadMnistTest,
  loadSafetensors,
  loadSafetensorsFile,
  readSafetensorsHeader,
  saveSafetensors,
  saveSafetensorsFile,
} from '@convlab/nn';

import { perturbedLenet } from './perturbed-lenet.js';

const fixture = (name: string) => fileURLToPath(new URL(`../../../fixtures/${name}`, import.meta.url));

/** A safetensors file written by hand in the test, independent of saveSafetensors. */
function file(header: object, data: Uint8Array, headerLength?: number | bigint): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLength ?? json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

function f32(values: number[]): Uint8Array {
  return new Uint8Array(Float32Array.from(values).buffer);
}

/** Linear 2 -> 1 with bias: parameters 0.weight [1, 2] and 0.bias [1]. */
function tiny(): Sequential {
  return new Sequential(new Linear({ inFeatures: 2, outFeatures: 1, init: 'zeros' }));
}

const tinyHeader = {
  '0.weight': { dtype: 'F32', shape: [1, 2], data_offsets: [0, 8] },
  '0.bias': { dtype: 'F32', shape: [1], data_offsets: [8, 12] },
};

function images(n: number, seed: number): Tensor {
  const random = new Random(seed);
  return tensor(Float32Array.from({ length: n * 784 }, () => random.next()), [n, 1, 28, 28]);
}


describe('saveSafetensors', () => {
  it('writes the layout of the spec: u64 LE header length, JSON header, contiguous little-endian tensors in order', () => {
    const model = perturbedLenet();
    const bytes = saveSafetensors(model, { metadata: { epochs: '3' } });
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const n = Number(view.getBigUint64(0, true));
    expect((8 + n) % 8).toBe(0);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as Record<string, any>;
    expect(Object.keys(header)).toEqual(['__metadata__', '0.weight', '0.bias', '3.weight', '3.bias', '7.weight', '7.bias', '9.weight', '9.bias']);
    expect(header.__metadata__.format).toBe('pt');
    expect(header.__metadata__.epochs).toBe('3');
    expect(JSON.parse(header.__metadata__.convlab_architecture)).toEqual(model.config());
    let offset = 0;
    for (const p of model.parameters()) {
      const entry = header[p.name];
      expect(entry).toEqual({ dtype: 'F32', shape: [...p.value.shape], data_offsets: [offset, offset + 4 * p.value.size] });
      for (let i = 0; i < p.value.size; i += 997) expect(view.getFloat32(8 + n + offset + 4 * i, true)).toBe(p.value.data[i]);
      offset += 4 * p.value.size;
    }
    expect(bytes.length).toBe(8 + n + offset);
    expect(offset).toBe(4 * 431080);
  });

  it('round-trips LeNet-5 bit for bit, and float64 models as F64', () => {
    const model = perturbedLenet();
    const loaded = loadSafetensors(saveSafetensors(model));
    expect(loaded.config()).toEqual(model.config());
    const x = images(3, 6);
    expect(Array.from(loaded.forward(x).data)).toEqual(Array.from(model.forward(x).data));

    const random = new Random(2);
    const double = new Sequential(
      new Conv2d({ inChannels: 1, outChannels: 2, kernelSize: 3, dtype: 'float64', random }),
      new Tanh(),
      new Flatten(),
      new Linear({ inFeatures: 8, outFeatures: 3, dtype: 'float64', random }),
    );
    const bytes = saveSafetensors(double);
    expect(readSafetensorsHeader(bytes).tensors.map((t) => t.dtype)).toEqual(['F64', 'F64', 'F64', 'F64']);
    const back = loadSafetensors(bytes);
    back.parameters().forEach((p, i) => expect(Array.from(p.value.data)).toEqual(Array.from(double.parameters()[i]!.value.data)));
  });

  it('loads into a given model, converting F64, F16 and BF16 as torch copy_ does', () => {
    const data = new Uint8Array(8 + 2 * 2 + 2);
    const view = new DataView(data.buffer);
    view.setFloat64(0, 0.1, true); // 0.bias, F64 [1]
    view.setUint16(8, 0x3c00, true); // F16 1
    view.setUint16(10, 0xb555, true); // F16 -0.333251953125
    view.setUint16(12, 0x4049, true); // BF16 3.140625
    const header = {
      '0.bias': { dtype: 'F64', shape: [1], data_offsets: [0, 8] },
      '0.weight': { dtype: 'F16', shape: [1, 2], data_offsets: [8, 12] },
      '1.bias': { dtype: 'BF16', shape: [1], data_offsets: [12, 14] },
    };
    const model = new Sequential(new Linear({ inFeatures: 2, outFeatures: 1, init: 'zeros' }), new Linear({ inFeatures: 1, outFeatures: 1, bias: true, init: 'zeros', dtype: 'float32' }));
    // 1.weight is missing: refused, naming it.
    expect(() => loadSafetensors(file(header, data), { name: 'half.safetensors', into: model })).toThrow(
      'half.safetensors: tensor 1.weight of the model is not in the file',
    );
    const one = new Sequential(new Linear({ inFeatures: 2, outFeatures: 1, init: 'zeros', dtype: 'float64' }));
    const h2 = { '0.bias': header['0.bias'], '0.weight': header['0.weight'] };
    loadSafetensors(file(h2, data.subarray(0, 12)), { into: one });
    expect(Array.from(one.parameters()[0]!.value.data)).toEqual([1, -0.333251953125]);
    expect(Array.from(one.parameters()[1]!.value.data)).toEqual([0.1]);
    const bf = new Sequential(new Linear({ inFeatures: 1, outFeatures: 1, bias: true, init: 'zeros' }));
    const h3 = { '0.bias': { dtype: 'BF16', shape: [1], data_offsets: [0, 2] }, '0.weight': { dtype: 'F32', shape: [1, 1], data_offsets: [2, 6] } };
    loadSafetensors(file(h3, new Uint8Array([0x49, 0x40, ...f32([2.5])])), { into: bf });
    expect(bf.parameters()[1]!.value.data[0]).toBe(3.140625);
    expect(bf.parameters()[0]!.value.data[0]).toBe(2.5);
  });
});

describe('saveSafetensorsFile / loadSafetensorsFile (Node)', () => {
  it('write atomically and read back the same model; a missing file is named', () => {
    const dir = mkdtempSync(join(tmpdir(), 'convlab-safetensors-'));
    try {
      const model = perturbedLenet();
      const path = join(dir, 'lenet5.safetensors');
      saveSafetensorsFile(model, path, { metadata: { note: 'x' } });
      expect(readdirSync(dir)).toEqual(['lenet5.safetensors']);
      expect(Buffer.from(readFileSync(path)).equals(Buffer.from(saveSafetensors(model, { metadata: { note: 'x' } })))).toBe(true);
      const x = images(2, 8);
      expect(Array.from(loadSafetensorsFile(path).forward(x).data)).toEqual(Array.from(model.forward(x).data));
      expect(() => loadSafetensorsFile(join(dir, 'none.safetensors'))).toThrow(`loadSafetensorsFile: ${join(dir, 'none.safetensors')}: no such file`);
      expect(() => loadSafetensorsFile(dir)).toThrow(`loadSafetensorsFile: ${dir}: is a directory, not a safetensors file`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a PyTorch state_dict (fixtures/generate/lenet5_safetensors.py)', () => {
  it('loads into lenet5() and gives the logits PyTorch gave on five MNIST test images', () => {
    const path = fixture('golden/lenet5-torch.safetensors');
    const golden = JSON.parse(readFileSync(fixture('golden/lenet5-torch.json'), 'utf8')) as {
      images: { count: number };
      parameters: Record<string, number[]>;
      logits: { shape: number[]; data: number[] };
    };
    const bytes = new Uint8Array(readFileSync(path));
    const header = readSafetensorsHeader(bytes, path);
    expect(header.metadata).toEqual({ format: 'pt' });
    expect(Object.fromEntries(header.tensors.map((t) => [t.name, t.shape]))).toEqual(golden.parameters);
    // Without a convlab architecture in the file, the model to fill must be given.
    expect(() => loadSafetensors(bytes, { name: path })).toThrow(`${path}: no convlab architecture in __metadata__`);
    const model = loadSafetensors(bytes, { name: path, into: lenet5() });
    const test = loadMnistTest({ dir: fixture('mnist-tiny/plain'), limit: golden.images.count });
    const logits = model.eval().forward(test.images);
    expect(logits.shape).toEqual(golden.logits.shape);
    let worst = 0;
    golden.logits.data.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - logits.data[i]!))));
    expect(worst).toBeLessThan(1e-5);
    // PyTorch's default initialisation gives logits that differ between images and classes.
    expect(Math.max(...golden.logits.data) - Math.min(...golden.logits.data)).toBeGreaterThan(0.1);
  });
});

describe('a convlab safetensors file in PyTorch (fixtures/generate/convlab_safetensors_torch.py)', () => {
  it('PyTorch, rebuilding the network from __metadata__, gave the logits convlab gives', async () => {
    const path = fixture('golden/convlab-small.safetensors');
    const bytes = new Uint8Array(readFileSync(path));
    const golden = JSON.parse(readFileSync(fixture('golden/convlab-small-torch.json'), 'utf8')) as {
      images: { count: number };
      logits: { shape: number[]; data: number[] };
    };
    // The committed file is what saveSafetensors writes for the generator's network, byte for byte.
    const { smallNetwork } = (await import(fixture('generate/convlab_small_safetensors.mjs'))) as { smallNetwork: () => Sequential };
    expect(Buffer.from(saveSafetensors(smallNetwork(), { metadata: { note: 'fixtures/generate/convlab_small_safetensors.mjs' } })).equals(Buffer.from(bytes))).toBe(true);
    const model = loadSafetensors(bytes, { name: path }).eval();
    const test = loadMnistTest({ dir: fixture('mnist-tiny/plain'), limit: golden.images.count });
    const logits = model.forward(test.images);
    expect(logits.shape).toEqual(golden.logits.shape);
    let worst = 0;
    golden.logits.data.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - logits.data[i]!))));
    expect(worst).toBeLessThan(1e-5);
    expect(Math.max(...golden.logits.data) - Math.min(...golden.logits.data)).toBeGreaterThan(0.1);
  });
});

describe('loadSafetensors refuses bad files, naming the file and the tensor', () => {
  const good = file(tinyHeader, f32([1, 2, 3]));
  const load = (bytes: Uint8Array) => () => loadSafetensors(bytes, { name: 'm.safetensors', into: tiny() });

  it('accepts the good file', () => {
    const model = tiny();
    loadSafetensors(good, { into: model });
    expect(Array.from(model.parameters()[0]!.value.data)).toEqual([1, 2]);
    expect(Array.from(model.parameters()[1]!.value.data)).toEqual([3]);
  });

  it('a header length past the end of the file, or beyond 2^32', () => {
    expect(load(file(tinyHeader, f32([1, 2, 3]), 10_000))).toThrow(/^m\.safetensors: .*header length 10000 runs past the end of the file/);
    expect(load(file(tinyHeader, f32([1, 2, 3]), 2n ** 40n))).toThrow(/header length 1099511627776 runs past the end/);
    expect(load(new Uint8Array(5))).toThrow('m.safetensors: not a safetensors file: 5 bytes');
    expect(load(good.subarray(0, good.length - 1))).toThrow(/tensor 0\.bias has data_offsets \[8, 12\], past the end of the data \(11 bytes\)/);
  });

  it('a header that is not JSON, or metadata that is not strings', () => {
    const bytes = file(tinyHeader, f32([1, 2, 3]));
    bytes[9] = 0xff;
    expect(load(bytes)).toThrow('m.safetensors: the safetensors header is not valid UTF-8 JSON');
    expect(load(file({ ...tinyHeader, __metadata__: { epochs: 3 } }, f32([1, 2, 3])))).toThrow('m.safetensors: __metadata__ "epochs" is not a string');
  });

  it('overlapping, gapped or out-of-range offsets', () => {
    const overlap = { '0.weight': { dtype: 'F32', shape: [1, 2], data_offsets: [0, 8] }, '0.bias': { dtype: 'F32', shape: [1], data_offsets: [4, 8] } };
    expect(load(file(overlap, f32([1, 2])))).toThrow('m.safetensors: tensor 0.bias overlaps tensor 0.weight: it starts at byte 4, before 0.weight ends at 8');
    const gap = { '0.weight': { dtype: 'F32', shape: [1, 2], data_offsets: [0, 8] }, '0.bias': { dtype: 'F32', shape: [1], data_offsets: [12, 16] } };
    expect(load(file(gap, f32([1, 2, 0, 3])))).toThrow('m.safetensors: tensor 0.bias starts at byte 12, leaving a gap after byte 8');
    const reversed = { '0.weight': { dtype: 'F32', shape: [1, 2], data_offsets: [8, 0] }, '0.bias': tinyHeader['0.bias'] };
    expect(load(file(reversed, f32([1, 2, 3])))).toThrow('m.safetensors: tensor 0.weight has data_offsets [8,0], not [begin, end]');
    expect(load(file(tinyHeader, f32([1, 2, 3, 4])))).toThrow('m.safetensors: 4 bytes after the last tensor');
  });

  it('an unknown or unsupported dtype, and a size that does not match the shape', () => {
    const unknown = { ...tinyHeader, '0.bias': { dtype: 'F33', shape: [1], data_offsets: [8, 12] } };
    expect(load(file(unknown, f32([1, 2, 3])))).toThrow('m.safetensors: tensor 0.bias has an unknown dtype "F33"');
    const ints = { ...tinyHeader, '0.bias': { dtype: 'I32', shape: [1], data_offsets: [8, 12] } };
    expect(load(file(ints, f32([1, 2, 3])))).toThrow('m.safetensors: tensor 0.bias has dtype I32; convlab reads F16, BF16, F32 and F64');
    const size = { ...tinyHeader, '0.bias': { dtype: 'F64', shape: [1], data_offsets: [8, 12] } };
    expect(load(file(size, f32([1, 2, 3])))).toThrow('m.safetensors: tensor 0.bias has data_offsets [8, 12] (4 bytes) but its F64 [1] needs 8');
    // A huge shape is refused from the header alone, before anything is allocated.
    const huge = { ...tinyHeader, '0.bias': { dtype: 'F32', shape: [2 ** 26, 2 ** 26], data_offsets: [8, 12] } };
    expect(load(file(huge, f32([1, 2, 3])))).toThrow('m.safetensors: tensor 0.bias has shape [67108864, 67108864], more than the file');
  });

  it('tensors that do not match the architecture', () => {
    const shape = { '0.weight': { dtype: 'F32', shape: [2, 1], data_offsets: [0, 8] }, '0.bias': tinyHeader['0.bias'] };
    expect(load(file(shape, f32([1, 2, 3])))).toThrow("m.safetensors: tensor 0.weight has shape [2, 1] but the model's 0.weight is [1, 2]");
    const extra = { ...tinyHeader, '1.weight': { dtype: 'F32', shape: [1], data_offsets: [12, 16] } };
    expect(load(file(extra, f32([1, 2, 3, 4])))).toThrow('m.safetensors: tensor 1.weight in the file is not a parameter of the model');
    const renamed = { 'fc.weight': tinyHeader['0.weight'], '0.bias': tinyHeader['0.bias'] };
    expect(load(file(renamed, f32([1, 2, 3])))).toThrow('m.safetensors: tensor 0.weight of the model is not in the file (it holds fc.weight, 0.bias)');
  });

  it('a file without an architecture, or with a bad one, when no model is given', () => {
    expect(() => loadSafetensors(good, { name: 'torch.safetensors' })).toThrow(
      'torch.safetensors: no convlab architecture in __metadata__ (a PyTorch state_dict?)',
    );
    // An architecture that declares more than the file stores is refused before any layer is built.
    const huge = JSON.stringify({ type: 'Sequential', layers: [{ type: 'Linear', inFeatures: 40000, outFeatures: 40000 }] });
    expect(() => loadSafetensors(file({ ...tinyHeader, __metadata__: { convlab_architecture: huge } }, f32([1, 2, 3])), { name: 'big.safetensors' })).toThrow(
      'big.safetensors: the architecture declares 0.weight [40000, 40000], the file stores [1, 2]',
    );
    const bad = file({ ...tinyHeader, __metadata__: { convlab_architecture: '{"type":"Linear2"}' } }, f32([1, 2, 3]));
    expect(() => loadSafetensors(bad, { name: 'x.safetensors' })).toThrow('x.safetensors: bad architecture in __metadata__.convlab_architecture: unknown layer type "Linear2"');
  });
});
