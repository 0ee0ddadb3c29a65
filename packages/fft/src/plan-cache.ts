/**
 * The one cache of transform plans (1-D complex and real plans, 2-D plans), least recently used
 * first out once their buffers pass a budget in bytes. Without a bound, a program that meets many
 * distinct shapes (a sweep over sizes) would keep every plan's twiddles and scratch for good.
 */

/** The default budget: enough for every plan a LeNet-5 run uses many times over. */
export const DEFAULT_PLAN_CACHE_BYTES = 64 * 2 ** 20;

let budget = DEFAULT_PLAN_CACHE_BYTES;
let total = 0;
const entries = new Map<string, { plan: object; bytes: number }>();

/** Bytes of the typed arrays and number arrays an object holds, through nested objects (each counted once). */
export function retainedBytes(root: object): number {
  const seen = new Set<object>();
  const visit = (value: unknown, depth: number): number => {
    if (value === null || typeof value !== 'object' || seen.has(value) || depth > 4) return 0;
    seen.add(value);
    if (ArrayBuffer.isView(value)) return value.byteLength;
    if (Array.isArray(value)) return value.reduce((n: number, v) => n + (typeof v === 'number' ? 8 : visit(v, depth + 1)), 0);
    let n = 0;
    for (const v of Object.values(value)) n += visit(v, depth + 1);
    return n;
  };
  return visit(root, 0);
}

/** The cached plan under `key`, now the most recently used; or undefined. */
export function cachedPlan<T extends object>(key: string): T | undefined {
  const entry = entries.get(key);
  if (!entry) return undefined;
  entries.delete(key);
  entries.set(key, entry);
  return entry.plan as T;
}

/** Keeps `plan` under `key`, dropping the least recently used plans past the budget (a plan over the whole budget is not kept). */
export function cachePlan(key: string, plan: object): void {
  const bytes = retainedBytes(plan);
  if (bytes > budget) return;
  const old = entries.get(key);
  if (old) {
    total -= old.bytes;
    entries.delete(key);
  }
  entries.set(key, { plan, bytes });
  total += bytes;
  evict();
}

function evict(): void {
  for (const [key, entry] of entries) {
    if (total <= budget) return;
    entries.delete(key);
    total -= entry.bytes;
  }
}

/** Sets the plan cache's budget in bytes (0 keeps no plans); plans past it are dropped at once. */
export function setPlanCacheBytes(bytes: number): void {
  if (typeof bytes !== 'number' || !Number.isSafeInteger(bytes) || bytes < 0) {
    throw new RangeError(`setPlanCacheBytes: bytes must be a non-negative integer, got ${JSON.stringify(bytes)}`);
  }
  budget = bytes;
  evict();
}

/** How many plans the cache holds and their bytes, against its budget. */
export function planCacheStats(): { plans: number; bytes: number; maxBytes: number } {
  return { plans: entries.size, bytes: total, maxBytes: budget };
}

/** Drops every cached plan. */
export function clearPlanCache(): void {
  entries.clear();
  total = 0;
}
