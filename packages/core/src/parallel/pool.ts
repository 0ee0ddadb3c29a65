import type { Range } from './partition.js';
import { FAILURE_BYTES, READY, Status, WAKE, readFailure, statusSlot, type SetupMessage, type TaskMessage } from './protocol.js';
import type { RangeTask } from './task.js';
import { canBlock, currentTransport, warnOnce, type PoolTransport, type PoolWorkerHandle } from './transport.js';
import { simdRequested } from '../wasm/simd-setting.js';

/*
 * A fixed set of worker threads that synchronous kernels can use. `run` hands part p of a fixed
 * partition to worker p - 1, runs part 0 on the calling thread, then blocks until every worker has
 * reported; so `threads` counts the calling thread, and 1 means no workers. The workers are
 * worker_threads in Node and Web Workers in a browser (transport.ts): the partition, and so every
 * result, depends only on the thread count, never on the transport.
 *
 * Workers start once, on the first call that needs them (or on `await start()`); in Node they never
 * keep the process alive, and `shutdown()` ends them. Until a worker is running, the calling thread
 * does that worker's part itself, after its own: the partition, and so the result, stays the same,
 * and a worker that cannot start never blocks a call. A part that throws in a worker makes the call
 * throw an Error naming the task, the part and the worker's message; a worker that exits makes the
 * call throw too, and the next call starts fresh workers. Without a worker script (TypeScript
 * sources before any build, a page that set none) every part runs on the calling thread, after one
 * warning; in a runtime without shared memory (a page that is not cross-origin isolated) a pool has
 * one thread, after one warning.
 */

export interface WorkerPoolOptions {
  /** Threads including the calling one (default: the machine's hardware threads). 1 runs everything inline. */
  threads?: number;
  /** How workers are started (default: worker_threads in Node, Web Workers elsewhere). */
  transport?: PoolTransport;
}

interface Member {
  worker: PoolWorkerHandle;
  /** Resolves when the worker's script runs; rejects if it dies first. */
  ready: Promise<void>;
  /** Why the worker died before it ran, once the event loop has told us. */
  startFailure?: string;
}

interface Shared {
  control: Int32Array;
  failures: SharedArrayBuffer;
}

export function checkThreads(threads: unknown, who: string): number {
  if (typeof threads !== 'number' || !Number.isInteger(threads) || threads < 1) {
    throw new Error(`${who}: threads must be a positive integer, got ${JSON.stringify(threads)}`);
  }
  return threads;
}

/**
 * `threads` capped at the machine's hardware threads, with one warning when it was more: each
 * worker costs about 9 MB and a thread per core is all the work can use, so a mistyped
 * `--threads 500` must not start hundreds of workers.
 */
export function capThreads(threads: number, who: string, transport: PoolTransport = currentTransport()): number {
  const cores = transport.hardwareThreads();
  if (threads <= cores) return threads;
  transport.warn(`${who}: ${threads} threads is more than the ${cores} cores of this machine; using ${cores}`);
  return cores;
}

/** An explicit pool may oversubscribe the cores (tests do, for uneven splits), up to this many threads per core. */
export const MAX_THREADS_PER_CORE = 4;

function checkPoolThreads(threads: number, transport: PoolTransport): number {
  const cores = transport.hardwareThreads();
  if (threads > MAX_THREADS_PER_CORE * cores) {
    throw new RangeError(`WorkerPool: ${threads} threads is more than ${MAX_THREADS_PER_CORE} per core (this machine has ${cores} cores)`);
  }
  return threads;
}

let blocking: boolean | undefined;

/** Waits until the control block's wake-up counter is no longer `seen`. */
function waitForChange(control: Int32Array, seen: number): void {
  blocking ??= canBlock();
  if (blocking) {
    Atomics.wait(control, WAKE, seen);
    return;
  }
  // A browser's main thread may not block: spin (the workers' parts take as long either way).
  while (Atomics.load(control, WAKE) === seen);
}

