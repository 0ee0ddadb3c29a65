import { optionsObject } from '../options.js';
import type { FloatArray } from '../tensor.js';
import { gemmArgs, type GemmOptions } from '../linalg/gemm-args.js';
import { gemmInto } from '../linalg/gemm.js';
import { poolOf } from './default-pool.js';
import { gemmTask } from './kernel-tasks.js';
import { splitRange } from './partition.js';
import type { WorkerPool } from './pool.js';
import { SLOTS, stage, unstage } from './shared.js';

export interface ParallelOptions {
  /** The pool to run on (default: `defaultPool()`, sized by `setNumThreads`). */
  pool?: WorkerPool;
  /**
   * Multiply-adds (element reads for reductions) below which a call stays on the calling thread
   * (default MIN_PARALLEL_WORK). The result does not depend on it beyond round-off.
   */
  minWork?: number;
}

/** Below this many multiply-adds a call runs on the calling thread: a worker round trip costs about 0.1 ms. */
export const MIN_PARALLEL_WORK = 1 << 18;

/** GEMM rows (or columns) per register tile: block boundaries on a multiple keep every tile full. */
const TILE = 4;

/**
 * `gemmInto` on all threads: C's rows (or its columns when C is wider than tall) are split into one
 * fixed block per thread and each block is an independent GEMM, so every element of C gets exactly
 * the arithmetic of the single-threaded call; the result is the same bit for bit at any thread count.
 * Operands outside shared memory are staged through shared work buffers.
 */
export function gemmParallelInto<C extends FloatArray>(
  c: C,
  a: FloatArray,
  b: FloatArray,
  m: number,
  n: number,
  k: number,
  optionsIn: (GemmOptions & ParallelOptions) | null = {},
): C {
  const options = optionsObject(optionsIn, 'gemmParallel');
  const g = gemmArgs('gemmParallel', c, a, b, m, n, k, options);
  const pool = poolOf(options.pool);
  const byColumns = n > m;
  const parts = splitRange(byColumns ? n : m, pool.threads, TILE);
  if (parts.length < 2 || m * n * k < (options.minWork ?? MIN_PARALLEL_WORK)) return gemmInto(c, a, b, m, n, k, options);
  const sa = stage(a, SLOTS.in1, a.length);
  const sb = stage(b, SLOTS.in2, b.length);
  const sc = stage(c, SLOTS.out, c.length);
  pool.run(gemmTask, { ...g, c: sc, a: sa, b: sb, byColumns }, parts);
  unstage(c, sc, c.length);
  return c;
}
