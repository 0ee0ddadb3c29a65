import type { MessagePort } from 'node:worker_threads';

/*
 * The shared control block between a pool and its workers: Int32Array slot 0 is a wake-up counter
 * that a worker bumps (and notifies) whenever its status changes; slot 1 + w is worker w's status.
 * The calling thread blocks with Atomics.wait on slot 0, so synchronous kernels can use the pool.
 * A worker posts READY on its parent port once its script runs (for `WorkerPool.start()`).
 */

export const WAKE = 0;

export const Status = {
  /** Started, or finished a task and reported. */
  Idle: 0,
  Running: 1,
  Failed: 2,
  /** The worker thread has exited; its slot is unusable until the pool restarts it. */
  Exited: 3,
  /** Spawned, its script not yet running: the caller does its parts itself meanwhile. */
  Starting: 4,
} as const;

export function statusSlot(worker: number): number {
  return 1 + worker;
}

export const READY = 'ready';

/** What a worker receives for each part of a call. */
export interface TaskMessage {
  module: string;
  name: string;
  args: unknown;
  start: number;
  end: number;
  part: number;
  /** The calling thread's SIMD choice (setSimd), so that every part of a call takes the same path. */
  simd: boolean;
}

/** What a worker sends on its error port when a part fails. */
export interface FailureMessage {
  message: string;
  stack?: string;
}

/** What a worker gets at start-up. */
export interface WorkerSetup {
  control: SharedArrayBuffer;
  index: number;
  errors: MessagePort;
}
