import { checkTensor, dense, dtypeOf, fromDense, optionsObject } from '@convlab/core';
import type { Tensor } from '@convlab/core';
import type { Parameter } from './layers/layer.js';
import { Random } from './random.js';

/**
 * Anything gradcheck can differentiate: a layer, a whole model, or a loss wrapped as
 * `{ forward: (z) => ce.forward(z, labels), backward: () => ce.backward() }`.
 * When `forward` returns a number, that number is the loss L; when it returns a tensor y, the loss
 * is L = sum(r .* y) for a fixed random r, so that `backward(r)` must return dL/dx.
 */
export interface Differentiable {
  forward(x: Tensor): Tensor | number;
  backward(gy?: Tensor): Tensor;
  parameters?(): Parameter[];
}

export interface GradcheckOptions {
  /** Finite-difference step (default 1e-6). */
  eps?: number;
  /** Largest accepted error, relative to the largest magnitude of the numerical gradient of each tensor (default 1e-6). */
  tol?: number;
  /** Largest accepted absolute error, for gradients that are (nearly) all zero (default 1e-10). */
  atol?: number;
  /** Elements checked per tensor: all when it has at most this many, else a seeded random sample (default 100). */
  samples?: number;
  /** Seed for the projection r and the sampled elements (default 0). */
  seed?: number;
  /** Also check the parameters' gradients (default true). */
  checkParameters?: boolean;
}

/** The comparison for one tensor: the input (`'input'`) or a parameter by name. */
export interface GradcheckEntry {
  name: string;
  /** Elements compared. */
  checked: number;
  /** max |analytic - numeric| over the compared elements. */
  maxError: number;
  /** max |numeric| over the compared elements. */
  scale: number;
  /** maxError / max(scale, tiny); compared with tol. */
  relError: number;
  ok: boolean;
  /** The worst element: its flat index and both values. */
  worst: { index: number; analytic: number; numeric: number };
}

export interface GradcheckResult {
  ok: boolean;
  entries: GradcheckEntry[];
  /** The largest relative error over all entries. */
  maxRelError: number;
}

/**
 * Compares the analytic gradients of `f` (dL/dx from `backward`, dL/dparameter accumulated into each
 * parameter's `grad`) with central differences (L(v + eps) - L(v - eps)) / (2 eps), in float64.
 * The input and every parameter must be float64: in float32 the differences drown in round-off.
 * Zeroes the parameters' gradients before the analytic pass; leaves the values as they were.
 */
export function gradcheck(f: Differentiable, input: Tensor, optionsIn: GradcheckOptions | null = {}): GradcheckResult {
  const who = 'gradcheck';
  const options = optionsObject(optionsIn, who);
  if (!f || typeof f.forward !== 'function' || typeof f.backward !== 'function') {
    throw new Error(`${who}: the first argument needs forward and backward methods`);
  }
  checkTensor(input, who, 'input');
  const eps = options.eps ?? 1e-6;
  const tol = options.tol ?? 1e-6;
  const atol = options.atol ?? 1e-10;
  const samples = options.samples ?? 100;
  if (!(eps > 0) || !(tol > 0) || !(atol >= 0) || !(samples >= 1)) {
    throw new Error(`${who}: eps and tol must be positive, atol non-negative and samples at least 1`);
  }
  const params = options.checkParameters === false ? [] : (f.parameters?.() ?? []);
  if (dtypeOf(input) !== 'float64') throw new Error(`${who}: the input must be float64, got ${dtypeOf(input)}`);
  for (const p of params) {
    if (dtypeOf(p.value) !== 'float64') {
      throw new Error(`${who}: parameter ${p.name} is ${dtypeOf(p.value)}; build the layer with dtype 'float64' to check it`);
    }
  }
  const random = new Random(options.seed ?? 0);
  // A private contiguous copy of the input, perturbed in place.
  const x = denseCopy(input);
  const xTensor = fromDense(x, input.shape);

  // Analytic pass. For a tensor output, the projection r is drawn once, here.
  for (const p of params) p.grad.data.fill(0);
  const y0 = f.forward(xTensor);
  let r: Float64Array | null = null;
  let gxTensor: Tensor;
  if (typeof y0 === 'number') {
    gxTensor = f.backward();
  } else {
    r = new Float64Array(y0.size);
    for (let i = 0; i < r.length; i++) r[i] = random.uniform(-1, 1);
    gxTensor = f.backward(fromDense(r, y0.shape));
  }
  const loss = (): number => {
    const y = f.forward(xTensor);
    if (typeof y === 'number') return y;
    if (r === null || y.size !== r.length) throw new Error(`${who}: forward changed its output from a number to a tensor or changed its size`);
    return dot(dense(y, 'float64').data, r);
  };
  const gx = denseCopy(gxTensor);
  if (gx.length !== x.length) {
    throw new Error(`${who}: backward returned ${gx.length} elements for an input of ${x.length}`);
  }
  const analytic = params.map((p) => denseCopy(p.grad));

  const entries: GradcheckEntry[] = [];
  entries.push(compare('input', x, gx, loss, eps, tol, atol, samples, random));
  params.forEach((p, i) => {
    const value = p.value;
    const data = value.data as Float64Array;
    if (value.offset !== 0 || data.length !== value.size) {
      throw new Error(`${who}: parameter ${p.name} must be a contiguous tensor`);
    }
    entries.push(compare(p.name, data, analytic[i]!, loss, eps, tol, atol, samples, random));
  });
  const maxRelError = Math.max(...entries.map((e) => e.relError));
  return { ok: entries.every((e) => e.ok), entries, maxRelError };
}

function compare(
  name: string,
  values: Float64Array,
  analytic: Float64Array,
  loss: () => number,
  eps: number,
  tol: number,
  atol: number,
  samples: number,
  random: Random,
): GradcheckEntry {
  const indices = pick(values.length, samples, random);
  let maxError = 0;
  let scale = 0;
  let worst = { index: -1, analytic: 0, numeric: 0 };
  for (const i of indices) {
    const saved = values[i]!;
    values[i] = saved + eps;
    const plus = loss();
    values[i] = saved - eps;
    const minus = loss();
    values[i] = saved;
    const numeric = (plus - minus) / (2 * eps);
    const error = Math.abs(analytic[i]! - numeric);
    scale = Math.max(scale, Math.abs(numeric));
    if (!(error <= maxError)) {
      maxError = error;
      worst = { index: i, analytic: analytic[i]!, numeric };
    }
  }
  const relError = maxError / Math.max(scale, Number.MIN_VALUE);
  const ok = maxError <= tol * scale + atol;
  return { name, checked: indices.length, maxError, scale, relError, ok, worst };
}

/** All indices below n, or a seeded sample of `samples` distinct ones. */
function pick(n: number, samples: number, random: Random): number[] {
  const all = Array.from({ length: n }, (_, i) => i);
  if (n <= samples) return all;
  for (let i = 0; i < samples; i++) {
    const j = i + random.int(n - i);
    const t = all[i]!;
    all[i] = all[j]!;
    all[j] = t;
  }
  return all.slice(0, samples).sort((a, b) => a - b);
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** The tensor's elements as a new contiguous Float64Array (a copy, so later calls cannot change it). */
function denseCopy(t: Tensor): Float64Array {
  const d = dense(t, 'float64').data as Float64Array;
  return d === t.data ? d.slice() : d;
}
