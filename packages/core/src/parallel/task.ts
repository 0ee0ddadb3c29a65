/*
 * A task is a plain function over one index range of a shared problem. Workers cannot call
 * functions of the main thread, so each task names the built JavaScript module that exports it;
 * a worker imports that module once and calls the export by name. The calling thread runs its own
 * part through `run` directly.
 */

/**
 * `run(args, start, end, part)` does the work for indices [start, end), part number `part` of the
 * fixed partition. `args` crosses to the workers by structured clone: numbers, strings, plain
 * objects, and typed arrays over SharedArrayBuffer (which are shared, not copied).
 */
export interface RangeTask<A> {
  /** The `file:` URL of the built ES module that exports the function under `name`. */
  readonly module: string;
  readonly name: string;
  readonly run: (args: A, start: number, end: number, part: number) => void;
}

/**
 * A task for `fn`, exported as `name` by the built module at `moduleUrl`. Call it from the module
 * that defines `fn` with `new URL('../../dist/<same path>.js', import.meta.url)` style URLs so
 * that the address is the built file whether the caller runs from sources or from `dist/`.
 */
export function defineTask<A>(moduleUrl: URL | string, name: string, fn: (args: A, start: number, end: number, part: number) => void): RangeTask<A> {
  return { module: String(moduleUrl), name, run: fn };
}
