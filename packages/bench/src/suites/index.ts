import type { BenchSuite } from '../suite.js';
import { crossoverSuite } from './crossover.js';
import { lectureSuite } from './lecture.js';
import { peersSuite } from './peers.js';

/** The suites `convlab bench` knows, in the order `convlab bench --help` lists them. */
export const builtinSuites: BenchSuite[] = [lectureSuite, peersSuite, crossoverSuite];
