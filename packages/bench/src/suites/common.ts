/** What the suites share: seeded data, measuring one operation's strategies, comparing outputs. */
import { dense, fromDense } from '@convlab/core';
import type { FloatArray, Tensor } from '@convlab/core';
import { Random } from '@convlab/nn';
import { measureInterleavedAsync, type PreparedCase, type RunEvent } from '../harness.js';
import type { BenchContext, BenchRow } from '../suite.js';

/** A float32 tensor of uniform values in [-scale, scale), the same for the same seed. */
export function randomTensor(shape: readonly number[], seed: number, scale = 1): Tensor {
  const rng = new Random(seed);
  let n = 1;
  for (const d of shape) n *= d;
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = rng.uniform(-scale, scale);
  return fromDense(data, shape);
}

export function shapeText(shape: readonly number[]): string {
  return shape.join('x');
}

/** max |a - b| / max |b|: how far a strategy's output is from the reference output. */
export function relativeDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return scale === 0 ? diff : diff / scale;
}

/** The numbers a case produced, for the cross-check: a tensor, a typed array, or nothing to compare. */
function valuesOf(output: unknown): FloatArray | undefined {
  if (output instanceof Float32Array || output instanceof Float64Array) return output;
  if (output && typeof output === 'object' && 'data' in output && 'shape' in output) {
    const t = output as Tensor;
    if (t.data instanceof Float32Array || t.data instanceof Float64Array) return dense(t).data;
  }
  return undefined;
}

export interface StrategyCase extends PreparedCase {
  strategy: string;
  lectureSeconds?: number;
  flops?: number;
  note?: string;
  /** Outputs to compare with the first case's (default: what `run` returns, when it is a tensor). */
  compare?: boolean;
}

export interface OperationSpec {
  operation: string;
  key: string;
  cases: StrategyCase[];
  /** Timed runs for this operation (default: the context's repeat). */
  repeat?: number;
  warmup?: number;
  /** Said in every row's note, e.g. why the operation ran fewer times. */
  note?: string;
  params?: Record<string, number | string>;
}

/**
 * Times one operation's strategies interleaved (A B C, A B C...), then checks that every
 * strategy computed the same numbers as the first (from its last run, so nothing runs twice).
 */
export async function measureOperation(context: BenchContext, spec: OperationSpec): Promise<BenchRow[]> {
  const last = new Map<string, unknown>();
  const cases: Record<string, PreparedCase> = {};
  for (const c of spec.cases) {
    cases[c.strategy] = {
      prepare: c.prepare,
      run: async () => {
        last.set(c.strategy, await c.run());
      },
    };
  }
  const repeat = spec.repeat ?? context.repeat;
  const warmup = spec.warmup ?? context.warmup;
  const timings = await measureInterleavedAsync(cases, {
    repeat,
    warmup,
    onRun: (e: RunEvent) =>
      context.progress(`${spec.operation}: ${e.name} (${e.phase === 'warmup' ? 'warm-up' : 'run'} ${e.round}/${e.rounds})`),
  });
  const reference = valuesOf(last.get(spec.cases[0]!.strategy));
  return spec.cases.map((c) => {
    const values = c.compare === false ? undefined : valuesOf(last.get(c.strategy));
    const row: BenchRow = { operation: spec.operation, key: spec.key, strategy: c.strategy, timing: timings[c.strategy]! };
    if (c.flops !== undefined) row.flops = c.flops;
    if (c.lectureSeconds !== undefined) row.lectureSeconds = c.lectureSeconds;
    const note = [c.note, spec.note].filter(Boolean).join('; ');
    if (note) row.note = note;
    if (reference && values) row.maxRelDiff = relativeDifference(values, reference);
    if (spec.params) row.params = spec.params;
    return row;
  });
}

/** Multiply-adds of a valid 2-D cross-correlation layer, as floating-point operations (2 per MAC). */
export function convFlops(n: number, c: number, k: number, oh: number, ow: number, kh: number, kw: number): number {
  return 2 * n * c * k * oh * ow * kh * kw;
}
