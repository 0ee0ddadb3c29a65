import { fromDense } from '@convlab/core';
import type { Tensor } from '@convlab/core';
import { Random } from '@convlab/nn';

/** A float32 tensor of uniform values in [-scale, scale), the same for the same seed. */
export function randomTensor(shape: readonly number[], seed: number, scale = 1): Tensor {
  const rng = new Random(seed);
  let n = 1;
  for (const d of shape) n *= d;
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = rng.uniform(-scale, scale);
  return fromDense(data, shape);
}
