import { Worker } from 'node:worker_threads';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  WorkerPool,
  capThreads,
  conv2dGradInputParallelInto,
  conv2dGradWeightParallelInto,
  conv2dParallelInto,
  convInfo,
  defineTask,
  gemmInto,
  gemmParallelInto,
  setWorkerFactory,
  sharedArrayFor,
  splitRange,
  webWorkerTransport,
  type FloatArray,
  type WorkerLike,
} from '@convlab/core';
import { workerThreadsTransport } from '@convlab/core/node';
import { randomValues, seededRandom } from '../../../testing/close.js';
import { ensureCoreBuilt } from './parallel-build.js';

/*
 * The Web Worker transport, tested in Node: its workers are worker_threads running core's browser
 * worker script (dist/pool-worker.js) behind a Web Worker-like face, and the calling thread may not
 * block, as a page's main thread may not: Atomics.wait throws here, so the pool spins. Results must
 * equal, bit for bit, those of the worker_threads transport at the same thread count.
 */

const SCOPE = new URL('./web-worker/node-scope.mjs', import.meta.url);
const random = seededRandom(77);

/** A Web Worker over a worker_threads Worker: addEventListener('message' | 'error'), postMessage, terminate. */
function nodeBackedWorker(name: string): WorkerLike {
  const worker = new Worker(SCOPE, { name });
  worker.unref();
  return {
    postMessage: (message) => worker.postMessage(message),
    addEventListener(type, listener, options) {
      const on = options?.once ? worker.once.bind(worker) : worker.on.bind(worker);
      if (type === 'message') on('message', (data: unknown) => listener({ data }));
      if (type === 'error') on('error', (error: Error) => listener({ message: error.message }));
    },
    terminate: () => void worker.terminate(),
  };
}

const pools: WorkerPool[] = [];
async function pool(threads: number, transport = webWorkerTransport({ worker: nodeBackedWorker })): Promise<WorkerPool> {
  const p = new WorkerPool({ threads, transport });
  pools.push(p);
  await p.start();
  return p;
}

function randomArray(n: number, kind: 'float32' | 'float64'): FloatArray {
  const out = kind === 'float32' ? new Float32Array(n) : new Float64Array(n);
  out.set(randomValues(random, n));
  return out;
}

function same(a: FloatArray, b: FloatArray): boolean {
  return a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
}

beforeAll(() => {
  ensureCoreBuilt();
  // A browser's main thread: Atomics.wait throws, so the pool must wait by spinning.
  vi.spyOn(Atomics, 'wait').mockImplementation(() => {
    throw new TypeError('Atomics.wait cannot be called in this context');
  });
}, 120_000);
afterEach(() => {
  vi.unstubAllGlobals();
  setWorkerFactory(undefined);
});
afterAll(async () => {
  vi.restoreAllMocks();
  await Promise.all(pools.map((p) => p.shutdown()));
});

