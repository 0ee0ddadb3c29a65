import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { threadId } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  WorkerPool,
  defaultPool,
  getNumThreads,
  setNumThreads,
  shutdownPool,
  conv2dDirectInto,
  conv2dGradBiasInto,
  conv2dGradInputDirectInto,
  conv2dGradInputIm2colInto,
  conv2dGradWeightDirectInto,
  conv2dGradWeightIm2colInto,
  conv2dGradBiasParallelInto,
  conv2dGradInputParallelInto,
  conv2dGradWeightParallelInto,
  conv2dIm2colInto,
  conv2dParallelInto,
  convInfo,
  defineTask,
  gemmInto,
  gemmParallelInto,
  isShared,
  sharedArrayFor,
  splitRange,
  type Conv2dOptions,
  type ConvInfo,
  type FloatArray,
  type GemmOptions,
} from '@convlab/core';
import { expectClose, randomValues, seededRandom } from '../../../testing/close.js';
import { ensureCoreBuilt } from './parallel-build.js';
import { implicitWeightGradParts, weightGradSplit } from '../src/parallel/conv2d-parallel.js';
import { implicitIm2colChosen, implicitIm2colFits } from '../src/conv/implicit-im2col.js';

const random = seededRandom(2024);
type Kind = 'float32' | 'float64';

function randomArray(n: number, kind: Kind, shared = false): FloatArray {
  const out = shared ? sharedArrayFor(kind, n) : kind === 'float32' ? new Float32Array(n) : new Float64Array(n);
  out.set(randomValues(random, n));
  return out;
}

function same(a: FloatArray, b: FloatArray): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

/** A task in a data: URL module, so the worker can import it without a build. */
function inlineTask(source: string, name: string, run: (args: any, start: number, end: number, part: number) => void) {
  return defineTask(`data:text/javascript,${encodeURIComponent(source)}`, name, run);
}

const pools: WorkerPool[] = [];
function pool(threads: number): WorkerPool {
  const p = new WorkerPool({ threads });
  pools.push(p);
  return p;
}

/** Pools for the parity tests, started up front so that every part really runs on its own thread. */
const started = new Map<number, WorkerPool>();
async function startedPool(threads: number): Promise<WorkerPool> {
  let p = started.get(threads);
  if (!p) {
    p = pool(threads);
    await p.start();
    started.set(threads, p);
  }
  return p;
}

beforeAll(() => ensureCoreBuilt(), 120_000);
afterAll(async () => {
  await Promise.all(pools.map((p) => p.shutdown()));
});

describe('splitRange', () => {
  it('cuts a range into near-equal contiguous parts, larger parts first', () => {
    expect(splitRange(10, 3)).toEqual([
      [0, 4],
      [4, 7],
      [7, 10],
    ]);
    expect(splitRange(500, 2)).toEqual([
      [0, 250],
      [250, 500],
    ]);
  });

  it('keeps part boundaries on multiples of align; the last part takes the remainder', () => {
    expect(splitRange(10, 2, 4)).toEqual([
      [0, 8],
      [8, 10],
    ]);
    expect(splitRange(500, 3, 4)).toEqual([
      [0, 168],
      [168, 336],
      [336, 500],
    ]);
  });

  it('returns fewer parts than asked when there are fewer units, and none for an empty range', () => {
    expect(splitRange(3, 8)).toEqual([
      [0, 1],
      [1, 2],
      [2, 3],
    ]);
    expect(splitRange(6, 4, 4)).toEqual([
      [0, 4],
      [4, 6],
    ]);
    expect(splitRange(0, 4)).toEqual([]);
  });

  it('covers every index exactly once for many sizes', () => {
    for (let total = 0; total < 40; total++) {
      for (let parts = 1; parts < 6; parts++) {
        for (const align of [1, 3, 4]) {
          const ranges = splitRange(total, parts, align);
          let next = 0;
          for (const [start, end] of ranges) {
            expect(start).toBe(next);
            expect(end).toBeGreaterThan(start);
            if (end !== total) expect(end % align).toBe(0);
            next = end;
          }
          expect(next).toBe(total);
          expect(ranges.length).toBeLessThanOrEqual(parts);
        }
      }
    }
  });

  it('rejects bad arguments with the numbers', () => {
    expect(() => splitRange(-1, 2)).toThrow(/total must be a non-negative integer, got -1/);
    expect(() => splitRange(4, 0)).toThrow(/parts must be a positive integer, got 0/);
    expect(() => splitRange(4, 2, 1.5)).toThrow(/align must be a positive integer, got 1.5/);
  });
});

