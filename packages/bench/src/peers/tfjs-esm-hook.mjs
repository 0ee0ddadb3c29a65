// Module hooks for loading TensorFlow.js's gradient definitions in Node (see tfjs.ts).
// tfjs-core's CommonJS build (its "main") registers no gradients; its ES module files do, but
// they import each other without file extensions and sit in a package that is not marked as ES
// modules. For files under @tensorflow/tfjs-core/dist/ only (never the CommonJS bundle), these
// hooks add the ".js" and load them as ES modules.

const CORE_DIST = '/@tensorflow/tfjs-core/dist/';

export async function resolve(specifier, context, next) {
  const parent = context.parentURL ?? '';
  if (parent.includes(CORE_DIST) && specifier.startsWith('.') && !/\.[cm]?js$/.test(specifier)) {
    return next(`${specifier}.js`, context);
  }
  return next(specifier, context);
}

export async function load(url, context, next) {
  if (url.includes(CORE_DIST) && url.endsWith('.js') && !url.endsWith('/tf-core.node.js')) {
    return next(url, { ...context, format: 'module' });
  }
  return next(url, context);
}
