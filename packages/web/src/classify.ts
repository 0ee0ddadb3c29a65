import { dense, fromDense } from '@convlab/core';
import { DIGIT_FIELD, prepareDigit, softmax } from '@convlab/nn';
import type { Sequential } from '@convlab/nn';

/**
 * The class probabilities of a drawing (grayscale, light ink on black, 0..1), brought to MNIST's
 * form first; `seen` is that 28x28 form, what the network is given. An empty drawing throws
 * "the drawing is empty", as `convlab predict --image` does.
 */
export function classifyDrawing(model: Sequential, pixels: Float32Array, width: number, height: number): { probabilities: number[]; seen: Float32Array } {
  const seen = prepareDigit(pixels, width, height);
  const logits = model.forward(fromDense(seen, [1, 1, DIGIT_FIELD, DIGIT_FIELD]));
  return { probabilities: Array.from(dense(softmax(logits)).data), seen };
}
