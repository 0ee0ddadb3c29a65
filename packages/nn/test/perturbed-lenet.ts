import { Random, lenet5 } from '@convlab/nn';
import type { Sequential } from '@convlab/nn';

/**
 * A LeNet-5 whose every weight is non-zero (its softmax layer starts at zero, which would make
 * every comparison of outputs trivially pass): seeded weights plus uniform noise of `spread`.
 */
export function perturbedLenet(spread = 0.01): Sequential {
  const model = lenet5({ seed: 4 });
  const random = new Random(5);
  for (const p of model.parameters()) for (let i = 0; i < p.value.size; i++) p.value.data[i] += random.uniform(-spread, spread);
  return model;
}
