import { execSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/*
 * Worker threads run core's built JavaScript (dist/), while vitest runs the TypeScript sources.
 * Tests that start workers call this first: it builds core when dist/ is missing or older than a
 * source file, so the two sides always run the same code.
 */

const coreDir = fileURLToPath(new URL('..', import.meta.url));

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

function builtTime(): number {
  try {
    statSync(join(coreDir, 'dist/parallel/worker.js'));
    return statSync(join(coreDir, 'dist/.tsbuildinfo')).mtimeMs;
  } catch {
    return -1;
  }
}

export function ensureCoreBuilt(): void {
  if (builtTime() >= newestSource(join(coreDir, 'src'))) return;
  try {
    execSync('npx tsc -b', { cwd: coreDir, stdio: 'pipe' });
  } catch (error) {
    // A type error elsewhere still emits JavaScript; only a missing worker is fatal.
    if (builtTime() < 0) throw error;
  }
}