export class WorkerPool {
  /** Threads that share a call's work, the calling thread included. */
  readonly threads: number;
  private readonly transport: PoolTransport;
  private members: Member[] = [];
  private shared: Shared | null = null;
  private busy = false;

  constructor(options: WorkerPoolOptions = {}) {
    this.transport = options?.transport ?? currentTransport();
    const threads = checkPoolThreads(checkThreads(options?.threads ?? this.transport.hardwareThreads(), 'WorkerPool'), this.transport);
    const unsupported = threads > 1 ? this.transport.unsupported() : undefined;
    if (unsupported) warnOnce(this.transport, `WorkerPool: ${unsupported}; running on one thread`);
    this.threads = unsupported ? 1 : threads;
  }

  /** True while worker threads exist (after the first threaded call or `start()`, until `shutdown()`). */
  get started(): boolean {
    return this.members.length > 0;
  }

  /** Starts the workers now and resolves when every one is running (rejects if one cannot start). */
  async start(): Promise<void> {
    if (this.threads === 1) return;
    const missing = this.transport.missing();
    if (missing) throw new Error(`WorkerPool: ${missing}`);
    this.spawn();
    await Promise.all(this.members.map((m) => m.ready));
  }

  /**
   * Runs `task` over each range of `parts` (at most `threads` of them): part 0 here, the others on
   * the workers, and returns when all are done. The ranges are the caller's fixed partition.
   */
  run<A>(task: RangeTask<A>, args: A, parts: readonly Range[]): void {
    if (parts.length > this.threads) {
      throw new Error(`WorkerPool: ${task.name} was split into ${parts.length} parts, but the pool has ${this.threads} threads`);
    }
    if (parts.length === 0) return;
    if (parts.length === 1) {
      task.run(args, parts[0]![0], parts[0]![1], 0);
      return;
    }
    if (this.busy) {
      throw new Error(`WorkerPool: ${task.name} was called while another threaded call was running on this pool`);
    }
    checkShareable(args, task.name);
    this.busy = true;
    try {
      this.dispatch(task, args, parts);
    } finally {
      this.busy = false;
    }
  }

  /** Ends the worker threads; the next threaded call starts new ones. */
  async shutdown(): Promise<void> {
    const members = this.members;
    this.members = [];
    this.shared = null;
    await Promise.all(members.map(({ worker }) => worker.terminate()));
  }

