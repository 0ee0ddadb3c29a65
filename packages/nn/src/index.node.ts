// @convlab/nn as Node loads it (the "node" export condition): everything of index.ts, and the
// file-based parts of ./node.ts (model files by path, MNIST from a folder, checkpoints).
export * from './index.js';
export * from './node.js';
