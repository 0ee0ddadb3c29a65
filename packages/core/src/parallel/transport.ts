import type { PoolTransport } from './pool-transport.js';
import { webWorkerTransport } from './web-transport.js';

/*
 * How a WorkerPool starts its workers and talks to them. The pool's protocol (protocol.ts) is the
 * same everywhere; a transport only creates a worker running `servePool` and carries messages:
 * worker_threads in Node (node-transport.ts, installed by the package's Node entry), Web Workers
 * elsewhere (web-transport.ts, the default).
 */

export type { PoolTransport, PoolWorkerHandle } from './pool-transport.js';

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