  /** The shared control block, starting the workers if they are not (null when they cannot be). */
  private spawn(): Shared | null {
    if (this.shared) return this.shared;
    const missing = this.transport.missing();
    if (missing) {
      warnOnce(this.transport, `WorkerPool: ${missing}; running on one thread`);
      return null;
    }
    const workers = this.threads - 1;
    const control = new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT * (1 + workers)));
    const failures = new SharedArrayBuffer(FAILURE_BYTES * workers);
    for (let index = 0; index < workers; index++) {
      control[statusSlot(index)] = Status.Starting;
      const worker = this.transport.spawn(`convlab-${index + 1}`);
      const member: Member = { worker, ready: Promise.resolve() };
      member.ready = new Promise<void>((resolve, reject) => {
        worker.onceMessage((message) => (message === READY ? resolve() : reject(new Error(`WorkerPool: worker ${index + 1} sent ${String(message)} instead of ready`))));
        // Failures after start-up come back through the control block; this only catches a worker that never ran.
        worker.onFailure((why) => {
          if (Atomics.load(control, statusSlot(index)) !== Status.Starting) return;
          member.startFailure = why;
          reject(new Error(`WorkerPool: worker ${index + 1} failed to start: ${why}`));
        });
      });
      member.ready.catch(() => {});
      const setup: SetupMessage = { type: 'convlab-pool-setup', setup: { control: control.buffer as SharedArrayBuffer, failures, index } };
      worker.postMessage(setup);
      this.members.push(member);
    }
    this.shared = { control, failures };
    return this.shared;
  }

  private dispatch<A>(task: RangeTask<A>, args: A, parts: readonly Range[]): void {
    const broken = this.members.find((m) => m.startFailure !== undefined);
    if (broken) {
      const index = this.members.indexOf(broken) + 1;
      void this.shutdown();
      throw new Error(`WorkerPool: worker ${index} failed to start: ${broken.startFailure}`);
    }
    const shared = this.spawn();
    if (shared === null) {
      parts.forEach(([start, end], part) => task.run(args, start, end, part));
      return;
    }
    const { control, failures } = shared;
    const workers = parts.length - 1;
    const sent: boolean[] = [];
    let restart = false;
    let failure: unknown = null;
    for (let w = 0; w < workers && failure === null; w++) {
      const status = Atomics.load(control, statusSlot(w));
      sent.push(status === Status.Idle);
      if (status === Status.Exited) restart = true;
      if (status !== Status.Idle) continue;
      const [start, end] = parts[w + 1]!;
      // Running before the message goes: the worker may report back before postMessage returns.
      Atomics.store(control, statusSlot(w), Status.Running);
      const message: TaskMessage = { type: 'convlab-pool-task', module: task.module, name: task.name, args, start, end, part: w + 1, simd: simdRequested() };
      try {
        this.members[w]!.worker.postMessage(message);
      } catch (error) {
        // Arguments that cannot be cloned (a function, say): nothing more is sent, nothing run here.
        Atomics.store(control, statusSlot(w), Status.Idle);
        sent[w] = false;
        failure = new Error(`WorkerPool: the arguments of ${task.name} cannot be sent to a worker: ${(error as Error).message}`);
      }
    }
    if (failure === null) {
      try {
        task.run(args, parts[0]![0], parts[0]![1], 0);
        // Parts of workers that are not running yet (or have died): same ranges, on this thread.
        for (let w = 0; w < workers; w++) if (!sent[w]) task.run(args, parts[w + 1]![0], parts[w + 1]![1], w + 1);
      } catch (error) {
        failure = error;
      }
    }
    // Wait for every worker even when this thread failed: they are still writing into the caller's buffers.
    for (;;) {
      const seen = Atomics.load(control, WAKE);
      let running = false;
      for (let w = 0; w < workers; w++) if (sent[w] && Atomics.load(control, statusSlot(w)) === Status.Running) running = true;
      if (!running) break;
      waitForChange(control, seen);
    }
    // Read every worker's outcome, then report the first problem.
    const problems: string[] = [];
    for (let w = 0; w < workers; w++) {
      if (!sent[w]) continue;
      const status = Atomics.load(control, statusSlot(w));
      const [start, end] = parts[w + 1]!;
      const where = `${task.name} part ${w + 1} of ${parts.length} (indices ${start}-${end - 1})`;
      if (status === Status.Failed) {
        Atomics.store(control, statusSlot(w), Status.Idle);
        problems.push(`WorkerPool: ${where} failed in worker ${w + 1}: ${readFailure(failures, w)}`);
      } else if (status === Status.Exited) {
        restart = true;
        problems.push(`WorkerPool: worker ${w + 1} exited while running ${where}; the next call starts new workers`);
      }
    }
    if (restart) void this.shutdown();
    if (failure !== null) throw failure;
    if (problems.length > 0) throw new Error(problems[0]);
  }
}

/** Top-level typed arrays in a task's arguments must be shared, or the workers would write into copies. */
function checkShareable(args: unknown, who: string): void {
  if (args === null || typeof args !== 'object') return;
  for (const [key, value] of Object.entries(args)) {
    if (ArrayBuffer.isView(value) && !(value.buffer instanceof SharedArrayBuffer)) {
      throw new Error(`WorkerPool: argument ${key} of ${who} is not in shared memory (allocate it with sharedArrayFor or stage it)`);
    }
  }
}
