import { contiguous, dense, dtypeOf, isContiguous } from '@convlab/core';
import type { Tensor } from '@convlab/core';
import type { TrainableModel } from './types.js';

/** Copies of the model's parameter values, in `parameters()` order (a snapshot the model cannot change). */
export function copyParameters(model: TrainableModel): Tensor[] {
  return model.parameters().map((p) => contiguous(p.value));
}

/**
 * Writes saved values into the model's live parameters, bit for bit. The count, shapes and
 * dtypes must match; `who` names the source in the error (a checkpoint file).
 */
export function loadParameters(model: TrainableModel, values: readonly Tensor[], who: string): void {
  const params = model.parameters();
  if (params.length !== values.length) {
    throw new Error(`${who}: holds ${values.length} parameter tensors, the model has ${params.length}`);
  }
  params.forEach((p, i) => {
    const v = values[i]!;
    const want = p.value.shape;
    if (v.shape.length !== want.length || v.shape.some((d, k) => d !== want[k])) {
      throw new Error(`${who}: parameter ${i} has shape [${v.shape.join(', ')}], the model's is [${want.join(', ')}]`);
    }
    if (dtypeOf(v) !== dtypeOf(p.value)) {
      throw new Error(`${who}: parameter ${i} is ${dtypeOf(v)}, the model's is ${dtypeOf(p.value)}`);
    }
    const src = dense(v).data;
    if (isContiguous(p.value)) {
      p.value.data.set(src);
    } else {
      // A strided parameter view: write element by element in row-major order.
      const shape = want;
      const idx = new Array<number>(shape.length).fill(0);
      for (let k = 0; k < src.length; k++) {
        let at = p.value.offset;
        for (let a = 0; a < shape.length; a++) at += idx[a]! * p.value.stride[a]!;
        p.value.data[at] = src[k]!;
        for (let a = shape.length - 1; a >= 0; a--) {
          if (++idx[a]! < shape[a]!) break;
          idx[a] = 0;
        }
      }
    }
  });
}
