/*
 * A task is a plain function over one index range of a shared problem. Workers cannot call
 * functions of the main thread, so a task is found in a worker by its name: in the registry that
 * `defineTask` fills when a worker script bundles the task's module (browsers), else by importing
 * the module the task names and taking its export of that name (Node, where workers run the built
 * files). The calling thread runs its own part through `run` directly.
 */

/**
 * `run(args, start, end, part)` does the work for indices [start, end), part number `part` of the
 * fixed partition. `args` crosses to the workers by structured clone: numbers, strings, plain
 * objects, and typed arrays over SharedArrayBuffer (which are shared, not copied).
 */
export interface RangeTask<A> {
  /** The URL of the built ES module that exports the function under `name` ('' if none is known). */
  readonly module: string;
  readonly name: string;
  readonly run: (args: A, start: number, end: number, part: number) => void;
}

export type TaskFunction = (args: unknown, start: number, end: number, part: number) => void;

const registry = new Map<string, { module: string; run: TaskFunction }>();

/**
 * A task for `fn`, exported as `name` by the built module at `moduleUrl`, and registered under
 * `name` for workers that bundle this module. Names are unique across modules. Call it from the
 * module that defines `fn` with `builtModule('../../dist/<same path>.js', import.meta.url)` so that
 * the address is the built file whether the caller runs from sources or from `dist/`.
 */
export function defineTask<A>(moduleUrl: URL | string, name: string, fn: (args: A, start: number, end: number, part: number) => void): RangeTask<A> {
  const module = String(moduleUrl);
  const known = registry.get(name);
  if (known && known.module !== module) throw new Error(`defineTask: two tasks are named ${name} (in ${known.module} and ${module})`);
  registry.set(name, { module, run: fn as TaskFunction });
  return { module, name, run: fn };
}

/** The task registered under `name` in this thread, if any. */
export function registeredTask(name: string): TaskFunction | undefined {
  return registry.get(name)?.run;
}

/**
 * `relative` resolved against `base` (a module's import.meta.url), or '' where a bundle has no
 * module URL (e.g. esbuild's iife format): workers then find the task in their bundle's registry.
 */
export function builtModule(relative: string, base: string | undefined): string {
  return base ? new URL(relative, base).href : '';
}
