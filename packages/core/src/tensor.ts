import ndarray from 'ndarray';
import type { NdArray } from 'ndarray';
import { checkAllocation } from './limits.js';

import type { Dtype, FloatArray } from './dtype.js';

export type { Dtype, FloatArray } from './dtype.js';

/** A tensor: an `ndarray` over a Float32Array or Float64Array, row-major unless it is a view. */
export type Tensor = NdArray<FloatArray>;

/** Nested JavaScript arrays of numbers, any depth. */
export type Nested = number | Nested[];

/** A tensor's contents as one contiguous row-major typed array, with its shape. */
export interface Dense {
  data: FloatArray;
  shape: number[];
}

export function arrayFor(dtype: Dtype, length: number): FloatArray {
  return dtype === 'float32' ? new Float32Array(length) : new Float64Array(length);
}

export function dtypeOf(x: Tensor | FloatArray): Dtype {
  const data = ArrayBuffer.isView(x) ? x : x.data;
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Float64Array) return 'float64';
  throw new Error('tensor: data must be a Float32Array or Float64Array');
}

/** float32 when every input is float32, else float64 (API.md). */
export function resultDtype(...xs: Array<Tensor | FloatArray>): Dtype {
  return xs.every((x) => dtypeOf(x) === 'float32') ? 'float32' : 'float64';
}

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

function checkShape(shape: readonly number[], who: string): void {
  if (!Array.isArray(shape)) throw new Error(`${who}: shape must be an array of non-negative integers, got ${JSON.stringify(shape)}`);
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) {
      throw new Error(`${who}: shape [${shape.join(', ')}] must hold non-negative integers`);
    }
  }
}

function inferShape(data: Nested): number[] {
  const shape: number[] = [];
  let level: Nested = data;
  while (Array.isArray(level)) {
    shape.push(level.length);
    if (level.length === 0) break;
    level = level[0]!;
  }
  return shape;
}

function fillFromNested(data: Nested, shape: number[], out: FloatArray): void {
  let k = 0;
  const visit = (node: Nested, depth: number, path: number[]): void => {
    if (depth === shape.length) {
      if (typeof node !== 'number') {
        const what = Array.isArray(node) ? 'an array' : typeof node;
        throw new Error(`tensor: ragged nested array: element [${path.join('][')}] is ${what}, expected a number`);
      }
      out[k++] = node;
      return;
    }
    if (!Array.isArray(node) || node.length !== shape[depth]) {
      const got = Array.isArray(node) ? `length ${node.length}` : 'a number';
      throw new Error(
        `tensor: ragged nested array: element [${path.join('][')}] has ${got}, expected length ${shape[depth]}`,
      );
    }
    for (let i = 0; i < node.length; i++) visit(node[i]!, depth + 1, [...path, i]);
  };
  visit(data, 0, []);
}

/**
 * A tensor from nested arrays (`tensor([[1, 2], [3, 4]])`, float64 unless `dtype` says otherwise)
 * or from a typed array and a shape (`tensor(new Float32Array(6), [2, 3])`, no copy).
 */
export function tensor(data: Nested, dtype?: Dtype): Tensor;
export function tensor(data: FloatArray, shape: readonly number[]): Tensor;
export function tensor(data: Nested | FloatArray, second?: Dtype | readonly number[]): Tensor {
  if (ArrayBuffer.isView(data)) {
    if (!(data instanceof Float32Array || data instanceof Float64Array)) {
      throw new Error('tensor: a typed array must be a Float32Array or Float64Array');
    }
    const shape = Array.isArray(second) ? [...second] : [data.length];
    checkShape(shape, 'tensor');
    if (sizeOf(shape) !== data.length) {
      throw new Error(`tensor: shape [${shape.join(', ')}] holds ${sizeOf(shape)} elements but the array has ${data.length}`);
    }
    return ndarray(data, shape);
  }
  const dtype = (second as Dtype | undefined) ?? 'float64';
  if (dtype !== 'float32' && dtype !== 'float64') {
    throw new Error(`tensor: dtype must be 'float32' or 'float64', got ${JSON.stringify(dtype)}`);
  }
  if (typeof data !== 'number' && !Array.isArray(data)) {
    throw new Error(`tensor: expected nested arrays of numbers, got ${typeof data}`);
  }
  const shape = inferShape(data);
  checkAllocation('tensor', 'shape', shape, dtype);
  const out = arrayFor(dtype, sizeOf(shape));
  fillFromNested(data, shape, out);
  return ndarray(out, shape);
}

