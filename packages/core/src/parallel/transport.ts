import { webWorkerTransport } from './web-transport.js';

/*
 * How a WorkerPool starts its workers and talks to them. The pool's protocol (protocol.ts) is the
 * same everywhere; a transport only creates a worker running `servePool` and carries messages:
 * worker_threads in Node (node-transport.ts, installed by the package's Node entry), Web Workers
 * elsewhere (web-transport.ts, the default).
 */

/** One worker, as the pool sees it. */
export interface PoolWorkerHandle {
  postMessage(message: unknown): void;
  /** `handler` gets the next message the worker posts (the only one is READY). */
  onceMessage(handler: (message: unknown) => void): void;
  /** `handler` gets why, once, if the worker's script fails to load or its thread ends. */
  onFailure(handler: (why: string) => void): void;
  terminate(): Promise<void> | void;
}

export interface PoolTransport {
  /** What messages call it: 'worker_threads', 'Web Workers'. */
  readonly name: string;
  /** Why no worker can run in this runtime at all (pools then have one thread), else undefined. */
  unsupported(): string | undefined;
  /** Why workers cannot be started now (each part then runs on the calling thread), else undefined. */
  missing(): string | undefined;
  /** Starts a worker running the pool's worker script. */
  spawn(name: string): PoolWorkerHandle;
  /** The machine's hardware threads. */
  hardwareThreads(): number;
  /** The default thread count of `defaultPool()` here (1 inside a worker). */
  defaultThreads(): number;
  /** Tells the user something (a process warning in Node, console.warn in a browser). */
  warn(text: string): void;
}

let current: PoolTransport | undefined;

/** Sets the transport that pools without an explicit one use (the Node entry installs worker_threads). */
export function useTransport(transport: PoolTransport): void {
  current = transport;
}

/** The transport of pools created without one: Web Workers unless the Node entry installed worker_threads. */
export function currentTransport(): PoolTransport {
  current ??= webWorkerTransport();
  return current;
}

const warned = new Set<string>();

/** Says `text` through `transport`, once per process (or page) for each distinct text. */
export function warnOnce(transport: PoolTransport, text: string): void {
  if (warned.has(text)) return;
  warned.add(text);
  transport.warn(text);
}

/** Whether this thread may block in Atomics.wait (a browser's main thread may not). */
export function canBlock(): boolean {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
}
