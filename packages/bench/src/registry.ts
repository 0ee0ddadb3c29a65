import type { BenchSuite } from './suite.js';
import { builtinSuites } from './suites/index.js';

const suites = new Map<string, BenchSuite>();

/** Adds a suite under its name; a second suite of the same name is a mistake. */
export function registerSuite(suite: BenchSuite): void {
  if (suites.has(suite.name)) throw new Error(`bench: a suite named "${suite.name}" is already registered`);
  suites.set(suite.name, suite);
}

export function findSuite(name: string): BenchSuite | undefined {
  return suites.get(name);
}

/** Every registered suite, in registration order. */
export function allSuites(): BenchSuite[] {
  return [...suites.values()];
}

export function suiteNames(): string[] {
  return [...suites.keys()];
}

for (const suite of builtinSuites) registerSuite(suite);