describe('shared memory helpers', () => {
  it('allocates zeroed shared arrays of each dtype', () => {
    const a = sharedArrayFor('float32', 5);
    const b = sharedArrayFor('float64', 3);
    expect(a).toBeInstanceOf(Float32Array);
    expect(b).toBeInstanceOf(Float64Array);
    expect(Array.from(a)).toEqual([0, 0, 0, 0, 0]);
    expect(isShared(a) && isShared(b)).toBe(true);
    expect(isShared(new Float32Array(2))).toBe(false);
  });
});

describe('WorkerPool', () => {
  const sumSource = `
    export function fill(args, start, end, part) {
      for (let i = start; i < end; i++) args.out[i] = i * args.scale + part * 1000;
    }
    export function boom(args, start) {
      if (start > 0) throw new Error('bad block at ' + start);
    }
    export function quit(args, start) {
      if (start > 0) process.exit(7);
    }
    import { threadId } from 'node:worker_threads';
    export function where(args, start, end, part) {
      args.out[part] = threadId;
    }`;
  const fill = inlineTask(sumSource, 'fill', (args: { out: Float64Array; scale: number }, start, end, part) => {
    for (let i = start; i < end; i++) args.out[i] = i * args.scale + part * 1000;
  });

  it('with 1 thread runs inline and starts no worker', () => {
    const p = pool(1);
    const out = new Float64Array(6);
    p.run(fill, { out, scale: 2 }, [[0, 6]]);
    expect(Array.from(out)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(p.started).toBe(false);
  });

  it('runs part 0 on the calling thread and the others on workers, writing into shared memory', () => {
    const p = pool(3);
    const out = sharedArrayFor('float64', 10) as Float64Array;
    p.run(fill, { out, scale: 1 }, splitRange(10, 3));
    // Each part leaves its number in the thousands: parts 1 and 2 really ran their own ranges.
    expect(Array.from(out)).toEqual([0, 1, 2, 3, 1004, 1005, 1006, 2007, 2008, 2009]);
    expect(p.started).toBe(true);
    // Workers start once: a second call reuses them.
    p.run(fill, { out, scale: 10 }, splitRange(10, 3));
    expect(Array.from(out)).toEqual([0, 10, 20, 30, 1040, 1050, 1060, 2070, 2080, 2090]);
  });

  it('once started, runs each part on its own thread', async () => {
    const p = pool(3);
    await p.start();
    const where = inlineTask(sumSource, 'where', (args: { out: Float64Array }, _start, _end, part) => {
      args.out[part] = threadId;
    });
    const out = sharedArrayFor('float64', 3) as Float64Array;
    p.run(where, { out }, splitRange(3, 3));
    expect(out[0]).toBe(threadId);
    expect(new Set(out).size).toBe(3);
  });

  it('turns an error thrown in a worker into an Error naming the task and the part', async () => {
    const p = pool(2);
    await p.start();
    const boom = inlineTask(sumSource, 'boom', () => {});
    expect(() => p.run(boom, {}, splitRange(8, 2))).toThrow(
      'WorkerPool: boom part 1 of 2 (indices 4-7) failed in worker 1: bad block at 4',
    );
    // The pool stays usable.
    const out = sharedArrayFor('float64', 4) as Float64Array;
    p.run(fill, { out, scale: 1 }, splitRange(4, 2));
    expect(Array.from(out)).toEqual([0, 1, 1002, 1003]);
  });

  it('reports a worker that exits mid-call, then starts fresh workers', async () => {
    const p = pool(2);
    await p.start();
    const quit = inlineTask(sumSource, 'quit', () => {});
    expect(() => p.run(quit, {}, splitRange(8, 2))).toThrow(/worker 1 exited while running quit part 1 of 2/);
    const out = sharedArrayFor('float64', 4) as Float64Array;
    p.run(fill, { out, scale: 3 }, splitRange(4, 2));
    expect(Array.from(out)).toEqual([0, 3, 1006, 1009]);
  });

  it('rethrows an error of the calling thread\'s part after the workers finish', async () => {
    const p = pool(2);
    await p.start();
    const failHere = inlineTask(sumSource, 'fill', () => {
      throw new Error('part 0 failed');
    });
    const out = sharedArrayFor('float64', 4) as Float64Array;
    expect(() => p.run(failHere, { out, scale: 1 }, splitRange(4, 2))).toThrow('part 0 failed');
    expect(Array.from(out.subarray(2))).toEqual([1002, 1003]);
  });

  it('names a missing export, unshared arguments and too many parts', async () => {
    const p = pool(2);
    await p.start();
    const missing = inlineTask(sumSource, 'nothing', () => {});
    expect(() => p.run(missing, {}, splitRange(4, 2))).toThrow(/does not export a function named nothing/);
    expect(() => p.run(fill, { out: new Float64Array(4), scale: 1 }, splitRange(4, 2))).toThrow(
      'WorkerPool: argument out of fill is not in shared memory',
    );
    expect(() => p.run(fill, { out: sharedArrayFor('float64', 4), scale: 1 }, splitRange(4, 3))).toThrow(
      'WorkerPool: fill was split into 3 parts, but the pool has 2 threads',
    );
    expect(() => new WorkerPool({ threads: 0 })).toThrow('WorkerPool: threads must be a positive integer, got 0');
  });

  it('refuses arguments that cannot be sent to a worker, and stays usable', async () => {
    const p = pool(3);
    await p.start();
    const out = sharedArrayFor('float64', 6) as Float64Array;
    expect(() => p.run(fill, { out, scale: 1, callback: () => 1 } as never, splitRange(6, 3))).toThrow(
      /^WorkerPool: the arguments of fill cannot be sent to a worker: .*could not be cloned/,
    );
    expect(Array.from(out)).toEqual([0, 0, 0, 0, 0, 0]);
    p.run(fill, { out, scale: 2 }, splitRange(6, 3));
    expect(Array.from(out)).toEqual([0, 2, 1004, 1006, 2008, 2010]);
  });

  it('shuts down and starts again on the next call', async () => {
    const p = pool(2);
    const out = sharedArrayFor('float64', 4) as Float64Array;
    p.run(fill, { out, scale: 1 }, splitRange(4, 2));
    await p.shutdown();
    expect(p.started).toBe(false);
    await p.start();
    p.run(fill, { out, scale: 5 }, splitRange(4, 2));
    expect(Array.from(out)).toEqual([0, 5, 1010, 1015]);
  });

  it('never keeps the process alive: an -e script that leaves its pool running exits, also after a worker error', () => {
    const core = new URL('../dist/index.node.js', import.meta.url).href;
    const script = `
      const { WorkerPool, gemmParallelInto, sharedFloat64Array, defineTask } = await import(${JSON.stringify(core)});
      const pool = new WorkerPool({ threads: 2 });
      const a = sharedFloat64Array(64 * 64).fill(1);
      const c = sharedFloat64Array(64 * 64);
      gemmParallelInto(c, a, a, 64, 64, 64, { pool, minWork: 0 });
      await pool.start();
      const bad = defineTask('data:text/javascript,export function f(a, s) { if (s) throw new Error("x"); }', 'f', () => {});
      try { pool.run(bad, {}, [[0, 1], [1, 2]]); } catch (e) { console.log(e.message); }
      console.log('sum', c[0] + c[4095]);`;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      timeout: 30_000,
      encoding: 'utf8',
      cwd: fileURLToPath(new URL('.', import.meta.url)),
    });
    expect(child.error).toBeUndefined();
    expect(child.status).toBe(0);
    expect(child.stdout).toContain('WorkerPool: f part 1 of 2 (indices 1-1) failed in worker 1: x');
    expect(child.stdout).toContain('sum 128');
  });
});

