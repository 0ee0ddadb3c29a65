import { dtypeOf, optionsObject } from '@convlab/core';
import type { Dtype, FloatArray } from '@convlab/core';
import { asciiBytes, asciiText } from './bytes.js';
import { checkDeclaredSizes } from './declared-sizes.js';
import { fileWriter } from './file-access.js';
import { layerFromConfig } from './layers/from-config.js';
import type { Json, LayerConfig } from './layers/layer.js';
import { Sequential } from './layers/sequential.js';

/**
 * The model file (docs/model-format.md): one file holding the architecture (every layer's
 * constructor options) and the weights, bit for bit. All integers little-endian:
 *
 *   8 bytes   magic, ASCII "CVLMODEL"
 *   4 bytes   format version (1)
 *   4 bytes   n, the byte length of the header
 *   n bytes   header, UTF-8 JSON (ModelHeader)
 *   padding   zero bytes up to a multiple of 8 from the start of the file
 *   data      each parameter's raw little-endian float32/float64 values at its `offset`
 *             (counted from the start of the data, a multiple of 8), `dataLength` bytes in all;
 *             the file ends there.
 */
export const MODEL_MAGIC = 'CVLMODEL';
export const MODEL_VERSION = 1;
const PREAMBLE = 16;

export interface TensorEntry {
  /** The parameter's name in `model.parameters()`, e.g. `0.weight`. */
  name: string;
  dtype: Dtype;
  shape: number[];
  /** Byte offset from the start of the data section (a multiple of 8). */
  offset: number;
}

export interface ModelHeader {
  format: 'convlab-model';
  version: number;
  /** `model.config()`: `{ type: 'Sequential', layers: [{ type: 'Conv2d', ... }, ...] }`. */
  architecture: LayerConfig;
  /** One entry per parameter, in `model.parameters()` order. */
  tensors: TensorEntry[];
  /** Bytes in the data section. */
  dataLength: number;
  /** Free-form JSON the caller stored (e.g. how the model was trained). */
  meta?: { [key: string]: Json };
}

export interface SaveExtras {
  /** Free-form JSON stored in the header, returned by `readModelHeader`. */
  meta?: { [key: string]: Json };
}

const BYTES: Record<Dtype, number> = { float32: 4, float64: 8 };
/** Typed arrays use the platform's byte order; the file's is little-endian. */
const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

function align8(n: number): number {
  return Math.ceil(n / 8) * 8;
}

