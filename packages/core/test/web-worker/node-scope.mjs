// A Web Worker's global scope (self.postMessage, self.addEventListener('message')) made of a
// worker_threads parent port, then core's browser worker script: the Web Worker protocol of the
// pool, run over Node threads for web-transport.test.ts.
import { parentPort } from 'node:worker_threads';

globalThis.postMessage = (message) => parentPort.postMessage(message);
globalThis.addEventListener = (type, listener) => {
  if (type === 'message') parentPort.on('message', (data) => listener({ data }));
};

await import('../../dist/pool-worker.js');
