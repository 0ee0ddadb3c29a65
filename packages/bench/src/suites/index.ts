import type { BenchSuite } from '../suite.js';
import { lectureSuite } from './lecture.js';

/** The suites `convlab bench` knows, in the order `convlab bench --help` lists them. */
export const builtinSuites: BenchSuite[] = [lectureSuite];