/** The model's architecture and weights as the bytes of a model file. */
export function serializeModel(model: Sequential, extrasIn: SaveExtras | null = {}): Uint8Array {
  const extras = optionsObject(extrasIn, 'serializeModel');
  if (!(model instanceof Sequential)) throw new Error('serializeModel: the model must be a Sequential (wrap a single layer in one)');
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

/** A model rebuilt from the bytes of a model file; `name` (the file) prefixes every error message. */
export function deserializeModel(input: Uint8Array | ArrayBuffer, name = 'model'): Sequential {
  const bytes = bytesOf(input, name);
  const { header, dataStart } = parseHeader(bytes, name);
  checkDeclaredSizes(header, name);
  let model: Sequential;
  try {
    const built = layerFromConfig(header.architecture);
    if (!(built instanceof Sequential)) throw new Error(`the architecture is a ${header.architecture.type}, not a Sequential`);
    model = built;
  } catch (error) {
    throw new Error(`${name}: bad architecture: ${(error as Error).message}`);
  }
  const params = model.parameters();
  if (params.length !== header.tensors.length) {
    throw new Error(`${name}: the architecture has ${params.length} parameters but the file stores ${header.tensors.length}`);
  }
  params.forEach((p, i) => {
    const t = header.tensors[i]!;
    const want = p.value.shape;
    if (t.name !== p.name || t.dtype !== dtypeOf(p.value) || t.shape.length !== want.length || t.shape.some((d, k) => d !== want[k])) {
      throw new Error(
        `${name}: parameter ${i} is stored as ${t.name} ${t.dtype} [${t.shape.join(', ')}] but the architecture has ` +
          `${p.name} ${dtypeOf(p.value)} [${want.join(', ')}]`,
      );
    }
    readValues(bytes, dataStart + t.offset, p.value.data);
  });
  return model;
}

/** The header of a model file (architecture, parameter table, meta), validated, without building the model. */
export function readModelHeader(input: Uint8Array | ArrayBuffer, name = 'model'): ModelHeader {
  return parseHeader(bytesOf(input, name), name).header;
}

/** A model file's bytes as a Uint8Array (a fetched file's ArrayBuffer is viewed, not copied). */
function bytesOf(input: Uint8Array | ArrayBuffer, name: string): Uint8Array {
  if (input instanceof Uint8Array) return input;
  if (input instanceof ArrayBuffer) return new Uint8Array(input);
  throw new Error(`${name}: expected the bytes of a model file (a Uint8Array or an ArrayBuffer)`);
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

function parseHeader(bytes: Uint8Array, name: string): { header: ModelHeader; dataStart: number } {
  const magic = asciiText(bytes.subarray(0, 8));
  if (bytes.length < PREAMBLE || magic !== MODEL_MAGIC) {
    const hint = magic === 'CVLBNDL1' ? ' (it is a convlab bundle, e.g. a training checkpoint)' : '';
    throw new Error(`${name}: not a convlab model file: it does not start with "${MODEL_MAGIC}"${hint}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(8, true);
  if (version !== MODEL_VERSION) {
    throw new Error(`${name}: model format version ${version} is not supported (this build reads version ${MODEL_VERSION})`);
  }
  const headerLength = view.getUint32(12, true);
  if (PREAMBLE + headerLength > bytes.length) {
    throw new Error(`${name}: truncated: the header is ${headerLength} bytes but only ${bytes.length - PREAMBLE} follow the preamble`);
  }
  let header: ModelHeader;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(PREAMBLE, PREAMBLE + headerLength))) as ModelHeader;
  } catch (error) {
    throw new Error(`${name}: the header is not valid JSON: ${(error as Error).message}`);
  }
  checkHeader(header, name);
  const dataStart = align8(PREAMBLE + headerLength);
  const expected = dataStart + header.dataLength;
  if (bytes.length < expected) {
    throw new Error(`${name}: truncated: the header promises ${header.dataLength} bytes of weights, the file holds ${Math.max(0, bytes.length - dataStart)}`);
  }
  if (bytes.length > expected) {
    throw new Error(`${name}: ${bytes.length - expected} unexpected bytes after the weights (the file should be ${expected} bytes)`);
  }
  return { header, dataStart };
}

function checkHeader(header: ModelHeader, name: string): void {
  const bad = (what: string): never => {
    throw new Error(`${name}: bad header: ${what}`);
  };
  if (!header || typeof header !== 'object' || header.format !== 'convlab-model') bad('format is not "convlab-model"');
  if (!header.architecture || typeof header.architecture !== 'object' || typeof header.architecture.type !== 'string') {
    bad('no architecture');
  }
  if (!Number.isInteger(header.dataLength) || header.dataLength < 0) bad(`dataLength ${JSON.stringify(header.dataLength)}`);
  if (!Array.isArray(header.tensors)) bad('no tensor table');
  let end = 0;
  header.tensors.forEach((t, i) => {
    const label = `tensor ${i} (${t?.name})`;
    if (!t || typeof t.name !== 'string') bad(`tensor ${i} has no name`);
    if (t.dtype !== 'float32' && t.dtype !== 'float64') bad(`${label} has dtype ${JSON.stringify(t.dtype)}`);
    if (!Array.isArray(t.shape) || !t.shape.every((d) => Number.isInteger(d) && d >= 0)) bad(`${label} has shape ${JSON.stringify(t.shape)}`);
    if (!Number.isInteger(t.offset) || t.offset % 8 !== 0 || t.offset < end) bad(`${label} has offset ${JSON.stringify(t.offset)}`);
    end = t.offset + t.shape.reduce((a, d) => a * d, 1) * BYTES[t.dtype];
    if (end > header.dataLength) bad(`${label} ends at byte ${end}, past dataLength ${header.dataLength}`);
  });
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

/** Fills `into` from the little-endian bytes at `at`. */
function readValues(bytes: Uint8Array, at: number, into: FloatArray): void {
  if (LITTLE_ENDIAN) {
    new Uint8Array(into.buffer, into.byteOffset, into.byteLength).set(bytes.subarray(at, at + into.byteLength));
    return;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const step = into.BYTES_PER_ELEMENT;
  for (let i = 0; i < into.length; i++) into[i] = step === 4 ? view.getFloat32(at + 4 * i, true) : view.getFloat64(at + 8 * i, true);
}
