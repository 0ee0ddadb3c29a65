import { dense, dtypeOf, isContiguous } from '@convlab/core';
import type { FloatArray } from '@convlab/core';
import { checkDeclaredSizes } from './declared-sizes.js';
import { layerFromConfig } from './layers/from-config.js';
import type { LayerConfig } from './layers/layer.js';
import { Sequential } from './layers/sequential.js';

/**
 * The safetensors format (the one PyTorch users exchange weights in), bytes in and bytes out:
 *
 *   8 bytes   n, the header's byte length, an unsigned 64-bit little-endian integer
 *   n bytes   the header, UTF-8 JSON: { "<name>": { "dtype": "F32", "shape": [..],
 *             "data_offsets": [begin, end] }, ..., "__metadata__": { string: string } }
 *   the rest  the byte buffer: every tensor's little-endian row-major values, contiguous, at
 *             [begin, end) counted from the buffer's start, with no gaps; the file ends there.
 *
 * convlab writes the parameters in `model.parameters()` order under their PyTorch-style names
 * (`0.weight`, ...), pads the header with spaces so the buffer starts at a multiple of 8 (as the
 * reference writer does), and stores the architecture, `model.config()` as JSON, in
 * `__metadata__.convlab_architecture`. docs/model-format.md has the details.
 */
export const SAFETENSORS_ARCHITECTURE_KEY = 'convlab_architecture';

/** The reference library refuses a header longer than this; so does this reader, before decoding it. */
const MAX_HEADER_BYTES = 100_000_000;

/** Bytes per element of every dtype the format defines; the ones convlab reads are in DECODERS. */
const DTYPE_BYTES: Readonly<Record<string, number>> = {
  BOOL: 1, U8: 1, I8: 1, F8_E5M2: 1, F8_E4M3: 1, I16: 2, U16: 2, F16: 2, BF16: 2,
  I32: 4, U32: 4, F32: 4, I64: 8, U64: 8, F64: 8,
};

/** One tensor of a safetensors header, after checking. */
export interface SafetensorsEntry {
  name: string;
  dtype: string;
  shape: number[];
  /** Byte range in the buffer that follows the header. */
  begin: number;
  end: number;
}

/** A parsed and checked safetensors file: its tensors in buffer order and its metadata. */
export interface SafetensorsHeader {
  tensors: SafetensorsEntry[];
  metadata: Record<string, string>;
  /** Where the byte buffer starts in the file. */
  dataStart: number;
}

export interface SafetensorsSaveOptions {
  /** More `__metadata__` entries (strings), e.g. how the model was trained. */
  metadata?: Record<string, string>;
}

export interface SafetensorsLoadOptions {
  /** The file's name, which starts every error message (default "safetensors"). */
  name?: string;
  /**
   * Load the weights into this model instead of building one from `__metadata__`, as PyTorch's
   * `load_state_dict` does: every parameter must be in the file under its name with its shape, and
   * the file may hold nothing else. F16, BF16, F32 and F64 values are converted to the model's dtype.
   */
  into?: Sequential;
}

/** The model's weights and architecture as the bytes of a safetensors file. */
export function saveSafetensors(model: Sequential, options: SafetensorsSaveOptions = {}): Uint8Array {
  if (!(model instanceof Sequential)) throw new Error('saveSafetensors: the model must be a Sequential (wrap a single layer in one)');
  const params = model.parameters();
  const header: Record<string, unknown> = {};
  const metadata: Record<string, string> = { format: 'pt', ...options.metadata, [SAFETENSORS_ARCHITECTURE_KEY]: JSON.stringify(model.config()) };
  for (const [key, value] of Object.entries(metadata)) {
    if (typeof value !== 'string') throw new Error(`saveSafetensors: metadata ${JSON.stringify(key)} must be a string, got ${typeof value}`);
  }
  header.__metadata__ = metadata;
  const values: FloatArray[] = [];
  let offset = 0;
  for (const p of params) {
    const data = dense(p.value).data;
    const dtype = dtypeOf(p.value) === 'float64' ? 'F64' : 'F32';
    header[p.name] = { dtype, shape: [...p.value.shape], data_offsets: [offset, offset + data.byteLength] };
    values.push(data);
    offset += data.byteLength;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  // Spaces after the JSON make the buffer start at a multiple of 8, as the reference writer pads.
  const headerLength = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + headerLength + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, headerLength, true);
  view.setUint32(4, 0, true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLength);
  let at = 8 + headerLength;
  for (const data of values) {
    writeLittleEndian(view, at, data);
    at += data.byteLength;
  }
  return out;
}

