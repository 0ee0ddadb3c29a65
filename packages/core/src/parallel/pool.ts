import { existsSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import type { Range } from './partition.js';
import { READY, Status, WAKE, statusSlot, type FailureMessage, type TaskMessage, type WorkerSetup } from './protocol.js';
import type { RangeTask } from './task.js';
import { simdRequested } from '../wasm/simd-setting.js';

/*
 * A fixed set of worker threads that synchronous kernels can use. `run` hands part p of a fixed
 * partition to worker p - 1, runs part 0 on the calling thread, then blocks (Atomics.wait) until
 * every worker has reported; so `threads` counts the calling thread, and 1 means no workers.
 *
 * Workers start once, on the first call that needs them (or on `await start()`), and are
 * unref()'d: an idle pool never keeps the process alive, and `shutdown()` ends them. Until a worker
 * is running, the calling thread does that worker's part itself, after its own: the partition,
 * and so the result, stays the same, and a worker that cannot start never blocks a call. A part
 * that throws in a worker makes the call throw an Error naming the task, the part and the worker's
 * message; a worker that exits makes the call throw too, and the next call starts fresh workers.
 * Without a built worker script (TypeScript sources run before any build) every part runs on the
 * calling thread, after one process warning.
 */

/**
 * The built worker script. From `src/parallel/pool.ts` and from `dist/parallel/pool.js` alike this
 * URL names `dist/parallel/worker.js`: workers always run built JavaScript, even when the calling
 * code runs from TypeScript sources (tests).
 */
const WORKER_URL = new URL('../../dist/parallel/worker.js', import.meta.url);

export interface WorkerPoolOptions {
  /** Threads including the calling one (default: os.availableParallelism()). 1 runs everything inline. */
  threads?: number;
}

interface Member {
  worker: Worker;
  errors: MessagePort;
  /** Resolves when the worker's script runs; rejects if it dies first. */
  ready: Promise<void>;
  /** Why the worker died before it ran, once the event loop has told us. */
  startFailure?: string;
}

export function checkThreads(threads: unknown, who: string): number {
  if (typeof threads !== 'number' || !Number.isInteger(threads) || threads < 1) {
    throw new Error(`${who}: threads must be a positive integer, got ${JSON.stringify(threads)}`);
  }
  return threads;
}

/**
 * `threads` capped at the machine's cores (os.availableParallelism()), with one process warning
 * when it was more: each worker costs about 9 MB and a thread per core is all the work can use, so
 * a mistyped `--threads 500` must not start hundreds of workers.
 */
export function capThreads(threads: number, who: string): number {
  const cores = os.availableParallelism();
  if (threads <= cores) return threads;
  process.emitWarning(`${who}: ${threads} threads is more than the ${cores} cores of this machine; using ${cores}`);
  return cores;
}

/** An explicit pool may oversubscribe the cores (tests do, for uneven splits), up to this many threads per core. */
export const MAX_THREADS_PER_CORE = 4;

function checkPoolThreads(threads: number): number {
  const cores = os.availableParallelism();
  if (threads > MAX_THREADS_PER_CORE * cores) {
    throw new RangeError(`WorkerPool: ${threads} threads is more than ${MAX_THREADS_PER_CORE} per core (this machine has ${cores} cores)`);
  }
  return threads;
}

/**
 * Node options for the workers: the parent's, minus `--input-type`, which applies only to the
 * parent's -e / stdin program and stops a worker from loading its script file.
 */
function workerExecArgv(): string[] {
  const out: string[] = [];
  const args = process.execArgv;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--input-type') i++;
    else if (!args[i]!.startsWith('--input-type=')) out.push(args[i]!);
  }
  return out;
}

function missingWorkerText(): string {
  return `WorkerPool: the worker script ${fileURLToPath(WORKER_URL)} is missing; build the packages (npx tsc -b) to use more than one thread`;
}

let warned = false;

/** Without a built worker script the pool runs every part on the calling thread: same results, one thread, one warning. */
function warnMissingWorker(): void {
  if (warned) return;
  warned = true;
  process.emitWarning(`${missingWorkerText()}; running on one thread`);
}

export class WorkerPool {
  /** Threads that share a call's work, the calling thread included. */
  readonly threads: number;
  private members: Member[] = [];
  private control: Int32Array | null = null;
  private busy = false;

  constructor(options: WorkerPoolOptions = {}) {
    this.threads = checkPoolThreads(checkThreads(options?.threads ?? os.availableParallelism(), 'WorkerPool'));
  }

  /** True while worker threads exist (after the first threaded call or `start()`, until `shutdown()`). */
  get started(): boolean {
    return this.members.length > 0;
  }

