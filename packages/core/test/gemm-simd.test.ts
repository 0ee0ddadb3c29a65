import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  WorkerPool,
  gemmInto,
  gemmParallelInto,
  gemmReferenceInto,
  setSimd,
  simdEnabled,
  simdRequested,
  wasmSimdSupported,
  type GemmOptions,
} from '@convlab/core';
import { SIMD_KC, SIMD_MC, SIMD_NC } from '../src/wasm/gemm-kernel.js';
import { expectClose, randomValues, seededRandom } from '../../../testing/close.js';
import { ensureCoreBuilt } from './parallel-build.js';

/*
 * The float32 GEMM on its two paths, the WebAssembly SIMD micro-kernel and the pure-JavaScript one:
 * each against the float64 triple loop, and against each other, on sizes that leave every register
 * tile and cache block with an edge; the SIMD path's determinism at any thread count; and the
 * switches that choose the path.
 */

const random = seededRandom(1515);
const float32 = (n: number) => Float32Array.from(randomValues(random, n));

function same(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

interface Problem {
  a: Float32Array;
  b: Float32Array;
  c0: Float32Array;
}

function problem(m: number, n: number, k: number, options: GemmOptions): Problem {
  const lda = options.lda ?? (options.transA ? m : k);
  const ldb = options.ldb ?? (options.transB ? k : n);
  const ldc = options.ldc ?? n;
  return {
    a: float32((options.offsetA ?? 0) + (options.transA ? k : m) * lda),
    b: float32((options.offsetB ?? 0) + (options.transB ? n : k) * ldb),
    c0: float32((options.offsetC ?? 0) + m * ldc),
  };
}

/**
 * Both paths against the reference summed in doubles from the same float32 inputs. Float32 sums
 * of k products err by about sqrt(k) * 2^-24 of the largest product sum; 2e-6 of the result's
 * largest magnitude bounds that for the depths here (up to 600).
 */
function expectBothPaths(m: number, n: number, k: number, options: GemmOptions = {}): void {
  const { a, b, c0 } = problem(m, n, k, options);
  const reference = gemmReferenceInto(Float64Array.from(c0), Float64Array.from(a), Float64Array.from(b), m, n, k, options);
  const simd = gemmInto(c0.slice(), a, b, m, n, k, { ...options, simd: true });
  const scalar = gemmInto(c0.slice(), a, b, m, n, k, { ...options, simd: false });
  expectClose(simd, reference, { rel: 2e-6 });
  expectClose(scalar, reference, { rel: 1e-6 });
  expectClose(simd, scalar, { rel: 2e-6 });
}

describe.skipIf(!wasmSimdSupported())('float32 GEMM, WebAssembly SIMD and pure JavaScript', () => {
  it('multiplies small integer matrices exactly on both paths', () => {
    const a = Float32Array.of(1, 2, 3, 4, 5, 6);
    const b = Float32Array.of(7, 8, 9, 10, 11, 12);
    for (const simd of [true, false]) {
      expect(Array.from(gemmInto(new Float32Array(4), a, b, 2, 2, 3, { simd }))).toEqual([58, 64, 139, 154]);
    }
  });

  const sizes = [1, 5, 8, 33, 67];
  for (const transA of [false, true]) {
    for (const transB of [false, true]) {
      it(`matches the reference on sizes ${sizes.join(', ')} (transA ${transA}, transB ${transB})`, () => {
        for (const m of sizes) for (const n of sizes) for (const k of [1, 9, 129]) expectBothPaths(m, n, k, { transA, transB });
      });
    }
  }

  it(`crosses the SIMD blocks (k > ${SIMD_KC}, m > ${SIMD_MC}, n > ${SIMD_NC})`, () => {
    expectBothPaths(SIMD_MC + 3, SIMD_NC + 21, SIMD_KC + 7);
    expectBothPaths(SIMD_MC + 9, 13, 2 * SIMD_KC + 88, { transA: true, transB: true });
  });

  it('applies alpha, beta, leading dimensions and offsets; beta 0 ignores a C full of NaN', () => {
    for (const [alpha, beta] of [[1, 1], [2.5, -0.5], [-1, 0], [0.5, 2]] as const) expectBothPaths(33, 17, 65, { alpha, beta, transB: true });
    expectBothPaths(30, 21, 40, { transA: true, lda: 35, ldb: 25, ldc: 22, offsetA: 3, offsetB: 5, offsetC: 7 });
    const c = new Float32Array(6).fill(NaN);
    gemmInto(c, Float32Array.of(1, 2), Float32Array.of(1, 2, 3), 2, 3, 1, { simd: true });
    expect(Array.from(c)).toEqual([1, 2, 3, 2, 4, 6]);
  });

  it('sums in float32 on the SIMD path: a product the scalar path gets exactly is rounded', () => {
    // 1 + 2^-24 + 2^-24: doubles keep both small terms, float32 loses each against 1.
    const a = Float32Array.of(1, 2 ** -24, 2 ** -24);
    const b = Float32Array.of(1, 1, 1);
    expect(gemmInto(new Float32Array(1), a, b, 1, 1, 3, { simd: false })[0]).toBe(Math.fround(1 + 2 ** -23));
    expect(gemmInto(new Float32Array(1), a, b, 1, 1, 3, { simd: true })[0]).toBe(1);
  });

  it('keeps a float64 operand on the pure-JavaScript path; float32 operands into a float64 C take the SIMD one', () => {
    const a = Float64Array.from(randomValues(random, 40 * 30));
    const b = float32(30 * 20);
    const on = gemmInto(new Float64Array(40 * 20), a, b, 40, 20, 30, { simd: true });
    const off = gemmInto(new Float64Array(40 * 20), a, b, 40, 20, 30, { simd: false });
    expect(same(on, off)).toBe(true);
    const a32 = Float32Array.from(a);
    const reference = gemmReferenceInto(new Float64Array(40 * 20), a32, b, 40, 20, 30);
    const simd = gemmInto(new Float64Array(40 * 20), a32, b, 40, 20, 30, { simd: true });
    const scalar = gemmInto(new Float64Array(40 * 20), a32, b, 40, 20, 30, { simd: false });
    expectClose(simd, reference, { rel: 2e-6 });
    expectClose(scalar, reference, { rel: 1e-14 });
    expect(same(simd, scalar)).toBe(false);
  });

  it('names a simd option that is not a boolean', () => {
    expect(() => gemmInto(new Float32Array(1), new Float32Array(1), new Float32Array(1), 1, 1, 1, { simd: 1 as unknown as boolean })).toThrow(
      'gemm: simd must be true or false, got 1',
    );
  });
});

describe.skipIf(!wasmSimdSupported())('threads and the SIMD switch', () => {
  const pools: WorkerPool[] = [];
  let before = true;
  beforeAll(async () => {
    ensureCoreBuilt();
    before = simdRequested();
    for (const threads of [2, 3]) {
      const pool = new WorkerPool({ threads });
      await pool.start();
      pools.push(pool);
    }
  }, 120_000);
  afterAll(async () => {
    setSimd(before);
    await Promise.all(pools.map((p) => p.shutdown()));
  });

  it('gives the single-threaded SIMD result bit for bit on 2 and 3 threads, each worker on its own kernel', () => {
    const [m, n, k] = [203, 150, 300];
    const { a, b, c0 } = problem(m, n, k, { transB: true });
    setSimd(true);
    const single = gemmInto(c0.slice(), a, b, m, n, k, { transB: true });
    const scalar = gemmInto(c0.slice(), a, b, m, n, k, { transB: true, simd: false });
    expect(same(single, scalar)).toBe(false);
    for (const pool of pools) {
      const threaded = gemmParallelInto(c0.slice(), a, b, m, n, k, { transB: true, pool, minWork: 0 });
      expect(same(threaded, single)).toBe(true);
    }
  });

  it("passes the caller's setSimd(false) to the workers: every part takes the pure-JavaScript path", () => {
    const [m, n, k] = [120, 64, 200];
    const { a, b, c0 } = problem(m, n, k, {});
    setSimd(false);
    expect(simdEnabled()).toBe(false);
    const scalar = gemmInto(c0.slice(), a, b, m, n, k);
    for (const pool of pools) expect(same(gemmParallelInto(c0.slice(), a, b, m, n, k, { pool, minWork: 0 }), scalar)).toBe(true);
    setSimd(true);
    const simd = gemmInto(c0.slice(), a, b, m, n, k);
    expect(same(simd, scalar)).toBe(false);
    for (const pool of pools) expect(same(gemmParallelInto(c0.slice(), a, b, m, n, k, { pool, minWork: 0 }), simd)).toBe(true);
  });

  it('runs the fused kernel (relaxed SIMD, as the CLI enables it on Node 20) within float32 round-off of the doubles', () => {
    const core = new URL('../dist/index.js', import.meta.url).href;
    const script = `
      const { setFlagsFromString } = await import('node:v8');
      setFlagsFromString('--experimental-wasm-relaxed-simd');
      const m = await import(${JSON.stringify(core)});
      const [rows, cols, depth] = [37, 45, 700];
      let s = 1;
      const next = () => ((s = (s * 48271) % 2147483647) / 2147483647) * 2 - 1;
      const a = Float32Array.from({ length: rows * depth }, next);
      const b = Float32Array.from({ length: depth * cols }, next);
      const fused = m.gemmInto(new Float32Array(rows * cols), a, b, rows, cols, depth, { simd: true });
      const exact = m.gemmReferenceInto(new Float64Array(rows * cols), a, b, rows, cols, depth);
      let worst = 0, largest = 0;
      for (let i = 0; i < exact.length; i++) {
        worst = Math.max(worst, Math.abs(fused[i] - exact[i]));
        largest = Math.max(largest, Math.abs(exact[i]));
      }
      console.log(JSON.stringify({ relaxed: m.wasmRelaxedSimdSupported(), error: worst / largest }));`;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
    expect(child.stderr).toBe('');
    const { relaxed, error } = JSON.parse(child.stdout.trim()) as { relaxed: boolean; error: number };
    expect(relaxed).toBe(true);
    expect(error).toBeGreaterThan(0);
    expect(error).toBeLessThan(2e-6);
  });

  it('starts from CONVLAB_SIMD (0 or 1, default on) and names a bad value; setSimd checks its argument', () => {
    const core = new URL('../dist/index.js', import.meta.url).href;
    const run = (value: string | undefined) =>
      spawnSync(process.execPath, ['--input-type=module', '-e', `const m = await import(${JSON.stringify(core)}); console.log(m.simdEnabled());`], {
        encoding: 'utf8',
        timeout: 30_000,
        env: { ...process.env, CONVLAB_SIMD: value ?? '' },
      });
    expect(run('0').stdout.trim()).toBe('false');
    expect(run('1').stdout.trim()).toBe('true');
    expect(run(undefined).stdout.trim()).toBe('true');
    const bad = run('yes');
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain('CONVLAB_SIMD must be 0 or 1, got "yes"');
    expect(() => setSimd('no' as unknown as boolean)).toThrow('setSimd: enabled must be true or false, got "no"');
  });
});
