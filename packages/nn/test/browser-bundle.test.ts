import { runInNewContext } from 'node:vm';
import { fileURLToPath } from 'node:url';
import { build, type BuildOptions } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from '../../core/test/parallel-build.js';

/*
 * The library packages in a browser: esbuild bundles each package's browser entry (the built dist/
 * as package.json's exports give it to a bundler, without the "node" condition) for the browser
 * platform, where any Node built-in fails the build; and a bundle of all three runs in a context
 * that has only what a page has, with no process, Buffer or require.
 */

const root = fileURLToPath(new URL('../../..', import.meta.url));

/** Modules Node has built in: none may appear in a browser bundle. */
const NODE_BUILTINS = /\b(?:node:\w+|fs|path|zlib|os|module|perf_hooks|worker_threads|child_process|url|util|crypto|stream|buffer)\b/;

async function bundle(contents: string, options: BuildOptions = {}) {
  return build({
    stdin: { contents, resolveDir: root, sourcefile: 'entry.js' },
    bundle: true,
    platform: 'browser',
    format: 'esm',
    write: false,
    metafile: true,
    logLevel: 'silent',
    ...options,
  });
}

beforeAll(() => ensureBuilt('nn', 'index.js'), 180_000);

describe('browser bundles', () => {
  const entries = ['@convlab/core', '@convlab/fft', '@convlab/nn', '@convlab/core/pool-worker', '@convlab/fft/pool-worker'];
  for (const entry of entries) {
    it(`${entry} bundles for the browser with no Node built-in`, async () => {
      const result = await bundle(`export * from '${entry}';\nimport '${entry}';`);
      expect(result.errors).toEqual([]);
      const inputs = Object.keys(result.metafile!.inputs);
      // The bundle is built from dist/ (what a user's bundler sees) and holds the package's own code.
      const pkg = entry.split('/')[1]!;
      expect(inputs.some((path) => path.startsWith(`packages/${pkg}/dist/`))).toBe(true);
      expect(inputs.filter((path) => path.includes('/node/') || /(^|\/)(node|index\.node|node-transport|worker)\.js$/.test(path))).toEqual([]);
      const imports = Object.values(result.metafile!.inputs).flatMap((input) => input.imports.map((i) => i.path));
      expect(imports.filter((path) => NODE_BUILTINS.test(path) && !path.includes('/'))).toEqual([]);
      expect(result.outputFiles![0]!.text).not.toMatch(/from\s*["']node:|require\(["'](?:node:)?(?:fs|path|zlib|os|module|perf_hooks|worker_threads)["']\)/);
    });
  }

  it('the Node entries do pull in Node built-ins (so the check above can fail)', async () => {
    const result = await bundle(`import '@convlab/nn/node';`).catch((error: { errors: { text: string }[] }) => error);
    expect('errors' in result && result.errors.map((e) => e.text).join('\n')).toMatch(/Could not resolve "node:fs"/);
  });

  it('a bundle of all three runs without Node globals: the lecture example, a LeNet-5 step, a model file in memory, one thread', async () => {
    const smoke = fileURLToPath(new URL('./browser/smoke.js', import.meta.url));
    const result = await bundle(`import ${JSON.stringify(smoke)};`, { format: 'iife' });
    const warnings: string[] = [];
    // What a page that is not cross-origin isolated offers: no SharedArrayBuffer, and none of Node's globals.
    const page = {
      console: { log() {}, warn: (text: string) => warnings.push(text), error() {} },
      TextEncoder,
      TextDecoder,
      URL,
      performance,
      setTimeout,
      navigator: { hardwareConcurrency: 4 },
      crossOriginIsolated: false,
      SharedArrayBuffer: undefined,
      result: undefined as unknown,
    };
    runInNewContext(result.outputFiles![0]!.text, page);
    const out = page.result as Record<string, unknown>;
    expect(out['convolve2d']).toEqual([[1, 4, 7, 6], [7, 23, 33, 24], [19, 53, 63, 42], [21, 52, 59, 36]]);
    expect(out['fftconvolve']).toEqual(out['convolve2d']);
    expect(out['poolThreads']).toBe(1);
    expect(out['numThreads']).toBe(4);
    expect(Number.isFinite(out['loss'])).toBe(true);
    expect(out['roundTripSame']).toBe(true);
    expect(out['modelBytes']).toBeGreaterThan(4 * 431_080);
    expect(out['idxDims']).toEqual([2, 2]);
    expect(out['saveError']).toMatch(/^saveModel: writing files needs Node .*serializeModel\(model\)/);
    expect(warnings).toEqual([expect.stringMatching(/^WorkerPool: the page is not cross-origin isolated.*Cross-Origin-Opener-Policy: same-origin.*; running on one thread$/)]);
  });
});
