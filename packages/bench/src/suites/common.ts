/** What the suites share: seeded data, measuring one operation's strategies, comparing outputs. */
import { dense, fromDense, getNumThreads, setNumThreads, setSimd, simdRequested, wasmRelaxedSimdSupported, wasmSimdSupported } from '@convlab/core';
import type { FloatArray, Tensor } from '@convlab/core';
import { performance } from 'node:perf_hooks';
import { randomTensor } from '../random-tensor.js';
import { measureInterleavedAsync, summarize, type PreparedCase, type RunEvent } from '../harness.js';
import type { BenchContext, BenchRow } from '../suite.js';

export { randomTensor };

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
  /** false: nothing to compare. Default: what the last `run` returned, when it is a tensor or a typed array. */
  compare?: boolean;
  /** The output to compare, computed once after the timing (for outputs `run` does not return as NCHW). */
  check?: () => ArrayLike<number>;
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
  /**
   * Fast cases: each timed sample repeats the call until it lasts about this long (calibrated on
   * three calls per case, which double as a warm-up) and reports the time per call.
   */
  minSampleMs?: number;
}

/** How many calls make one sample of at least `minMs`, from the fastest of three single calls. */
async function callsPerSample(run: () => unknown, minMs: number): Promise<number> {
  let once = Infinity;
  for (let i = 0; i < 3; i++) {
    const start = performance.now();
    await run();
    once = Math.min(once, performance.now() - start);
  }
  return once >= minMs ? 1 : Math.min(10_000, Math.ceil(minMs / Math.max(once, 1e-3)));
}

/**
 * Times one operation's strategies interleaved (A B C, A B C...), then checks that every
 * strategy computed the same numbers as the first (from its last run, so nothing runs twice).
 */
export async function measureOperation(context: BenchContext, spec: OperationSpec): Promise<BenchRow[]> {
  const last = new Map<string, unknown>();
  const cases: Record<string, PreparedCase> = {};
  const calls = new Map<string, number>();
  for (const c of spec.cases) {
    let count = 1;
    if (spec.minSampleMs !== undefined) {
      await c.prepare?.();
      count = await callsPerSample(c.run, spec.minSampleMs);
    }
    calls.set(c.strategy, count);
    cases[c.strategy] = {
      prepare: c.prepare,
      run: async () => {
        let out: unknown;
        for (let i = 0; i < count; i++) out = await c.run();
        last.set(c.strategy, out);
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
  const outputOf = async (c: StrategyCase): Promise<ArrayLike<number> | undefined> => {
    if (c.compare === false) return undefined;
    if (c.check) {
      await c.prepare?.();
      return c.check();
    }
    return valuesOf(last.get(c.strategy));
  };
  const outputs: Array<ArrayLike<number> | undefined> = [];
  for (const c of spec.cases) outputs.push(await outputOf(c));
  const reference = outputs[0];
  return spec.cases.map((c, i) => {
    const values = outputs[i];
    const count = calls.get(c.strategy)!;
    const timing = count === 1 ? timings[c.strategy]! : summarize(timings[c.strategy]!.times.map((t) => t / count));
    const row: BenchRow = { operation: spec.operation, key: spec.key, strategy: c.strategy, timing };
    if (c.flops !== undefined) row.flops = c.flops;
    if (c.lectureSeconds !== undefined) row.lectureSeconds = c.lectureSeconds;
    const note = [c.note, spec.note, count > 1 ? `${count} calls a sample` : undefined].filter(Boolean).join('; ');
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

/**
 * Runs `body` with convlab's default thread count set to `threads` (nn's layers read it), then
 * puts the previous setting back. The lecture's loops and numpy ran on one core, and so does
 * TensorFlow.js's wasm backend here: the reproduction compares one thread with one thread.
 */
export async function withThreads<T>(threads: number, body: () => Promise<T>): Promise<T> {
  const before = getNumThreads();
  setNumThreads(threads);
  try {
    return await body();
  } finally {
    setNumThreads(before);
  }
}

/** The suffix of a strategy on the WebAssembly SIMD path (f32x4, with relaxed SIMD's FMA where the runtime has it). */
export function simdLabel(): string {
  return wasmRelaxedSimdSupported() ? 'WebAssembly SIMD (FMA)' : 'WebAssembly SIMD';
}

/** `run` with the float32 kernels on the SIMD path (`on`) or the pure-JavaScript one, the setting restored after. */
export function withSimd<T>(on: boolean, run: () => T): T {
  const before = simdRequested();
  setSimd(on);
  try {
    return run();
  } finally {
    setSimd(before);
  }
}

/**
 * The case `make` builds, on the pure-JavaScript path under its own name, followed (where the
 * runtime has WebAssembly SIMD) by a second case from `make` on the SIMD path, named with the SIMD
 * suffix. Each twin is built separately, so stateful cases (a model being trained) share nothing.
 */
export function simdTwins(make: () => StrategyCase): StrategyCase[] {
  const on = (simd: boolean): StrategyCase => {
    const c = make();
    return {
      ...c,
      ...(simd ? { strategy: `${c.strategy}, ${simdLabel()}`, lectureSeconds: undefined } : {}),
      run: () => withSimd(simd, c.run),
      ...(c.check ? { check: () => withSimd(simd, c.check!) } : {}),
    };
  };
  return wasmSimdSupported() ? [on(false), on(true)] : [on(false)];
}