/**
 * A model from the bytes of a safetensors file: built from the architecture in its `__metadata__`
 * (as `saveSafetensors` writes), or the weights loaded into `options.into` (e.g. `lenet5()` for a
 * PyTorch state_dict). Errors start with the file's name and name the tensor at fault.
 */
export function loadSafetensors(bytes: Uint8Array, options: SafetensorsLoadOptions = {}): Sequential {
  const name = options.name ?? 'safetensors';
  const header = readSafetensorsHeader(bytes, name);
  const model = options.into ?? modelFromMetadata(header, name);
  const params = model.parameters();
  const stored = new Map(header.tensors.map((t) => [t.name, t]));
  const missing = params.filter((p) => !stored.has(p.name)).map((p) => p.name);
  if (missing.length > 0) {
    throw new Error(`${name}: tensor ${missing.join(', ')} of the model ${missing.length > 1 ? 'are' : 'is'} not in the file (it holds ${[...stored.keys()].join(', ') || 'no tensors'})`);
  }
  const wanted = new Set(params.map((p) => p.name));
  const unexpected = header.tensors.filter((t) => !wanted.has(t.name)).map((t) => t.name);
  if (unexpected.length > 0) throw new Error(`${name}: tensor ${unexpected.join(', ')} in the file is not a parameter of the model`);
  for (const p of params) {
    const t = stored.get(p.name)!;
    const want = p.value.shape;
    if (t.shape.length !== want.length || t.shape.some((d, k) => d !== want[k])) {
      throw new Error(`${name}: tensor ${p.name} has shape [${t.shape.join(', ')}] but the model's ${p.name} is [${want.join(', ')}]`);
    }
    const decode = DECODERS[t.dtype];
    if (!decode) throw new Error(`${name}: tensor ${p.name} has dtype ${t.dtype}; convlab reads F16, BF16, F32 and F64`);
    if (!isContiguous(p.value)) throw new Error(`${name}: the model's ${p.name} is a strided view; load into a contiguous parameter`);
    decode(new DataView(bytes.buffer, bytes.byteOffset + header.dataStart + t.begin, t.end - t.begin), p.value.data);
  }
  return model;
}

/**
 * The checked header of a safetensors file. Everything is checked before anything is allocated
 * from it: the header length against the file, then every dtype, shape and offset, and that the
 * tensors tile the buffer exactly (no overlap, no gap, nothing past the end).
 */
export function readSafetensorsHeader(bytes: Uint8Array, name = 'safetensors'): SafetensorsHeader {
  if (!(bytes instanceof Uint8Array)) throw new Error(`${name}: expected the bytes of a safetensors file (a Uint8Array)`);
  if (bytes.length < 8) throw new Error(`${name}: not a safetensors file: ${bytes.length} bytes, shorter than the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const low = view.getUint32(0, true);
  const high = view.getUint32(4, true);
  const available = bytes.length - 8;
  if (high !== 0 || low > available) {
    const length = high * 2 ** 32 + low;
    throw new Error(`${name}: not a safetensors file or truncated: the header length ${length} runs past the end of the file (${available} bytes follow)`);
  }
  if (low > MAX_HEADER_BYTES) throw new Error(`${name}: the header is ${low} bytes, more than the format's limit of ${MAX_HEADER_BYTES}`);
  if (low < 2 || bytes[8] !== 0x7b) throw new Error(`${name}: not a safetensors file: the header does not start with "{"`);
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + low)));
  } catch (error) {
    throw new Error(`${name}: the safetensors header is not valid UTF-8 JSON: ${(error as Error).message}`);
  }
  if (!json || typeof json !== 'object' || Array.isArray(json)) throw new Error(`${name}: the safetensors header is not a JSON object`);
  const dataLength = available - low;
  const tensors: SafetensorsEntry[] = [];
  let metadata: Record<string, string> = {};
  for (const [key, value] of Object.entries(json as Record<string, unknown>)) {
    if (key === '__metadata__') metadata = checkMetadata(value, name);
    else tensors.push(checkEntry(key, value, dataLength, name));
  }
  tensors.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let end = 0;
  let previous: SafetensorsEntry | null = null;
  for (const t of tensors) {
    if (t.begin < end) throw new Error(`${name}: tensor ${t.name} overlaps tensor ${previous!.name}: it starts at byte ${t.begin}, before ${previous!.name} ends at ${end}`);
    if (t.begin > end) throw new Error(`${name}: tensor ${t.name} starts at byte ${t.begin}, leaving a gap after byte ${end} (the format stores tensors contiguously)`);
    end = t.end;
    previous = t;
  }
  if (end !== dataLength) throw new Error(`${name}: ${dataLength - end} bytes after the last tensor (the tensors cover ${end} of ${dataLength} bytes)`);
  return { tensors, metadata, dataStart: 8 + low };
}

