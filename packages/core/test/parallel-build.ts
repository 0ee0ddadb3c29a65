import { execSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/*
 * Worker threads run built JavaScript (dist/), while vitest runs the TypeScript sources. Tests
 * that start workers call this first: it builds a package (and what it references) when its
 * dist/ is missing or older than one of its sources, so both sides run the same code.
 */

const packagesDir = fileURLToPath(new URL('../..', import.meta.url));

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

function builtTime(dir: string, probe: string): number {
  try {
    statSync(join(dir, 'dist', probe));
    return statSync(join(dir, 'dist/.tsbuildinfo')).mtimeMs;
  } catch {
    return -1;
  }
}

/** Builds `packages/<name>` when needed; `probe` is a file under its dist/ that must exist afterwards. */
export function ensureBuilt(name: string, probe: string): void {
  const deps = name === 'core' ? ['core'] : name === 'fft' ? ['core', 'fft'] : ['core', 'fft', 'nn', name];
  const stale = deps.some((d) => builtTime(join(packagesDir, d), d === name ? probe : 'index.js') < newestSource(join(packagesDir, d, 'src')));
  if (!stale) return;
  const dir = join(packagesDir, name);
  try {
    execSync('npx tsc -b', { cwd: dir, stdio: 'pipe' });
  } catch (error) {
    // A type error elsewhere still emits JavaScript; only a missing file is fatal.
    if (builtTime(dir, probe) < 0) throw error;
  }
}

export function ensureCoreBuilt(): void {
  ensureBuilt('core', 'parallel/worker.js');
}
