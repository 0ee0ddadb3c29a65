import type { FloatArray } from '@convlab/core';
import { Random } from './random.js';

/**
 * Weight initialisation, named after the activation that follows the layer (the lecture's framing):
 *
 * - `'tanh'`: uniform on +-sqrt(6 / (fanIn + fanOut)) (Glorot and Bengio 2010, the lecture's formula);
 * - `'sigmoid'`: four times that bound;
 * - `'relu'`: He et al. 2015, normal with standard deviation sqrt(2 / fanIn);
 * - `'zeros'`: all zero.
 *
 * Biases always start at zero. Every draw comes from a seeded `Random`, in row-major order of the
 * weight, so the same seed gives bit-identical weights.
 */
export type Init = 'tanh' | 'sigmoid' | 'relu' | 'zeros';

export const INITS: readonly Init[] = ['tanh', 'sigmoid', 'relu', 'zeros'];

let shared = new Random(0);

/**
 * The generator layers draw from when none is passed: one per process, like PyTorch's global
 * generator, so that two layers built one after the other get different weights.
 */
export function defaultRandom(): Random {
  return shared;
}

/** Reseeds the default generator (PyTorch's `torch.manual_seed`). */
export function manualSeed(seed: number): void {
  shared = new Random(seed);
}

export function checkInit(init: unknown, who: string): Init {
  if (!INITS.includes(init as Init)) {
    throw new Error(`${who}: init must be one of ${INITS.map((s) => `'${s}'`).join(', ')}, got ${JSON.stringify(init)}`);
  }
  return init as Init;
}

/** The Glorot bound sqrt(6 / (fanIn + fanOut)). */
export function glorotBound(fanIn: number, fanOut: number): number {
  return Math.sqrt(6 / (fanIn + fanOut));
}

/** Fills `out` from uniform(-bound, bound). */
export function uniformInto(out: FloatArray, bound: number, random: Random): void {
  for (let i = 0; i < out.length; i++) out[i] = random.uniform(-bound, bound);
}

/** Fills `out` from a normal distribution with mean 0 and the given standard deviation. */
export function normalInto(out: FloatArray, std: number, random: Random): void {
  for (let i = 0; i < out.length; i++) out[i] = std * random.normal();
}

/** Initialises a weight for the given scheme and fans. */
export function initWeight(out: FloatArray, init: Init, fanIn: number, fanOut: number, random: Random): void {
  switch (init) {
    case 'tanh':
      uniformInto(out, glorotBound(fanIn, fanOut), random);
      return;
    case 'sigmoid':
      uniformInto(out, 4 * glorotBound(fanIn, fanOut), random);
      return;
    case 'relu':
      normalInto(out, Math.sqrt(2 / fanIn), random);
      return;
    case 'zeros':
      out.fill(0);
      return;
  }
}
