/**
 * A small binary container for a tree of JSON values and typed arrays (a checkpoint: numbers,
 * strings, weights, optimiser moments). Layout, all integers little-endian:
 *
 *   8 bytes   magic, ASCII "CVLBNDL1"
 *   4 bytes   n, the byte length of the header
 *   n bytes   header, UTF-8 JSON: { "blobs": [{ "type", "offset", "length" }], "body": tree }
 *   padding   zero bytes up to a multiple of 8
 *   blobs     each typed array's bytes at its `offset` (from the end of the padding), 8-aligned
 *
 * In the tree a typed array is `{ "$blob": i }`, a tensor (ndarray) `{ "$tensor": i, "shape": [...] }`
 * and a number JSON cannot hold (Infinity, -Infinity, NaN, -0) `{ "$number": "Infinity" }`. Every
 * float survives bit for bit: JSON numbers round-trip doubles exactly and blobs are raw bytes.
 */
import ndarray from 'ndarray';
import { asciiBytes, asciiText } from '../bytes.js';

const MAGIC = 'CVLBNDL1';

const ARRAY_TYPES = {
  Float32Array,
  Float64Array,
  Int32Array,
  Uint32Array,
  Uint8Array,
  Int8Array,
  Uint16Array,
  Int16Array,
} as const;
type ArrayTypeName = keyof typeof ARRAY_TYPES;
type AnyTypedArray = InstanceType<(typeof ARRAY_TYPES)[ArrayTypeName]>;

interface BlobEntry {
  type: ArrayTypeName;
  offset: number;
  length: number;
}

function typeName(value: ArrayBufferView): ArrayTypeName | undefined {
  if (value instanceof Uint8Array) return 'Uint8Array'; // Node's Buffer too
  for (const name of Object.keys(ARRAY_TYPES) as ArrayTypeName[]) {
    if (value instanceof ARRAY_TYPES[name]) return name;
  }
  return undefined;
}

function isTensor(value: object): value is { data: AnyTypedArray; shape: number[]; stride: number[]; offset: number; size: number } {
  const v = value as { data?: unknown; shape?: unknown; stride?: unknown };
  return ArrayBuffer.isView(v.data) && Array.isArray(v.shape) && Array.isArray(v.stride);
}

/** Encodes a tree of plain objects, arrays, numbers, strings, booleans, null, typed arrays and tensors. */
export function encodeBundle(body: unknown): Uint8Array {
  const arrays: AnyTypedArray[] = [];
  const blobs: BlobEntry[] = [];
  let offset = 0;
  const addBlob = (array: AnyTypedArray): number => {
    const type = typeName(array)!;
    blobs.push({ type, offset, length: array.length });
    arrays.push(array);
    offset += Math.ceil(array.byteLength / 8) * 8;
    return blobs.length - 1;
  };
  const encode = (value: unknown, path: string): unknown => {
    if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
    if (typeof value === 'number') {
      if (Number.isNaN(value)) return { $number: 'NaN' };
      if (value === Infinity) return { $number: 'Infinity' };
      if (value === -Infinity) return { $number: '-Infinity' };
      if (Object.is(value, -0)) return { $number: '-0' };
      return value;
    }
    if (typeof value !== 'object') throw new Error(`encodeBundle: cannot store ${typeof value} at ${path}`);
    if (ArrayBuffer.isView(value)) {
      if (!typeName(value)) throw new Error(`encodeBundle: cannot store ${value.constructor.name} at ${path}`);
      return { $blob: addBlob(value as AnyTypedArray) };
    }
    if (Array.isArray(value)) return value.map((v, i) => encode(v, `${path}[${i}]`));
    if (isTensor(value)) {
      const data = new (value.data.constructor as new (n: number) => AnyTypedArray)(value.size);
      const view = ndarray(data, value.shape);
      // Copy element by element so views (strides, offsets) are stored as dense row-major data.
      const n = value.size;
      const idx = new Array<number>(value.shape.length).fill(0);
      for (let k = 0; k < n; k++) {
        let src = value.offset;
        for (let a = 0; a < idx.length; a++) src += idx[a]! * value.stride[a]!;
        data[k] = value.data[src]!;
        for (let a = idx.length - 1; a >= 0; a--) {
          if (++idx[a]! < value.shape[a]!) break;
          idx[a] = 0;
        }
      }
      return { $tensor: addBlob(view.data), shape: [...value.shape] };
    }
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      throw new Error(`encodeBundle: cannot store a ${value.constructor?.name ?? 'class instance'} at ${path}`);
    }
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      if (v !== undefined) out[key] = encode(v, `${path}.${key}`);
    }
    return out;
  };
  const tree = encode(body, 'body');
  const header = new TextEncoder().encode(JSON.stringify({ blobs, body: tree }));
  const start = Math.ceil((12 + header.length) / 8) * 8;
  const out = new Uint8Array(start + offset);
  out.set(asciiBytes(MAGIC), 0);
  new DataView(out.buffer).setUint32(8, header.length, true);
  out.set(header, 12);
  blobs.forEach((blob, i) => {
    const a = arrays[i]!;
    out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), start + blob.offset);
  });
  return out;
}

