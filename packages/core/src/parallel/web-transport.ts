import type { PoolTransport, PoolWorkerHandle } from './pool-transport.js';

/*
 * The pool's transport in browsers (and any runtime with Web Workers): each worker is a Web Worker
 * running a script that calls `servePoolWorker()`. Bundlers differ in how they emit a worker script,
 * so the page says how to create one: `setWorkerFactory(url)` for a module worker at `url`, or
 * `setWorkerFactory(() => new Worker(...))`. Workers share memory with the page only when it is
 * cross-origin isolated (COOP/COEP headers); otherwise SharedArrayBuffer does not exist and pools
 * run on one thread, after one console warning.
 */

/** The parts of a Web Worker the pool uses (a real Worker, or anything that behaves like one). */
export interface WorkerLike {
  postMessage(message: unknown): void;
  addEventListener(type: string, listener: (event: { data?: unknown; message?: string; preventDefault?: () => void }) => void, options?: { once?: boolean }): void;
  terminate(): void;
}

/** Creates the worker named `name` (e.g. `(name) => new Worker(new URL('./pool-worker.js', import.meta.url), { type: 'module', name })`). */
export type WorkerFactory = (name: string) => WorkerLike;

/** A module worker script's URL, or a factory. */
export type WorkerSource = string | URL | WorkerFactory;

let configured: WorkerSource | undefined;

/** Sets how Web Worker pools create their workers (call before the first threaded call); undefined unsets. */
export function setWorkerFactory(source: WorkerSource | undefined): void {
  if (source !== undefined && typeof source !== 'string' && typeof source !== 'function' && !(source instanceof URL)) {
    throw new Error(`setWorkerFactory: expected a worker script URL or a function that creates a Worker, got ${typeof source}`);
  }
  configured = source;
}

type WorkerConstructor = new (url: string | URL, options: { type: 'module'; name: string }) => WorkerLike;

const scope = globalThis as {
  Worker?: WorkerConstructor;
  crossOriginIsolated?: boolean;
  navigator?: { hardwareConcurrency?: number };
};

export const NOT_ISOLATED =
  'the page is not cross-origin isolated, so it has no SharedArrayBuffer for worker threads ' +
  '(serve it with the headers Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp)';

export interface WebWorkerTransportOptions {
  /** How to create workers (default: what `setWorkerFactory` set). */
  worker?: WorkerSource;
}

/** The Web Worker transport; without `options.worker` it follows `setWorkerFactory`. */
export function webWorkerTransport(options: WebWorkerTransportOptions = {}): PoolTransport {
  const source = (): WorkerSource | undefined => options.worker ?? configured;
  return {
    name: 'Web Workers',
    unsupported() {
      if (scope.crossOriginIsolated === false) return NOT_ISOLATED;
      if (typeof SharedArrayBuffer !== 'function' || typeof Atomics !== 'object') return 'this runtime has no SharedArrayBuffer and Atomics for worker threads';
      return undefined;
    },
    missing() {
      const s = source();
      if (s === undefined) return 'no worker script is set: call setWorkerFactory(url or factory) before the first threaded call';
      if (typeof s !== 'function' && typeof scope.Worker !== 'function') return 'this runtime has no Web Workers';
      return undefined;
    },
    spawn(name) {
      const s = source()!;
      return handleOf(typeof s === 'function' ? s(name) : new scope.Worker!(s, { type: 'module', name }));
    },
    hardwareThreads() {
      const n = scope.navigator?.hardwareConcurrency;
      return typeof n === 'number' && Number.isInteger(n) && n > 0 ? n : 1;
    },
    defaultThreads() {
      return this.hardwareThreads();
    },
    warn(text) {
      console.warn(text);
    },
  };
}

function handleOf(worker: WorkerLike): PoolWorkerHandle {
  return {
    postMessage: (message) => worker.postMessage(message),
    onceMessage: (handler) => worker.addEventListener('message', (event) => handler(event.data), { once: true }),
    onFailure: (handler) =>
      worker.addEventListener('error', (event) => {
        event.preventDefault?.();
        handler(event.message || 'its script failed to load (check the URL given to setWorkerFactory)');
      }),
    terminate: () => worker.terminate(),
  };
}