describe('the default thread setting', () => {
  it('follows setNumThreads, keeps one pool per thread count, and rejects bad counts', async () => {
    const before = getNumThreads();
    // Three threads whatever this machine has (more than the cores would be capped: see below).
    const cores = vi.spyOn(os, 'availableParallelism').mockReturnValue(4);
    try {
      setNumThreads(3);
      expect(getNumThreads()).toBe(3);
      const three = defaultPool();
      expect(three.threads).toBe(3);
      setNumThreads(1);
      expect(defaultPool().threads).toBe(1);
      setNumThreads(3);
      expect(defaultPool()).toBe(three);
      expect(() => setNumThreads(0)).toThrow('setNumThreads: threads must be a positive integer, got 0');
      expect(() => setNumThreads(1.5)).toThrow('setNumThreads: threads must be a positive integer, got 1.5');
    } finally {
      cores.mockRestore();
      setNumThreads(before);
      await shutdownPool();
    }
  });

  it('caps setNumThreads at the cores with one warning line; refuses an explicit pool past 4 threads a core', () => {
    const before = getNumThreads();
    const cores = vi.spyOn(os, 'availableParallelism').mockReturnValue(2);
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    try {
      setNumThreads(500);
      expect(getNumThreads()).toBe(2);
      expect(warn.mock.calls.map((c) => c[0])).toEqual(['setNumThreads: 500 threads is more than the 2 cores of this machine; using 2']);
      setNumThreads(2);
      expect(warn).toHaveBeenCalledTimes(1);
      expect(new WorkerPool({ threads: 8 }).threads).toBe(8);
      expect(() => new WorkerPool({ threads: 300 })).toThrow('WorkerPool: 300 threads is more than 4 per core (this machine has 2 cores)');
    } finally {
      warn.mockRestore();
      cores.mockRestore();
      setNumThreads(before);
    }
  });

  it('starts from CONVLAB_NUM_THREADS, else os.availableParallelism(), and names a bad value', () => {
    const core = new URL('../dist/index.node.js', import.meta.url).href;
    const run = (value: string | undefined) =>
      spawnSync(process.execPath, ['--input-type=module', '-e', `const m = await import(${JSON.stringify(core)}); console.log(m.getNumThreads());`], {
        encoding: 'utf8',
        timeout: 30_000,
        env: { ...process.env, CONVLAB_NUM_THREADS: value ?? '' },
      });
    expect(run('1').stdout.trim()).toBe('1');
    expect(Number(run(undefined).stdout.trim())).toBe(os.availableParallelism());
    const many = run('500');
    expect(Number(many.stdout.trim())).toBe(os.availableParallelism());
    expect(many.stderr).toContain(`CONVLAB_NUM_THREADS: 500 threads is more than the ${os.availableParallelism()} cores of this machine; using ${os.availableParallelism()}`);
    const bad = run('two');
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain('CONVLAB_NUM_THREADS must be a positive integer, got "two"');
  });
});

