import { dtypeOf } from '@convlab/core';
import type { FloatArray } from '@convlab/core';
import { asciiText } from './bytes.js';
import { checkDeclaredSizes } from './declared-sizes.js';
import { layerFromConfig } from './layers/from-config.js';
import { Sequential } from './layers/sequential.js';
import { BYTES, LITTLE_ENDIAN, MODEL_MAGIC, MODEL_VERSION, PREAMBLE, align8, type ModelHeader } from './model-file-format.js';

/* Reading a model file (the format: model-file-format.ts; writing: model-writer.ts). */

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
