/*
 * What a pool and its workers share, whatever carries their messages (worker_threads in Node, Web
 * Workers in a browser). The control block is an Int32Array over shared memory: slot 0 is a
 * wake-up counter that a worker bumps (and notifies) whenever its status changes, slot 1 + w is
 * worker w's status. The calling thread blocks on slot 0 (Atomics.wait, or a spin where a thread
 * may not block), so synchronous kernels can use the pool. A failed part's message goes into the
 * worker's slice of a second shared buffer, where the caller reads it without a message round trip.
 *
 * Messages: the pool posts one SetupMessage, then a TaskMessage per part; a worker posts READY
 * once it has its setup.
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

export const READY = 'convlab-pool-ready';

/** Bytes of failure text each worker has (a 4-byte length, then UTF-8). */
export const FAILURE_BYTES = 2048;

/** What a worker gets first. */
export interface WorkerSetup {
  control: SharedArrayBuffer;
  /** FAILURE_BYTES per worker. */
  failures: SharedArrayBuffer;
  index: number;
}

export interface SetupMessage {
  type: 'convlab-pool-setup';
  setup: WorkerSetup;
}

/** What a worker receives for each part of a call. */
export interface TaskMessage {
  type: 'convlab-pool-task';
  /** Where the task's module is (empty when the worker script bundles it). */
  module: string;
  name: string;
  args: unknown;
  start: number;
  end: number;
  part: number;
  /** The calling thread's SIMD choice (setSimd), so that every part of a call takes the same path. */
  simd: boolean;
}

/** Writes `text` into worker `index`'s failure slice, cut at a character boundary if too long. */
export function writeFailure(failures: SharedArrayBuffer, index: number, text: string): void {
  let bytes = new TextEncoder().encode(text);
  const room = FAILURE_BYTES - 4;
  if (bytes.length > room) {
    let end = room;
    while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--; // not inside a UTF-8 sequence
    bytes = bytes.subarray(0, end);
  }
  const at = index * FAILURE_BYTES;
  new Int32Array(failures, at, 1)[0] = bytes.length;
  new Uint8Array(failures, at + 4, bytes.length).set(bytes);
}

/** The text worker `index` last wrote with writeFailure. */
export function readFailure(failures: SharedArrayBuffer, index: number): string {
  const at = index * FAILURE_BYTES;
  const length = new Int32Array(failures, at, 1)[0]!;
  // TextDecoder refuses views of shared memory: copy out first.
  return new TextDecoder().decode(new Uint8Array(failures, at + 4, length).slice());
}
