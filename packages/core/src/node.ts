// @convlab/core/node: what only Node has. Importing it makes pools use worker_threads; the package's
// main entry does so itself when Node loads it (its "node" export condition), so Node code rarely
// needs this subpath.
import { useTransport } from './parallel/transport.js';
import { workerThreadsTransport } from './parallel/node-transport.js';

useTransport(workerThreadsTransport);

export { workerThreadsTransport };
