export * from './harness.js';
export type { BenchContext, BenchRow, BenchSuite } from './suite.js';
