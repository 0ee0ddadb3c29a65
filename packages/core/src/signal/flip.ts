/** numpy's flip and rot90, on the last two axes by default; the results are new contiguous tensors. */

import ndarray from 'ndarray';
import { contiguous } from '../tensor.js';
import type { Tensor } from '../tensor.js';
import { asTensor, shapeText } from './inputs.js';
import type { TensorLike } from './inputs.js';

/** A strided view of a tensor's buffer, edited before it is gathered. */
interface View {
  shape: number[];
  stride: number[];
  offset: number;
}

function viewOf(x: Tensor): View {
  return { shape: [...x.shape], stride: [...x.stride], offset: x.offset };
}

/** Reverses one axis of a view: start at its last element and walk backwards. */
function reverseAxis(v: View, axis: number): void {
  v.offset += v.stride[axis]! * (v.shape[axis]! - 1);
  v.stride[axis] = -v.stride[axis]!;
}

/** Swaps the last two axes of a view. */
function swapLastTwo(v: View): void {
  const r = v.shape.length;
  [v.shape[r - 2], v.shape[r - 1]] = [v.shape[r - 1]!, v.shape[r - 2]!];
  [v.stride[r - 2], v.stride[r - 1]] = [v.stride[r - 1]!, v.stride[r - 2]!];
}

function gather(x: Tensor, v: View): Tensor {
  return contiguous(ndarray(x.data, v.shape, v.stride, v.offset));
}

function normalizeAxes(axes: number | readonly number[], rank: number, who: string): number[] {
  const list = typeof axes === 'number' ? [axes] : axes;
  if (!Array.isArray(list)) throw new Error(`${who}: axes must be an integer or an array of integers, got ${JSON.stringify(axes)}`);
  const seen = new Set<number>();
  for (const axis of list) {
    if (!Number.isInteger(axis) || axis < -rank || axis >= rank) {
      throw new Error(`${who}: axis ${JSON.stringify(axis)} is out of range for a ${rank}-D tensor (allowed ${-rank} to ${rank - 1})`);
    }
    const a = axis < 0 ? axis + rank : axis;
    if (seen.has(a)) throw new Error(`${who}: axis ${axis} is repeated in axes ${JSON.stringify(list)}`);
    seen.add(a);
  }
  return [...seen];
}

/**
 * `x` reversed along `axes` (integers, negative counting from the end), like `numpy.flip(x, axes)`.
 * Without `axes` it flips the last two axes (the only axis of a 1-D tensor), which for images is
 * `numpy.flip(x, (-2, -1))`, i.e. `rot90(x, 2)`; note that numpy's own default flips every axis.
 */
export function flip(x: TensorLike, axes?: number | readonly number[]): Tensor {
  const who = 'flip';
  const t = asTensor(x, who, 'x');
  const rank = t.shape.length;
  const list = axes === undefined || axes === null ? (rank >= 2 ? [rank - 2, rank - 1] : rank === 1 ? [0] : []) : normalizeAxes(axes, rank, who);
  const v = viewOf(t);
  for (const axis of list) reverseAxis(v, axis);
  return gather(t, v);
}

/**
 * `x` rotated by 90 degrees `k` times (any integer; negative turns the other way) in the plane of
 * its last two axes, from the first of them towards the second, like
 * `numpy.rot90(x, k, axes=(-2, -1))`: `rot90([[1, 2], [3, 4]])` is `[[2, 4], [1, 3]]`.
 */
export function rot90(x: TensorLike, kIn: number | null = 1): Tensor {
  const k = kIn ?? 1;
  const who = 'rot90';
  const t = asTensor(x, who, 'x');
  const rank = t.shape.length;
  if (rank < 2) throw new Error(`${who}: x must have at least 2 axes (it turns the last two), got shape ${shapeText(t.shape)}`);
  if (!Number.isInteger(k)) throw new Error(`${who}: k must be an integer, got ${JSON.stringify(k)}`);
  const turns = ((k % 4) + 4) % 4;
  const v = viewOf(t);
  // numpy: k = 1 flips the columns then transposes; k = 3 transposes then flips the columns.
  if (turns === 1) {
    reverseAxis(v, rank - 1);
    swapLastTwo(v);
  } else if (turns === 2) {
    reverseAxis(v, rank - 2);
    reverseAxis(v, rank - 1);
  } else if (turns === 3) {
    swapLastTwo(v);
    reverseAxis(v, rank - 1);
  }
  return gather(t, v);
}
