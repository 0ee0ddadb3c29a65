import { existsSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker, isMainThread } from 'node:worker_threads';
import type { PoolTransport } from './transport.js';

/*
 * The pool's transport in Node: each worker is a worker_threads Worker running worker.js. The
 * Node entry of @convlab/core (index.node.ts) installs it; browser bundles never include it.
 */

/**
 * The built worker script. From `src/parallel/node-transport.ts` and from `dist/parallel/node-transport.js`
 * alike this URL names `dist/parallel/worker.js`: workers always run built JavaScript, even when
 * the calling code runs from TypeScript sources (tests).
 */
const WORKER_URL = new URL('../../dist/parallel/worker.js', import.meta.url);

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

function threadsFromEnvironment(): number | undefined {
  const fromEnv = process.env['CONVLAB_NUM_THREADS'];
  if (fromEnv === undefined || fromEnv === '') return undefined;
  const n = Number(fromEnv);
  if (!Number.isInteger(n) || n < 1) throw new Error(`CONVLAB_NUM_THREADS must be a positive integer, got ${JSON.stringify(fromEnv)}`);
  return n;
}

export const workerThreadsTransport: PoolTransport = {
  name: 'worker_threads',
  unsupported: () => undefined,
  missing() {
    const script = fileURLToPath(WORKER_URL);
    return existsSync(script) ? undefined : `the worker script ${script} is missing; build the packages (npx tsc -b) to use more than one thread`;
  },
  spawn(name) {
    const worker = new Worker(WORKER_URL, { execArgv: workerExecArgv(), name });
    // An idle pool never keeps the process alive (one waiting for its READY message does).
    worker.unref();
    return {
      postMessage: (message) => worker.postMessage(message),
      onceMessage: (handler) => worker.once('message', handler),
      onFailure(handler) {
        worker.on('error', (error) => handler(error.message));
        worker.once('exit', (code) => handler(`it exited with code ${code}`));
      },
      terminate: async () => {
        await worker.terminate();
      },
    };
  },
  hardwareThreads: () => os.availableParallelism(),
  defaultThreads: () => (isMainThread ? (threadsFromEnvironment() ?? os.availableParallelism()) : 1),
  warn: (text) => process.emitWarning(text),
};
