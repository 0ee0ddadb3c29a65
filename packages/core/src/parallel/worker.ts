import { parentPort } from 'node:worker_threads';
import { servePool } from './serve.js';

/*
 * The script of a pool's worker_threads worker (node-transport.ts): serves the pool over the
 * parent port. Tasks are found by importing the built module each names.
 */

const port = parentPort!;
const served = servePool({
  postMessage: (message) => port.postMessage(message),
  onMessage: (handler) => port.on('message', handler),
});

// Whatever ends this thread (process.exit in a task, an uncaught error), the caller must not wait forever.
process.on('exit', () => served.exited());