describe('gemmParallelInto', () => {
  const cases: Array<[string, number, number, number, GemmOptions]> = [
    ['tall, plain', 203, 37, 61, {}],
    ['wide (split by columns), A transposed', 9, 150, 33, { transA: true }],
    ['B transposed, alpha and beta', 97, 64, 129, { transB: true, alpha: -0.5, beta: 2 }],
    ['both transposed, leading dimensions and offsets', 70, 45, 90, { transA: true, transB: true, lda: 75, ldb: 95, ldc: 50, offsetA: 3, offsetB: 5, offsetC: 7 }],
  ];
  for (const kind of ['float32', 'float64'] as const) {
    for (const [name, m, n, k, options] of cases) {
      it(`${kind} ${name} (${m}x${k} * ${k}x${n}): equal to gemmInto on 2 and 3 threads, identical run to run`, async () => {
        const lda = options.lda ?? (options.transA ? m : k);
        const ldb = options.ldb ?? (options.transB ? k : n);
        const ldc = options.ldc ?? n;
        const a = randomArray((options.offsetA ?? 0) + (options.transA ? k : m) * lda, kind);
        const b = randomArray((options.offsetB ?? 0) + (options.transB ? n : k) * ldb, kind);
        const c0 = randomArray((options.offsetC ?? 0) + m * ldc, kind);
        const single = gemmInto(c0.slice(), a, b, m, n, k, options);
        for (const threads of [2, 3]) {
          const p = await startedPool(threads);
          const first = gemmParallelInto(c0.slice(), a, b, m, n, k, { ...options, pool: p, minWork: 0 });
          const again = gemmParallelInto(c0.slice(), a, b, m, n, k, { ...options, pool: p, minWork: 0 });
          expectClose(first, single, { rel: kind === 'float32' ? 1e-6 : 1e-13 });
          expect(same(first, again)).toBe(true);
          // Each element gets the single-threaded arithmetic, so the match is in fact exact.
          expect(same(first, single)).toBe(true);
        }
      });
    }
  }

  it('works on operands already in shared memory without staging', async () => {
    const p = await startedPool(2);
    const a = randomArray(128 * 96, 'float32', true);
    const b = randomArray(96 * 80, 'float32', true);
    const c = sharedArrayFor('float32', 128 * 80);
    gemmParallelInto(c, a, b, 128, 80, 96, { pool: p, minWork: 0 });
    expect(same(c, gemmInto(new Float32Array(128 * 80), a, b, 128, 80, 96))).toBe(true);
  });

  it('validates its arguments like gemmInto', () => {
    expect(() => gemmParallelInto(new Float64Array(3), new Float64Array(4), new Float64Array(4), 2, 2, 2)).toThrow(
      /gemmParallel: C holds 3 elements, but a 2x2 matrix/,
    );
  });
});