function checkMetadata(value: unknown, name: string): Record<string, string> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new Error(`${name}: __metadata__ must be an object of strings`);
  for (const [key, v] of Object.entries(value)) {
    if (typeof v !== 'string') throw new Error(`${name}: __metadata__ ${JSON.stringify(key)} is not a string`);
  }
  return value as Record<string, string>;
}

function checkEntry(key: string, value: unknown, dataLength: number, name: string): SafetensorsEntry {
  const bad = (what: string): never => {
    throw new Error(`${name}: tensor ${key} ${what}`);
  };
  if (!value || typeof value !== 'object' || Array.isArray(value)) bad('is not an object { dtype, shape, data_offsets }');
  const { dtype, shape, data_offsets: offsets } = value as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
  if (typeof dtype !== 'string' || !Object.prototype.hasOwnProperty.call(DTYPE_BYTES, dtype)) bad(`has an unknown dtype ${JSON.stringify(dtype)}`);
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) bad(`has shape ${JSON.stringify(shape)}, not a list of non-negative integers`);
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0) || offsets[0] > offsets[1]) {
    bad(`has data_offsets ${JSON.stringify(offsets)}, not [begin, end] with 0 <= begin <= end`);
  }
  const [begin, end] = offsets as [number, number];
  if (end > dataLength) bad(`has data_offsets [${begin}, ${end}], past the end of the data (${dataLength} bytes)`);
  // The product cannot overflow: each step is checked against the data length first.
  let bytes = DTYPE_BYTES[dtype as string]!;
  for (const d of shape as number[]) {
    bytes *= d;
    if (bytes > dataLength) bad(`has shape [${(shape as number[]).join(', ')}], more than the file's ${dataLength} bytes of data`);
  }
  if (end - begin !== bytes) bad(`has data_offsets [${begin}, ${end}] (${end - begin} bytes) but its ${dtype} [${(shape as number[]).join(', ')}] needs ${bytes}`);
  return { name: key, dtype: dtype as string, shape: [...(shape as number[])], begin, end };
}

function modelFromMetadata(header: SafetensorsHeader, name: string): Sequential {
  const text = header.metadata[SAFETENSORS_ARCHITECTURE_KEY];
  if (text === undefined) {
    throw new Error(`${name}: no convlab architecture in __metadata__ (a PyTorch state_dict?): load it into a model, e.g. loadSafetensors(bytes, { into: lenet5() }) or --arch lenet5`);
  }
  const bad = (error: unknown): never => {
    throw new Error(`${name}: bad architecture in __metadata__.${SAFETENSORS_ARCHITECTURE_KEY}: ${(error as Error).message}`);
  };
  let architecture: LayerConfig;
  try {
    architecture = JSON.parse(text) as LayerConfig;
  } catch (error) {
    return bad(error);
  }
  // Before any layer allocates its weights, the sizes it declares must be the file's tensors (whose
  // sizes the file's length already bounds). The check reads only the names and shapes.
  const tensors = header.tensors.map((t) => ({ name: t.name, dtype: 'float32' as const, shape: t.shape, offset: t.begin }));
  checkDeclaredSizes({ format: 'convlab-model', version: 1, architecture, tensors, dataLength: 0 }, name);
  try {
    const built = layerFromConfig(architecture);
    if (!(built instanceof Sequential)) throw new Error('it is not a Sequential');
    return built;
  } catch (error) {
    return bad(error);
  }
}

function writeLittleEndian(view: DataView, at: number, data: FloatArray): void {
  if (data instanceof Float64Array) for (let i = 0; i < data.length; i++) view.setFloat64(at + 8 * i, data[i]!, true);
  else for (let i = 0; i < data.length; i++) view.setFloat32(at + 4 * i, data[i]!, true);
}

/** Readers of the floating-point dtypes, each filling a parameter (converting as torch's copy_ does). */
const DECODERS: Readonly<Record<string, (src: DataView, into: FloatArray) => void>> = {
  F32: (src, into) => {
    for (let i = 0; i < into.length; i++) into[i] = src.getFloat32(4 * i, true);
  },
  F64: (src, into) => {
    for (let i = 0; i < into.length; i++) into[i] = src.getFloat64(8 * i, true);
  },
  F16: (src, into) => {
    for (let i = 0; i < into.length; i++) into[i] = halfToNumber(src.getUint16(2 * i, true));
  },
  BF16: (src, into) => {
    const word = new DataView(new ArrayBuffer(4));
    for (let i = 0; i < into.length; i++) {
      word.setUint32(0, src.getUint16(2 * i, true) << 16);
      into[i] = word.getFloat32(0);
    }
  },
};

/** IEEE 754 binary16 to a number: sign, 5-bit exponent (bias 15), 10-bit fraction. */
function halfToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}