export function zeros(shape: readonly number[], dtypeIn: Dtype | null = 'float64'): Tensor {
  const dtype = dtypeIn ?? 'float64';
  if (dtype !== 'float32' && dtype !== 'float64') {
    throw new Error(`zeros: dtype must be 'float32' or 'float64', got ${JSON.stringify(dtype)}`);
  }
  checkShape(shape, 'zeros');
  checkAllocation('zeros', 'shape', shape, dtype);
  return ndarray(arrayFor(dtype, sizeOf(shape)), [...shape]);
}

/** Row-major strides for a shape. */
export function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i]!;
  }
  return strides;
}

export function isContiguous(x: Tensor): boolean {
  if (x.offset !== 0 || x.data.length !== x.size) return false;
  const want = stridesOf(x.shape);
  for (let i = 0; i < x.shape.length; i++) {
    if (x.shape[i]! > 1 && x.stride[i] !== want[i]) return false;
  }
  return true;
}

/**
 * The tensor's elements as a contiguous row-major typed array. A contiguous tensor gives its own
 * buffer (no copy); a view (`pick`, `lo/hi`, `step`, `transpose`) is gathered into a new one.
 */
export function dense(x: Tensor, dtype: Dtype = dtypeOf(x)): Dense {
  const shape = [...x.shape];
  if (isContiguous(x) && dtypeOf(x) === dtype) return { data: x.data, shape };
  // A view (a broadcast with stride 0, say) can stand for far more elements than its buffer holds.
  checkAllocation('dense', 'copy of a view', shape, dtype);
  const out = arrayFor(dtype, x.size);
  if (x.size === 0) return { data: out, shape };
  const { data, stride, offset } = x;
  const rank = shape.length;
  if (rank === 0) {
    out[0] = data[offset]!;
    return { data: out, shape };
  }
  // Odometer over all but the last axis; the last axis is a strided run.
  const index = new Array<number>(rank).fill(0);
  const last = rank - 1;
  const runLength = shape[last]!;
  const runStride = stride[last]!;
  let k = 0;
  for (;;) {
    let base = offset;
    for (let i = 0; i < last; i++) base += index[i]! * stride[i]!;
    for (let j = 0; j < runLength; j++) out[k++] = data[base + j * runStride]!;
    let axis = last - 1;
    while (axis >= 0) {
      index[axis]!++;
      if (index[axis]! < shape[axis]!) break;
      index[axis] = 0;
      axis--;
    }
    if (axis < 0) break;
  }
  return { data: out, shape };
}

/** A new contiguous tensor with the same elements (and dtype unless given). */
export function contiguous(x: Tensor, dtype: Dtype = dtypeOf(x)): Tensor {
  const d = dense(x, dtype);
  return ndarray(d.data === x.data ? d.data.slice() : d.data, d.shape);
}

/** Nested JavaScript arrays of the tensor's elements (a number for a 0-d tensor). */
export function toNested(x: Tensor): Nested {
  const { data, shape } = dense(x);
  if (shape.length === 0) return data[0]!;
  let k = 0;
  const build = (depth: number): Nested[] => {
    const n = shape[depth]!;
    const row: Nested[] = new Array(n);
    if (depth === shape.length - 1) {
      for (let i = 0; i < n; i++) row[i] = data[k++]!;
    } else {
      for (let i = 0; i < n; i++) row[i] = build(depth + 1);
    }
    return row;
  };
  return build(0);
}

/** A tensor over a flat buffer the caller owns (no copy). */
export function fromDense(data: FloatArray, shape: readonly number[]): Tensor {
  return ndarray(data, [...shape]);
}

/** Validates that `x` is a tensor of one of the given ranks; `who` names the operation in the message. */
export function checkTensor(x: unknown, who: string, name: string, ranks?: readonly number[]): asserts x is Tensor {
  const t = x as Tensor | undefined;
  if (!t || typeof t !== 'object' || !('shape' in t) || !('data' in t)) {
    throw new Error(`${who}: ${name} must be a tensor (an ndarray over Float32Array or Float64Array)`);
  }
  if (!(t.data instanceof Float32Array || t.data instanceof Float64Array)) {
    throw new Error(`${who}: ${name} must be over a Float32Array or Float64Array`);
  }
  if (ranks && !ranks.includes(t.shape.length)) {
    throw new Error(`${who}: ${name} must be ${ranks.join(' or ')}-D, got shape [${t.shape.join(', ')}]`);
  }
}
