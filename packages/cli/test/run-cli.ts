import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Runs the built `convlab` bin as a user would, and makes sure the build is current first. */

export const root = fileURLToPath(new URL('../../../', import.meta.url));
export const bin = join(root, 'packages/cli/bin/convlab.js');
export const fixtures = join(root, 'fixtures/mnist-tiny');

const PACKAGES = ['core', 'fft', 'nn', 'bench', 'cli'];

function newest(dir: string): number {
  let t = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    t = Math.max(t, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return t;
}

/** Builds with `tsc -b` when any package's dist is missing or older than its sources; fails loudly if the build fails. */
export function ensureBuilt(): void {
  const stale = PACKAGES.some((pkg) => {
    const out = join(root, 'packages', pkg, 'dist/.tsbuildinfo');
    return !existsSync(out) || statSync(out).mtimeMs < newest(join(root, 'packages', pkg, 'src'));
  });
  if (!stale && existsSync(join(root, 'packages/cli/dist/main.js'))) return;
  try {
    execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-b'], { cwd: root, stdio: 'pipe' });
  } catch (error) {
    const out = (error as { stdout?: Buffer }).stdout?.toString() ?? '';
    throw new Error(`the CLI tests need a build and tsc -b failed:\n${out}`);
  }
}

/**
 * Builds the demo page (packages/web/build.mjs) when its dist/ is missing or older than its sources
 * or the libraries' builds; `convlab serve` serves it. Call after `ensureBuilt()`.
 */
export function ensurePageBuilt(): void {
  const web = join(root, 'packages/web');
  const page = join(web, 'dist/index.html');
  const inputs = [
    ...['src', 'static', 'model'].map((d) => newest(join(web, d))),
    statSync(join(web, 'build.mjs')).mtimeMs,
    ...PACKAGES.map((pkg) => statSync(join(root, 'packages', pkg, 'dist/.tsbuildinfo')).mtimeMs),
  ];
  if (existsSync(page) && statSync(page).mtimeMs >= Math.max(...inputs)) return;
  try {
    execFileSync(process.execPath, [join(web, 'build.mjs')], { cwd: root, stdio: 'pipe' });
  } catch (error) {
    const err = (error as { stderr?: Buffer }).stderr?.toString() ?? '';
    throw new Error(`the demo page's build failed:\n${err}`);
  }
}

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** `convlab ...args` in `cwd`, synchronously. */
export function convlab(args: string[], cwd: string): Run {
  const r = spawnSync(process.execPath, [bin, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, CONVLAB_DEBUG: '', FORCE_COLOR: '0' },
    timeout: 120_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * `convlab ...args` in `cwd` that receives SIGINT (Ctrl-C) as soon as its stderr matches `when`;
 * resolves with its exit status and output.
 */
export function convlabInterrupted(args: string[], cwd: string, when: RegExp): Promise<Run & { signalled: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd, env: { ...process.env, CONVLAB_DEBUG: '', FORCE_COLOR: '0' } });
    let stdout = '';
    let stderr = '';
    let signalled = false;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (!signalled && when.test(stderr)) {
        signalled = true;
        child.kill('SIGINT');
      }
    });
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr, signalled }));
  });
}