  /** Starts the workers now and resolves when every one is running (rejects if one cannot start). */
  async start(): Promise<void> {
    if (this.threads === 1) return;
    if (this.spawn() === null) throw new Error(missingWorkerText());
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
    this.control = null;
    await Promise.all(
      members.map(async ({ worker, errors }) => {
        errors.close();
        await worker.terminate();
      }),
    );
  }

  private spawn(): Int32Array | null {
    if (this.control) return this.control;
    if (!existsSync(fileURLToPath(WORKER_URL))) {
      warnMissingWorker();
      return null;
    }
    const shared = new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT * (1 + this.threads));
    const control = new Int32Array(shared);
    const execArgv = workerExecArgv();
    for (let index = 0; index < this.threads - 1; index++) {
      control[statusSlot(index)] = Status.Starting;
      const channel = new MessageChannel();
      const setup: WorkerSetup = { control: shared, index, errors: channel.port2 };
      const worker = new Worker(WORKER_URL, {
        workerData: setup,
        transferList: [channel.port2],
        execArgv,
        name: `convlab-${index + 1}`,
      });
      worker.unref();
      channel.port1.unref();
      const member: Member = { worker, errors: channel.port1, ready: Promise.resolve() };
      member.ready = new Promise<void>((resolve, reject) => {
        const failed = (why: string): void => {
          if (Atomics.load(control, statusSlot(index)) !== Status.Starting) return;
          member.startFailure = why;
          reject(new Error(`WorkerPool: worker ${index + 1} failed to start: ${why}`));
        };
        worker.once('message', (message) => message === READY && resolve());
        // Failures after start-up come back through the control block; these only catch a worker that never ran.
        worker.on('error', (error) => failed(error.message));
        worker.once('exit', (code) => failed(`it exited with code ${code}`));
      });
      member.ready.catch(() => {});
      this.members.push(member);
    }
    this.control = control;
    return control;
  }

  private dispatch<A>(task: RangeTask<A>, args: A, parts: readonly Range[]): void {
    const broken = this.members.find((m) => m.startFailure !== undefined);
    if (broken) {
      const index = this.members.indexOf(broken) + 1;
      void this.shutdown();
      throw new Error(`WorkerPool: worker ${index} failed to start: ${broken.startFailure}`);
    }
    const control = this.spawn();
    if (control === null) {
      parts.forEach(([start, end], part) => task.run(args, start, end, part));
      return;
    }
    const workers = parts.length - 1;
    const sent: boolean[] = [];
    let restart = false;
    for (let w = 0; w < workers; w++) {
      const status = Atomics.load(control, statusSlot(w));
      sent.push(status === Status.Idle);
      if (status === Status.Exited) restart = true;
      if (status !== Status.Idle) continue;
      const [start, end] = parts[w + 1]!;
      Atomics.store(control, statusSlot(w), Status.Running);
      const message: TaskMessage = { module: task.module, name: task.name, args, start, end, part: w + 1, simd: simdRequested() };
      this.members[w]!.worker.postMessage(message);
    }
    let failure: unknown = null;
    try {
      task.run(args, parts[0]![0], parts[0]![1], 0);
      // Parts of workers that are not running yet (or have died): same ranges, on this thread.
      for (let w = 0; w < workers; w++) if (!sent[w]) task.run(args, parts[w + 1]![0], parts[w + 1]![1], w + 1);
    } catch (error) {
      failure = error;
    }
    // Wait for every worker even when this thread failed: they are still writing into the caller's buffers.
    for (;;) {
      const seen = Atomics.load(control, WAKE);
      let running = false;
      for (let w = 0; w < workers; w++) if (sent[w] && Atomics.load(control, statusSlot(w)) === Status.Running) running = true;
      if (!running) break;
      Atomics.wait(control, WAKE, seen);
    }
    // Read every worker's outcome (so no stale failure is left on a port), then report the first.
    const problems: string[] = [];
    for (let w = 0; w < workers; w++) {
      if (!sent[w]) continue;
      const status = Atomics.load(control, statusSlot(w));
      const [start, end] = parts[w + 1]!;
      const where = `${task.name} part ${w + 1} of ${parts.length} (indices ${start}-${end - 1})`;
      if (status === Status.Failed) {
        const received = receiveMessageOnPort(this.members[w]!.errors);
        Atomics.store(control, statusSlot(w), Status.Idle);
        const reason = (received?.message as FailureMessage | undefined)?.message ?? 'unknown error';
        problems.push(`WorkerPool: ${where} failed in worker ${w + 1}: ${reason}`);
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
