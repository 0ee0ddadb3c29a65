import { readFileSync } from 'node:fs';
import { expect } from 'vitest';

/** Shared test helpers: closeness relative to the expected values' largest magnitude, fixtures, a seeded RNG. */

export interface Tolerance {
  /** Allowed |actual - expected| as a fraction of max |expected| (default 1e-12). */
  rel?: number;
  /** Allowed absolute error, added to the relative allowance (default 0). */
  abs?: number;
}

export function maxAbs(values: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < values.length; i++) m = Math.max(m, Math.abs(values[i]!));
  return m;
}

/** Asserts equal length and max |a - e| <= rel * max|e| + abs; the message names the worst element. */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: Tolerance = {}): void {
  const rel = tol.rel ?? 1e-12;
  const abs = tol.abs ?? 0;
  expect(actual.length, 'length').toBe(expected.length);
  const allowed = rel * maxAbs(expected) + abs;
  let worst = 0;
  let at = -1;
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i]!;
    const a = actual[i]!;
    if (Number.isNaN(e) && Number.isNaN(a)) continue;
    const d = Math.abs(a - e);
    if (!(d <= worst)) {
      worst = d;
      at = i;
    }
  }
  if (!(worst <= allowed)) {
    expect.fail(
      `element ${at}: got ${actual[at]}, expected ${expected[at]} (|diff| ${worst.toExponential(3)} > allowed ${allowed.toExponential(3)})`,
    );
  }
}

/** Flattens nested number arrays in row-major order. */
export function flat(nested: unknown): number[] {
  return Array.isArray(nested) ? nested.flatMap((x) => flat(x)) : [nested as number];
}

/** Reads a JSON fixture from the repository's fixtures/ folder, e.g. `loadFixture('golden/signal.json')`. */
export function loadFixture<T = any>(path: string): T {
  return JSON.parse(readFileSync(new URL(`../fixtures/${path}`, import.meta.url), 'utf8')) as T;
}

/** A small seeded generator (mulberry32) for reproducible random test data. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `n` uniform values in [-1, 1) from `random`. */
export function randomValues(random: () => number, n: number): number[] {
  return Array.from({ length: n }, () => random() * 2 - 1);
}
