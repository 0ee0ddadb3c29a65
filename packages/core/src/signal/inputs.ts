/** Input checks shared by the signal functions; every message names the operation. */

import { checkTensor, tensor } from '../tensor.js';
import type { Nested, Tensor } from '../tensor.js';

/** What the signal functions take: a tensor, or nested arrays of numbers (read as float64). */
export type TensorLike = Tensor | Nested;

export function shapeText(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/** The tensor itself, or a float64 tensor built from nested arrays; ragged or non-numeric input is an error. */
export function asTensor(x: unknown, who: string, name: string): Tensor {
  if (Array.isArray(x) || typeof x === 'number') {
    try {
      return tensor(x as Nested);
    } catch (error) {
      throw new Error(`${who}: ${name}: ${(error as Error).message.replace(/^tensor: /, '')}`);
    }
  }
  checkTensor(x, who, name);
  return x;
}

/** Errors unless `x` has one of the given ranks. */
export function checkRank(x: Tensor, who: string, name: string, ranks: readonly number[]): void {
  const rank = x.shape.length;
  if (!ranks.includes(rank)) {
    const want = ranks.length === 1 ? `${ranks[0]}-D` : `${ranks.slice(0, -1).join('-D, ')}-D or ${ranks.at(-1)}-D`;
    throw new Error(`${who}: ${name} must be ${want}, got shape ${shapeText(x.shape)} (${rank}-D)`);
  }
}

/** Errors when `x` has no elements (scipy raises for empty inputs too). */
export function checkNotEmpty(x: Tensor, who: string, name: string): void {
  if (x.size === 0) {
    throw new Error(`${who}: ${name} is empty (shape ${shapeText(x.shape)}); both inputs need at least one element`);
  }
}

/** Errors unless both inputs have the same number of axes. */
export function checkSameRank(a: Tensor, b: Tensor, who: string): void {
  if (a.shape.length !== b.shape.length) {
    throw new Error(
      `${who}: a and b must have the same number of dimensions, got a ${shapeText(a.shape)} (${a.shape.length}-D) ` +
        `and b ${shapeText(b.shape)} (${b.shape.length}-D)`,
    );
  }
}
