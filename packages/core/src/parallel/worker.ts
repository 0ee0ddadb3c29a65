import { parentPort, workerData } from 'node:worker_threads';
import { setSimd } from '../wasm/simd-setting.js';
import { READY, Status, WAKE, statusSlot, type FailureMessage, type TaskMessage, type WorkerSetup } from './protocol.js';

/*
 * The worker thread of a WorkerPool. It waits for task messages on its event loop, runs the named
 * export of the named module on its index range, and reports through the shared control block
 * (the caller is blocked in Atomics.wait and cannot read messages until it wakes). A failure's text
 * goes on a dedicated port that the caller reads synchronously.
 */

const setup = workerData as WorkerSetup;
const control = new Int32Array(setup.control);
const slot = statusSlot(setup.index);

type TaskFunction = (args: unknown, start: number, end: number, part: number) => void;
const modules = new Map<string, Promise<Record<string, unknown>>>();

async function load(module: string, name: string): Promise<TaskFunction> {
  let loading = modules.get(module);
  if (!loading) {
    loading = import(module) as Promise<Record<string, unknown>>;
    modules.set(module, loading);
  }
  const fn = (await loading)[name];
  if (typeof fn !== 'function') throw new Error(`${module} does not export a function named ${name}`);
  return fn as TaskFunction;
}

function report(status: number): void {
  Atomics.store(control, slot, status);
  Atomics.add(control, WAKE, 1);
  Atomics.notify(control, WAKE);
}

parentPort!.on('message', async (task: TaskMessage) => {
  try {
    const fn = await load(task.module, task.name);
    setSimd(task.simd);
    fn(task.args, task.start, task.end, task.part);
    report(Status.Idle);
  } catch (error) {
    const failure: FailureMessage =
      error instanceof Error ? { message: error.message, stack: error.stack } : { message: String(error) };
    setup.errors.postMessage(failure);
    report(Status.Failed);
  }
});

// Whatever ends this thread (process.exit in a task, an uncaught error), the caller must not wait forever.
process.on('exit', () => report(Status.Exited));

report(Status.Idle);
parentPort!.postMessage(READY);