/** True when the bytes start with the bundle magic. */
export function isBundle(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && asciiText(bytes.subarray(0, 8)) === MAGIC;
}

/** Decodes `encodeBundle` output; `name` (a file name) starts every error message. */
export function decodeBundle(bytes: Uint8Array, name: string): unknown {
  if (!isBundle(bytes)) throw new Error(`${name}: not a convlab checkpoint (no ${MAGIC} magic)`);
  if (bytes.length < 12) throw new Error(`${name}: truncated checkpoint header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getUint32(8, true);
  if (12 + headerLength > bytes.length) {
    throw new Error(`${name}: truncated checkpoint: header of ${headerLength} bytes, file has ${bytes.length - 12} after the magic`);
  }
  let header: { blobs: BlobEntry[]; body: unknown };
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + headerLength)));
  } catch (error) {
    throw new Error(`${name}: corrupt checkpoint header (${(error as Error).message})`);
  }
  if (!header || !Array.isArray(header.blobs)) throw new Error(`${name}: corrupt checkpoint header (no blob table)`);
  const start = Math.ceil((12 + headerLength) / 8) * 8;
  const arrays = header.blobs.map((blob, i) => {
    const Type = ARRAY_TYPES[blob?.type];
    if (!Type || !Number.isInteger(blob.offset) || !Number.isInteger(blob.length) || blob.offset < 0 || blob.length < 0) {
      throw new Error(`${name}: corrupt checkpoint header (blob ${i})`);
    }
    const byteLength = blob.length * Type.BYTES_PER_ELEMENT;
    const end = start + blob.offset + byteLength;
    if (end > bytes.length) {
      throw new Error(`${name}: truncated checkpoint: blob ${i} ends at byte ${end}, file has ${bytes.length}`);
    }
    // Copy into a fresh, aligned buffer the caller owns.
    const copy = new Uint8Array(byteLength);
    copy.set(bytes.subarray(start + blob.offset, end));
    return new Type(copy.buffer) as AnyTypedArray;
  });
  const decode = (value: unknown): unknown => {
    if (value === null || typeof value !== 'object') return value;
    if (Array.isArray(value)) return value.map(decode);
    const v = value as Record<string, unknown>;
    if ('$number' in v) return Number(v.$number === '-0' ? -0 : v.$number);
    if ('$blob' in v) return blobAt(v.$blob);
    if ('$tensor' in v) {
      const data = blobAt(v.$tensor);
      const shape = v.shape as number[];
      if (!Array.isArray(shape) || shape.reduce((a, b) => a * b, 1) !== data.length) {
        throw new Error(`${name}: corrupt checkpoint: tensor shape does not match its data`);
      }
      return ndarray(data, shape);
    }
    const out: Record<string, unknown> = {};
    for (const [key, x] of Object.entries(v)) out[key] = decode(x);
    return out;
  };
  const blobAt = (i: unknown): AnyTypedArray => {
    if (typeof i !== 'number' || !arrays[i]) throw new Error(`${name}: corrupt checkpoint: missing blob ${String(i)}`);
    return arrays[i]!;
  };
  return decode(header.body);
}
