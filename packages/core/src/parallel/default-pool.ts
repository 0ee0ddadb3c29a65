import os from 'node:os';
import { isMainThread } from 'node:worker_threads';
import { WorkerPool, capThreads, checkThreads } from './pool.js';

/*
 * The process-wide thread setting, as torch.set_num_threads: threaded kernels called without an
 * explicit pool use `defaultPool()`, sized by `setNumThreads(n)`, else by the CONVLAB_NUM_THREADS
 * environment variable, else by os.availableParallelism(). Inside a worker it is always 1, so a
 * kernel that runs in a worker never starts a pool of its own.
 */

let chosen: number | undefined;
/** One pool per thread count used so far, so that switching back and forth restarts nothing. */
const pools = new Map<number, WorkerPool>();

function initialThreads(): number {
  if (!isMainThread) return 1;
  const fromEnv = process.env['CONVLAB_NUM_THREADS'];
  if (fromEnv !== undefined && fromEnv !== '') {
    const n = Number(fromEnv);
    if (!Number.isInteger(n) || n < 1) throw new Error(`CONVLAB_NUM_THREADS must be a positive integer, got ${JSON.stringify(fromEnv)}`);
    return capThreads(n, 'CONVLAB_NUM_THREADS');
  }
  return os.availableParallelism();
}

/** Threads the threaded kernels use by default (the calling thread included). */
export function getNumThreads(): number {
  chosen ??= initialThreads();
  return chosen;
}

/**
 * Sets the default thread count (1 means no workers; more than the cores is capped at the cores,
 * with a warning). Pools of other sizes stay, idle, until `shutdownPool()`.
 */
export function setNumThreads(threads: number): void {
  checkThreads(threads, 'setNumThreads');
  chosen = isMainThread ? capThreads(threads, 'setNumThreads') : 1;
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