interface ConvCase {
  name: string;
  x: [number, number, number, number];
  w: [number, number, number, number];
  options: Conv2dOptions;
}

const convCases: ConvCase[] = [
  { name: 'LeNet layer 1 shape', x: [7, 1, 28, 28], w: [20, 1, 5, 5], options: {} },
  { name: 'LeNet layer 2 shape', x: [5, 20, 12, 12], w: [50, 20, 5, 5], options: {} },
  { name: 'stride, padding, dilation, groups', x: [9, 6, 11, 10], w: [8, 3, 3, 2], options: { stride: [2, 1], padding: [1, 2], dilation: [1, 2], groups: 2 } },
  { name: 'many filters, few taps', x: [6, 1, 10, 10], w: [40, 1, 3, 3], options: {} },
  { name: 'taps across channels, padded', x: [4, 3, 9, 9], w: [6, 3, 3, 3], options: { padding: 1, stride: 2 } },
];

function singleForward(out: FloatArray, x: FloatArray, w: FloatArray, b: FloatArray, info: ConvInfo, method: 'direct' | 'im2col'): void {
  if (method === 'direct') conv2dDirectInto(out, x, w, b, info);
  else conv2dIm2colInto(out, x, w, b, info);
}
function singleGradInput(gx: FloatArray, gy: FloatArray, w: FloatArray, info: ConvInfo, method: 'direct' | 'im2col'): void {
  if (method === 'direct') conv2dGradInputDirectInto(gx, gy, w, info);
  else conv2dGradInputIm2colInto(gx, gy, w, info);
}
function singleGradWeight(gw: FloatArray, x: FloatArray, gy: FloatArray, info: ConvInfo, method: 'direct' | 'im2col'): void {
  if (method === 'direct') conv2dGradWeightDirectInto(gw, x, gy, info);
  else conv2dGradWeightIm2colInto(gw, x, gy, info);
}

