import type { Dtype } from '@convlab/core';
import type { Json, LayerConfig } from './layers/layer.js';

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
export const PREAMBLE = 16;

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

export const BYTES: Record<Dtype, number> = { float32: 4, float64: 8 };
/** Typed arrays use the platform's byte order; the file's is little-endian. */
export const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

export function align8(n: number): number {
  return Math.ceil(n / 8) * 8;
}
