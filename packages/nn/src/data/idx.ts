/**
 * The IDX format of the MNIST files (LeCun et al.): a 4-byte magic number `0x0000TTDD` (two zero
 * bytes, the element type TT, the dimension count DD), DD big-endian 32-bit sizes, then the
 * elements in row-major order. MNIST uses type 0x08 (unsigned byte) only, so that is all we read.
 * A file is plain or gzip-compressed; gzip is recognised by its magic bytes 0x1f 0x8b, not by name.
 */
export interface IdxArray {
  /** The sizes from the header, e.g. [60000, 28, 28]. */
  dims: number[];
  /** The elements, row-major. */
  data: Uint8Array;
}

/** What a caller expects: images are 3-D (0x00000803), labels 1-D (0x00000801). */
export type IdxKind = 'images' | 'labels';

const UNSIGNED_BYTE = 0x08;
const RANK: Record<IdxKind, number> = { images: 3, labels: 1 };

/** True when the bytes start with the gzip magic number 0x1f 0x8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** The most gzip data may expand to (MNIST's largest file is 47 MB): a small file cannot inflate to gigabytes. */
export const MAX_IDX_BYTES = 2 ** 30;

/**
 * Decompresses gzip bytes with the runtime's DecompressionStream (browsers; Node 18 and later),
 * e.g. a fetched `.gz` MNIST file before `parseIdx`; `name` starts the error message. The output is
 * read chunk by chunk and refused as soon as it passes `maxBytes`, before it is all in memory.
 */
export async function gunzip(bytes: Uint8Array, name = 'gzip data', maxBytes = MAX_IDX_BYTES): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream('gzip'));
    const reader = stream.getReader();
    for (let next = await reader.read(); !next.done; next = await reader.read()) {
      total += next.value.byteLength;
      if (total > maxBytes) {
        await reader.cancel();
        throw new GzipTooLarge(`${name}: the gzip data expands past ${maxBytes} bytes, more than an IDX file may hold here`);
      }
      chunks.push(next.value);
    }
  } catch (error) {
    if (error instanceof GzipTooLarge) throw new Error(error.message);
    throw new Error(`${name}: corrupt gzip data (${(error as Error).message})`);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  return out;
}

class GzipTooLarge extends Error {}

/**
 * Checks and decodes the bytes of an IDX file; `name` starts every error message. Gzip-compressed
 * bytes are refused with a hint: decompress them first (`gunzip`), or read the file with Node's
 * `readIdx`, which does.
 */
export function parseIdx(bytes: Uint8Array, name: string, kind?: IdxKind): IdxArray {
  if (isGzip(bytes)) throw new Error(`${name}: gzip-compressed: decompress it first (await gunzip(bytes)), or read the file with readIdx in Node`);
  if (bytes.length < 4) {
    throw new Error(`${name}: not an IDX file: ${bytes.length} bytes, too short for the 4-byte magic number`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0);
  const type = bytes[2]!;
  const rank = bytes[3]!;
  const magicHex = `0x${magic.toString(16).padStart(8, '0')}`;
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new Error(`${name}: not an IDX file: magic number ${magicHex} does not start with two zero bytes`);
  }
  if (type !== UNSIGNED_BYTE) {
    throw new Error(`${name}: unsupported IDX element type 0x${type.toString(16).padStart(2, '0')} (magic ${magicHex}); MNIST files hold unsigned bytes (0x08)`);
  }
  if (kind !== undefined && rank !== RANK[kind]) {
    const want = `0x0000080${RANK[kind]}`;
    throw new Error(`${name}: magic number ${magicHex} is not an IDX ${kind} file (expected ${want}, ${RANK[kind]} dimension${RANK[kind] === 1 ? '' : 's'})`);
  }
  if (rank === 0) throw new Error(`${name}: IDX header declares 0 dimensions`);
  const headerBytes = 4 + 4 * rank;
  if (bytes.length < headerBytes) {
    throw new Error(`${name}: truncated header: ${rank} dimensions need ${headerBytes} bytes, file has ${bytes.length}`);
  }
  const dims: number[] = [];
  for (let i = 0; i < rank; i++) dims.push(view.getUint32(4 + 4 * i));
  if (dims.some((d) => d === 0)) {
    throw new Error(`${name}: IDX header has a zero size: ${dims.join('x')}`);
  }
  const count = dims.reduce((a, b) => a * b, 1);
  const what = kind === 'labels' ? 'labels' : kind === 'images' ? 'pixels' : 'data';
  const body = bytes.length - headerBytes;
  if (body < count) {
    throw new Error(`${name}: truncated: header says ${dims.join('x')} = ${count} bytes of ${what}, file has ${body}`);
  }
  if (body > count) {
    throw new Error(`${name}: ${body - count} unexpected bytes after the ${dims.join('x')} = ${count} bytes of ${what}`);
  }
  return { dims, data: bytes.subarray(headerBytes) };
}

/** Writes an IDX file's bytes (unsigned byte elements) for the given sizes; used by tests and fixtures. */
export function encodeIdx(dims: readonly number[], data: Uint8Array): Uint8Array {
  const count = dims.reduce((a, b) => a * b, 1);
  if (count !== data.length) throw new Error(`encodeIdx: ${dims.join('x')} = ${count} elements, data has ${data.length}`);
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, (UNSIGNED_BYTE << 8) | dims.length);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d));
  out.set(data, 4 + 4 * dims.length);
  return out;
}
