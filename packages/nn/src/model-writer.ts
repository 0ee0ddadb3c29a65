import { dtypeOf, optionsObject } from '@convlab/core';
import type { FloatArray } from '@convlab/core';
import { asciiBytes } from './bytes.js';
import { fileWriter } from './file-access.js';
import type { Json } from './layers/layer.js';
import type { Sequential } from './layers/sequential.js';
import { BYTES, LITTLE_ENDIAN, MODEL_MAGIC, MODEL_VERSION, PREAMBLE, align8, type ModelHeader, type TensorEntry } from './model-file-format.js';

/*
 * Writing a model file (the format: model-file-format.ts). Reading is serialize.ts, which builds
 * layers from their configs; this side needs no layer class, so Sequential.save can use it
 * without an import circle.
 */

export interface SaveExtras {
  /** Free-form JSON stored in the header, returned by `readModelHeader`. */
  meta?: { [key: string]: Json };
}

/** The model's architecture and weights as the bytes of a model file. */
export function serializeModel(model: Sequential, extrasIn: SaveExtras | null = {}): Uint8Array {
  const extras = optionsObject(extrasIn, 'serializeModel');
  // Sequential is checked by its config, not by class: this file is what Sequential.save calls.
  if (typeof model?.config !== 'function' || model.config().type !== 'Sequential') {
    throw new Error('serializeModel: the model must be a Sequential (wrap a single layer in one)');
  }
  const params = model.parameters();
  const tensors: TensorEntry[] = [];
  let offset = 0;
  for (const p of params) {
    const dtype = dtypeOf(p.value);
    tensors.push({ name: p.name, dtype, shape: [...p.value.shape], offset });
    offset += align8(p.value.size * BYTES[dtype]);
  }
  const header: ModelHeader = {
    format: 'convlab-model',
    version: MODEL_VERSION,
    architecture: model.config(),
    tensors,
    dataLength: offset,
    ...(extras.meta ? { meta: extras.meta } : {}),
  };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const dataStart = align8(PREAMBLE + json.length);
  const out = new Uint8Array(dataStart + offset);
  out.set(asciiBytes(MODEL_MAGIC), 0);
  const view = new DataView(out.buffer);
  view.setUint32(8, MODEL_VERSION, true);
  view.setUint32(12, json.length, true);
  out.set(json, PREAMBLE);
  params.forEach((p, i) => writeValues(out, dataStart + tensors[i]!.offset, denseValues(p.value.data, p.value.size, p.name)));
  return out;
}

/** Writes `model` to `path` atomically (Node; `model.save(path)` calls this). */
export function writeModelFile(model: Sequential, path: string, extras?: SaveExtras): void {
  const write = fileWriter('saveModel', 'serializeModel(model) for the bytes of the model file');
  const bytes = serializeModel(model, extras);
  try {
    write(path, bytes);
  } catch (error) {
    throw new Error(`saveModel: ${(error as Error).message}`);
  }
}

function denseValues(data: FloatArray, size: number, name: string): FloatArray {
  if (data.length !== size) throw new Error(`serializeModel: parameter ${name} is not a contiguous tensor`);
  return data;
}

/** Copies `values` into `out` at `at` as little-endian bytes. */
function writeValues(out: Uint8Array, at: number, values: FloatArray): void {
  if (LITTLE_ENDIAN) {
    out.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), at);
    return;
  }
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  const step = values.BYTES_PER_ELEMENT;
  for (let i = 0; i < values.length; i++) {
    if (step === 4) view.setFloat32(at + 4 * i, values[i]!, true);
    else view.setFloat64(at + 8 * i, values[i]!, true);
  }
}
