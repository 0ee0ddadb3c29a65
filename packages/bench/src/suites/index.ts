import type { BenchSuite } from '../suite.js';
import { crossoverSuite } from './crossover.js';
import { fftSuite } from './fft.js';
import { gemmConv2dSuite } from './gemm-conv2d.js';
import { iterationSuite } from './iteration.js';
import { lectureSuite } from './lecture.js';
import { peersSuite } from './peers.js';

/** The suites `convlab bench` knows, in the order `convlab bench --help` lists them. */
export const builtinSuites: BenchSuite[] = [lectureSuite, peersSuite, crossoverSuite, gemmConv2dSuite, fftSuite, iterationSuite];
