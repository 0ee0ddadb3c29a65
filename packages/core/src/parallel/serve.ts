import { markPoolWorker } from './default-pool.js';
import { READY, Status, WAKE, statusSlot, writeFailure, type SetupMessage, type TaskMessage, type WorkerSetup } from './protocol.js';
import { registeredTask, type TaskFunction } from './task.js';
import { setSimd } from '../wasm/simd-setting.js';

/*
 * The worker side of a WorkerPool, for every transport. It waits for messages on its event loop,
 * runs the named task on its index range, and reports through the shared control block (the
 * caller is blocked and cannot read messages until it wakes); a failure's text goes into the
 * worker's slice of the shared failure buffer.
 */

/** How a worker script receives and sends messages. */
export interface PoolPort {
  postMessage(message: unknown): void;
  onMessage(handler: (message: unknown) => void): void;
}

export interface ServedWorker {
  /** Reports that this thread is ending (Node calls it on 'exit'), so the caller never waits forever. */
  exited(): void;
}

const modules = new Map<string, Promise<Record<string, unknown>>>();

async function load(task: TaskMessage): Promise<TaskFunction> {
  const registered = registeredTask(task.name);
  if (registered) return registered;
  if (!task.module) throw new Error(`no task named ${task.name} is bundled into this worker script`);
  let loading = modules.get(task.module);
  if (!loading) {
    loading = import(/* @vite-ignore */ task.module) as Promise<Record<string, unknown>>;
    modules.set(task.module, loading);
  }
  const exports = await loading;
  const fn = registeredTask(task.name) ?? exports[task.name];
  if (typeof fn !== 'function') throw new Error(`${task.module} does not export a function named ${task.name}`);
  return fn as TaskFunction;
}

/** Serves a pool over `port`: the pool's first message is the setup, every later one a part to run. */
export function servePool(port: PoolPort): ServedWorker {
  let setup: WorkerSetup | undefined;
  let control: Int32Array | undefined;
  const report = (status: number): void => {
    if (!control) return;
    Atomics.store(control, statusSlot(setup!.index), status);
    Atomics.add(control, WAKE, 1);
    Atomics.notify(control, WAKE);
  };
  port.onMessage(async (message) => {
    if (!setup) {
      setup = (message as SetupMessage).setup;
      control = new Int32Array(setup.control);
      markPoolWorker();
      report(Status.Idle);
      port.postMessage(READY);
      return;
    }
    const task = message as TaskMessage;
    try {
      const fn = await load(task);
      setSimd(task.simd);
      fn(task.args, task.start, task.end, task.part);
      report(Status.Idle);
    } catch (error) {
      writeFailure(setup.failures, setup.index, error instanceof Error ? error.message : String(error));
      report(Status.Failed);
    }
  });
  return { exited: () => report(Status.Exited) };
}

/** What a Web Worker's global scope offers (`self`). */
export interface WorkerScope {
  postMessage(message: unknown): void;
  addEventListener(type: string, listener: (event: { data?: unknown }) => void): void;
}

/**
 * Makes this Web Worker serve pools: call it in the worker script that `setWorkerFactory` names,
 * after importing the modules whose tasks it runs (`@convlab/nn/worker` does both for every
 * threaded kernel of convlab).
 */
export function servePoolWorker(scope: WorkerScope = globalThis as unknown as WorkerScope): ServedWorker {
  return servePool({
    postMessage: (message) => scope.postMessage(message),
    onMessage: (handler) => scope.addEventListener('message', (event) => handler(event.data)),
  });
}