describe('the Web Worker transport', () => {
  it('runs GEMM and conv2d with its gradients bit for bit as the worker_threads transport does, per thread count', async () => {
    const info = convInfo([6, 3, 12, 12], [8, 3, 3, 3], { padding: 1 });
    const nx = 6 * 3 * 144;
    const nw = 8 * 27;
    const ny = 6 * 8 * 144;
    for (const kind of ['float32', 'float64'] as const) {
      const a = randomArray(97 * 61, kind);
      const b = randomArray(61 * 64, kind);
      const x = randomArray(nx, kind);
      const w = randomArray(nw, kind);
      const gy = randomArray(ny, kind);
      const make = (n: number) => (kind === 'float32' ? new Float32Array(n) : new Float64Array(n));
      const results = (p: WorkerPool) => {
        const c = gemmParallelInto(make(97 * 64), a, b, 97, 64, 61, { pool: p, minWork: 0 });
        const y = make(ny);
        conv2dParallelInto(y, x, w, null, info, { pool: p, method: 'im2col', minWork: 0 });
        const gx = make(nx);
        conv2dGradInputParallelInto(gx, gy, w, info, { pool: p, method: 'direct', minWork: 0 });
        // The direct weight gradient sums per-part partials: its bits depend on the partition.
        const gwDirect = make(nw);
        conv2dGradWeightParallelInto(gwDirect, x, gy, info, { pool: p, method: 'direct', minWork: 0 });
        return [c, y, gx, gwDirect];
      };
      for (const threads of [2, 3]) {
        const web = results(await pool(threads));
        const node = results(await pool(threads, workerThreadsTransport));
        web.forEach((result, i) => expect(same(result, node[i]!), `${kind}, ${threads} threads, result ${i}`).toBe(true));
        expect(same(web[0]!, gemmInto(make(97 * 64), a, b, 97, 64, 61))).toBe(true);
      }
    }
    // Atomics.wait ran once, as the probe that found it unusable: every wait above was a spin.
    expect(vi.mocked(Atomics.wait)).toHaveBeenCalledTimes(1);
  });

  it('runs each part in its own worker, where the default thread count is 1', async () => {
    const core = new URL('../dist/index.js', import.meta.url).href;
    const source = `import { getNumThreads } from ${JSON.stringify(core)};
      export function threadsHere(args, start, end, part) { args.out[part] = getNumThreads() * 100 + part; }`;
    // A task in an unbundled module: the worker imports it, as a page serving ES modules would.
    const task = defineTask(`data:text/javascript,${encodeURIComponent(source)}`, 'threadsHere', (args: { out: Float64Array }, _s, _e, part) => {
      args.out[part] = -1;
    });
    const p = await pool(3);
    const out = sharedArrayFor('float64', 3) as Float64Array;
    p.run(task, { out }, splitRange(3, 3));
    expect(Array.from(out)).toEqual([-1, 101, 102]);
  });

  it('names a task the worker script does not bundle, and stays usable', async () => {
    const p = await pool(2);
    const unknown = defineTask('', 'notBundledAnywhere', () => {});
    expect(() => p.run(unknown, {}, splitRange(8, 2))).toThrow(
      'WorkerPool: notBundledAnywhere part 1 of 2 (indices 4-7) failed in worker 1: no task named notBundledAnywhere is bundled into this worker script',
    );
    const a = randomArray(40 * 40, 'float64');
    const c = gemmParallelInto(new Float64Array(1600), a, a, 40, 40, 40, { pool: p, minWork: 0 });
    expect(same(c, gemmInto(new Float64Array(1600), a, a, 40, 40, 40))).toBe(true);
  });

  it('follows setWorkerFactory, and refuses what is not a URL or a factory', async () => {
    const created: string[] = [];
    setWorkerFactory((name) => {
      created.push(name);
      return nodeBackedWorker(name);
    });
    await pool(3, webWorkerTransport());
    expect(created).toEqual(['convlab-1', 'convlab-2']);
    expect(() => setWorkerFactory(42 as never)).toThrow('setWorkerFactory: expected a worker script URL or a function that creates a Worker, got number');
  });

  it('without a worker script runs every part on the calling thread, same partition, after one warning', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const transport = webWorkerTransport();
    const p = new WorkerPool({ threads: 3, transport });
    await expect(p.start()).rejects.toThrow('WorkerPool: no worker script is set: call setWorkerFactory(url or factory) before the first threaded call');
    const parts: number[][] = [];
    const record = defineTask('', 'recordParts', (_args: { out: FloatArray }, start, end, part) => {
      parts.push([start, end, part]);
    });
    const out = sharedArrayFor('float64', 1);
    p.run(record, { out }, splitRange(9, 3));
    p.run(record, { out }, splitRange(9, 3));
    expect(parts).toEqual([[0, 3, 0], [3, 6, 1], [6, 9, 2], [0, 3, 0], [3, 6, 1], [6, 9, 2]]);
    expect(warn.mock.calls).toEqual([['WorkerPool: no worker script is set: call setWorkerFactory(url or factory) before the first threaded call; running on one thread']]);
    warn.mockRestore();
  });

  it('in a page that is not cross-origin isolated has one thread, and says so once', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    vi.stubGlobal('crossOriginIsolated', false);
    const transport = webWorkerTransport({ worker: nodeBackedWorker });
    expect(new WorkerPool({ threads: 4, transport }).threads).toBe(1);
    expect(new WorkerPool({ threads: 2, transport }).threads).toBe(1);
    expect(new WorkerPool({ threads: 1, transport }).threads).toBe(1);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]![0]).toMatch(
      /^WorkerPool: the page is not cross-origin isolated, .*Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp\); running on one thread$/,
    );
    warn.mockRestore();
  });

  it('sizes pools by navigator.hardwareConcurrency, and caps thread settings there', () => {
    vi.stubGlobal('navigator', { hardwareConcurrency: 6 });
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const transport = webWorkerTransport({ worker: nodeBackedWorker });
    expect(transport.hardwareThreads()).toBe(6);
    expect(new WorkerPool({ transport }).threads).toBe(6);
    expect(capThreads(4, 'setNumThreads', transport)).toBe(4);
    expect(capThreads(9, 'setNumThreads', transport)).toBe(6);
    expect(warn.mock.calls).toEqual([['setNumThreads: 9 threads is more than the 6 cores of this machine; using 6']]);
    warn.mockRestore();
    vi.stubGlobal('navigator', undefined);
    expect(transport.hardwareThreads()).toBe(1);
  });
});
