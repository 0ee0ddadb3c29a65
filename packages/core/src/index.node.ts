// @convlab/core as Node loads it (the "node" export condition): the same API as index.ts, with
// worker_threads as the pools' transport.
import './node.js';

export * from './index.js';