describe('threaded conv2d and its gradients', () => {
  for (const kind of ['float32', 'float64'] as const) {
    for (const method of ['im2col', 'direct'] as const) {
      for (const c of convCases) {
        it(`${kind} ${method} ${c.name} x[${c.x}] w[${c.w}]: equal to the single-threaded kernels, identical run to run`, async () => {
          const info = convInfo(c.x, c.w, c.options);
          const nx = c.x.reduce((p, d) => p * d);
          const nw = c.w.reduce((p, d) => p * d);
          const ny = info.batch * info.outChannels * info.outHeight * info.outWidth;
          // Inputs both outside and inside shared memory.
          const shared = c.name.startsWith('LeNet layer 2');
          const x = randomArray(nx, kind, shared);
          const w = randomArray(nw, kind, shared);
          const b = randomArray(info.outChannels, kind, shared);
          const gy = randomArray(ny, kind, shared);
          const make = (n: number): FloatArray => (kind === 'float32' ? new Float32Array(n) : new Float64Array(n));
          const tol = { rel: kind === 'float32' ? 1e-5 : 1e-12 };

          const y1 = make(ny);
          singleForward(y1, x, w, b, info, method);
          const gx1 = make(nx);
          singleGradInput(gx1, gy, w, info, method);
          const gw1 = make(nw);
          singleGradWeight(gw1, x, gy, info, method);
          const gb1 = make(info.outChannels);
          conv2dGradBiasInto(gb1, gy, info.batch, info.outChannels, info.outHeight * info.outWidth);

          for (const threads of [2, 3]) {
            const p = await startedPool(threads);
            const runs = [0, 1].map(() => {
              const y = make(ny);
              conv2dParallelInto(y, x, w, b, info, { pool: p, method, minWork: 0 });
              const gx = make(nx);
              conv2dGradInputParallelInto(gx, gy, w, info, { pool: p, method, minWork: 0 });
              const gw = make(nw);
              conv2dGradWeightParallelInto(gw, x, gy, info, { pool: p, method, minWork: 0 });
              const gb = make(info.outChannels);
              conv2dGradBiasParallelInto(gb, gy, info, { pool: p, minWork: 0 });
              return { y, gx, gw, gb };
            });
            const [r, again] = runs as [(typeof runs)[0], (typeof runs)[0]];
            // Per-sample products: exactly the single-threaded arithmetic.
            expect(same(r.y, y1)).toBe(true);
            expect(same(r.gx, gx1)).toBe(true);
            expect(same(r.gb, gb1)).toBe(true);
            if (method === 'im2col' && (info.groups === 1 || implicitIm2colChosen(info, x, gy))) {
              // Split by blocks of dW (tiles, channels or taps): the single-threaded sums, bit for bit.
              expect(same(r.gw, gw1)).toBe(true);
            } else {
              // Per-thread partial sums over blocks of samples: equal within round-off.
              expectClose(r.gw, gw1, tol);
            }
            for (const key of ['y', 'gx', 'gw', 'gb'] as const) expect(same(r[key], again[key]), key).toBe(true);
          }
        });
      }
    }
  }

  it('splits the implicit im2col weight gradient into even runs of register tiles', async () => {
    // LeNet-5's first layer: 10 filter pairs x 5 blocks of 5 taps.
    const lenet = convInfo([500, 1, 28, 28], [20, 1, 5, 5]);
    expect(implicitIm2colFits(lenet)).toBe(true);
    expect(implicitWeightGradParts(lenet, 2)).toEqual([[0, 25], [25, 50]]);
    expect(implicitWeightGradParts(lenet, 3)).toEqual([[0, 17], [17, 34], [34, 50]]);
    // 3 groups x 2 pairs (3 filters a group) x 4 blocks (2 channels x 9 taps = 18): 24 tiles.
    expect(implicitWeightGradParts(convInfo([2, 6, 9, 9], [9, 2, 3, 3], { groups: 3 }), 2)).toEqual([[0, 12], [12, 24]]);

    const info = convInfo([40, 1, 28, 28], [20, 1, 5, 5]);
    const x = randomArray(40 * 784, 'float32');
    const gy = randomArray(40 * 20 * 576, 'float32');
    const gw1 = new Float32Array(500);
    conv2dGradWeightIm2colInto(gw1, x, gy, info);
    for (const threads of [2, 3]) {
      const p = await startedPool(threads);
      const gw = new Float32Array(500);
      conv2dGradWeightParallelInto(gw, x, gy, info, { pool: p, method: 'im2col', minWork: 0 });
      expect(same(gw, gw1)).toBe(true);
    }
  });

  it('splits the explicit im2col weight gradient by taps or by channels, whichever part costs least', () => {
    const split = (x: number[], w: number[], threads: number) => weightGradSplit(convInfo(x, w), threads);
    // The cost model on LeNet-5's first layer (which now takes the implicit path): 25 taps and 20
    // filters; by channels each thread would redo the whole im2col.
    expect(split([500, 1, 28, 28], [20, 1, 5, 5], 2)).toEqual({ split: 'taps', parts: [[0, 16], [16, 25]] });
    expect(split([500, 20, 12, 12], [50, 20, 5, 5], 2).split).toBe('taps');
    // 40 filters of 9 taps: 9 taps make two uneven parts, 40 channels two even ones.
    expect(split([6, 1, 10, 10], [40, 1, 3, 3], 2)).toEqual({ split: 'channels', parts: [[0, 20], [20, 40]] });
    expect(weightGradSplit(convInfo([4, 3, 9, 9], [6, 3, 3, 3], { padding: 1, stride: 2 }), 3).split).toBe('taps');
  });

  it('gives the single-threaded result with a 1-thread pool', () => {
    const info = convInfo([4, 3, 9, 9], [5, 3, 3, 3]);
    const x = randomArray(4 * 3 * 81, 'float32');
    const gy = randomArray(4 * 5 * 49, 'float32');
    const gw = new Float32Array(5 * 27);
    conv2dGradWeightParallelInto(gw, x, gy, info, { pool: pool(1), method: 'im2col' });
    const gw1 = new Float32Array(5 * 27);
    conv2dGradWeightIm2colInto(gw1, x, gy, info);
    expect(same(gw, gw1)).toBe(true);
  });

  it('rejects buffers shorter than the ConvInfo and unknown methods', () => {
    const info = convInfo([2, 1, 6, 6], [3, 1, 3, 3]);
    expect(() => conv2dParallelInto(new Float32Array(10), new Float32Array(72), new Float32Array(27), null, info)).toThrow(
      'conv2dParallel: out holds 10 elements, the ConvInfo needs 96',
    );
    expect(() =>
      conv2dGradInputParallelInto(new Float32Array(72), new Float32Array(96), new Float32Array(27), info, { method: 'fft' as 'direct' }),
    ).toThrow(`conv2dGradInputParallel: method must be 'direct' or 'im2col', got "fft"`);
  });
});
