// What a transport is, apart from transport.ts (which picks the default, a Web Worker transport) so that
// the transports can name it without importing transport.ts back.

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
