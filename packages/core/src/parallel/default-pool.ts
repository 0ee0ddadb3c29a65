import { WorkerPool, capThreads, checkThreads } from './pool.js';
import { currentTransport } from './transport.js';

/*
 * The process-wide thread setting, as torch.set_num_threads: threaded kernels called without an
 * explicit pool use `defaultPool()`, sized by `setNumThreads(n)`, else by the runtime's default
 * (in Node the CONVLAB_NUM_THREADS environment variable, else os.availableParallelism(); in a
 * browser navigator.hardwareConcurrency). Inside a pool's worker it is always 1, so a kernel that
 * runs in a worker never starts a pool of its own.
 */

let chosen: number | undefined;
let insideWorker = false;
/** One pool per thread count used so far, so that switching back and forth restarts nothing. */
const pools = new Map<number, WorkerPool>();

/** Called by a pool's worker when it starts serving: its kernels run on its own thread only. */
export function markPoolWorker(): void {
  insideWorker = true;
  chosen = 1;
}

/** Threads the threaded kernels use by default (the calling thread included). */
export function getNumThreads(): number {
  chosen ??= insideWorker ? 1 : capThreads(currentTransport().defaultThreads(), 'CONVLAB_NUM_THREADS');
  return chosen;
}

/**
 * Sets the default thread count (1 means no workers; more than the cores is capped at the cores,
 * with a warning). Pools of other sizes stay, idle, until `shutdownPool()`.
 */
export function setNumThreads(threads: number): void {
  checkThreads(threads, 'setNumThreads');
  chosen = insideWorker ? 1 : capThreads(threads, 'setNumThreads');
}

/**
 * The pool a threaded call runs on: the one its caller passed, else the shared pool of
 * `getNumThreads()` threads. Every threaded kernel resolves its pool here, the one place that
 * reads the process-wide setting.
 */
export function poolOf(pool: WorkerPool | undefined): WorkerPool {
  return pool ?? defaultPool();
}

let inline: WorkerPool | undefined;

/** A pool of one thread, the calling one: kernels given it run as their single-threaded selves. */
export function singleThreadPool(): WorkerPool {
  inline ??= new WorkerPool({ threads: 1 });
  return inline;
}

/** The shared pool of `getNumThreads()` threads (workers start on its first threaded call). */
export function defaultPool(): WorkerPool {
  const threads = getNumThreads();
  let pool = pools.get(threads);
  if (!pool) {
    pool = new WorkerPool({ threads });
    pools.set(threads, pool);
  }
  return pool;
}

/** Ends the default pools' workers (a later threaded call starts them again). */
export async function shutdownPool(): Promise<void> {
  const all = [...pools.values()];
  pools.clear();
  await Promise.all(all.map((pool) => pool.shutdown()));
}
