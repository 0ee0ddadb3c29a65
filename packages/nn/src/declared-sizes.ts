import type { ModelHeader } from './model-file-format.js';

/**
 * The parameter shapes an architecture declares, read from its configuration alone (nothing is
 * built), under the names `Sequential` gives them (`0.weight`, `3.1.bias`, ...). Layers whose sizes
 * are not positive integers are skipped: their constructors reject them before allocating.
 */
function declaredShapes(config: unknown, prefix: string, out: Map<string, number[]>): void {
  if (!config || typeof config !== 'object') return;
  const c = config as Record<string, unknown>;
  const ints = (...values: unknown[]) => values.every((v) => Number.isInteger(v) && (v as number) > 0);
  if (c.type === 'Sequential' && Array.isArray(c.layers)) {
    c.layers.forEach((layer, i) => declaredShapes(layer, `${prefix}${i}.`, out));
  } else if (c.type === 'Linear' && ints(c.inFeatures, c.outFeatures)) {
    out.set(`${prefix}weight`, [c.outFeatures as number, c.inFeatures as number]);
    if (c.bias !== false) out.set(`${prefix}bias`, [c.outFeatures as number]);
  } else if (c.type === 'Conv2d') {
    const kernel = typeof c.kernelSize === 'number' ? [c.kernelSize, c.kernelSize] : c.kernelSize;
    const groups = c.groups ?? 1;
    if (!Array.isArray(kernel) || !ints(c.inChannels, c.outChannels, groups, kernel[0], kernel[1])) return;
    out.set(`${prefix}weight`, [c.outChannels as number, (c.inChannels as number) / (groups as number), kernel[0], kernel[1]]);
    if (c.bias !== false) out.set(`${prefix}bias`, [c.outChannels as number]);
  }
}

/**
 * Checks, before any layer is built, that every parameter the architecture declares is in the
 * file's tensor table with the same shape. The table's sizes are already bounded by the file's
 * length, so a small file cannot make the loader allocate more than it holds (a 31 KB file that
 * declares a 40000x40000 Linear fails here, instead of allocating 6.4 GB of weights first).
 */
export function checkDeclaredSizes(header: ModelHeader, name: string): void {
  const declared = new Map<string, number[]>();
  declaredShapes(header.architecture, '', declared);
  const stored = new Map(header.tensors.map((t) => [t.name, t.shape]));
  for (const [param, shape] of declared) {
    const have = stored.get(param);
    if (!have) {
      throw new Error(`${name}: the architecture declares ${param} [${shape.join(', ')}], which the file does not store`);
    }
    if (have.length !== shape.length || have.some((d, i) => d !== shape[i])) {
      throw new Error(`${name}: the architecture declares ${param} [${shape.join(', ')}], the file stores [${have.join(', ')}]`);
    }
  }
}
