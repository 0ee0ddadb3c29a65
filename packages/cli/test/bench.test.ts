import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * `convlab bench` as a user runs it: the built command in a child process. The build is brought
 * up to date first when the command's source is newer than its output.
 */
const root = fileURLToPath(new URL('../../..', import.meta.url));
const bin = path.join(root, 'packages/cli/bin/convlab.js');
const built = path.join(root, 'packages/cli/dist/commands/bench.js');
const sources = [path.join(root, 'packages/cli/src/commands/bench.ts'), ...tsFiles(path.join(root, 'packages/bench/src'))];
let scratch = '';

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts')).map((f) => path.join(dir, f));
}

function convlab(args: string[]) {
  const result = spawnSync(process.execPath, [bin, ...args], { cwd: scratch, encoding: 'utf8', env: { ...process.env, CONVLAB_DEBUG: '' } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

beforeAll(() => {
  const newest = Math.max(...sources.map((f) => statSync(f).mtimeMs));
  if (!existsSync(built) || statSync(built).mtimeMs < newest) {
    spawnSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-b', 'packages/cli'], { cwd: root });
  }
  scratch = mkdtempSync(path.join(os.tmpdir(), 'convlab-bench-'));
}, 300_000);

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('convlab bench: bad input', () => {
  const cases: Array<[string, string[], RegExp]> = [
    ['a non-positive batch', ['bench', '--batch', '0'], /--batch must be a positive integer, got 0/],
    ['a negative repeat', ['bench', '--repeat', '-2'], /--repeat must be a positive integer, got -2/],
    ['a batch that is not a number', ['bench', '--batch', 'many'], /--batch must be a positive integer, got something that is not a number/],
    ['a fractional warm-up', ['bench', '--warmup', '1.5'], /--warmup must be a non-negative integer, got 1.5/],
    ['an unknown suite', ['bench', 'lectures'], /unknown benchmark "lectures"; known: .*lecture/],
    ['an unknown flag', ['bench', '--fast'], /Unknown argument: fast/],
    ['a --json that is a directory', ['bench', '--json', '.'], /--json \. is a directory; give a file name/],
  ];
  for (const [what, args, message] of cases) {
    it(`${what}: one line on stderr, non-zero exit, no stack trace`, () => {
      const r = convlab(args);
      expect(r.status).not.toBe(0);
      expect(r.stdout).toBe('');
      const lines = r.stderr.trimEnd().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^convlab: /);
      expect(lines[0]).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    });
  }
});

describe('convlab bench: a tiny run', () => {
  it('prints the table, writes the JSON and the charts', () => {
    const json = path.join(scratch, 'out', 'results.json');
    const charts = path.join(scratch, 'charts');
    const r = convlab(['bench', 'lecture', '--tiny', '--batch', '2', '--repeat', '1', '--warmup', '0', '--json', json, '--charts', charts]);
    expect(r.stderr).not.toMatch(/failed/);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^convlab bench: /);
    expect(r.stdout).toMatch(/forward conv, layer 2 \(2x20x12x12 \* 50x20x5x5\)/);
    const report = JSON.parse(readFileSync(json, 'utf8'));
    expect(report.format).toBe('convlab-bench/1');
    expect(report.options).toMatchObject({ batch: 2, repeat: 1, warmup: 0, what: ['lecture'] });
    expect(report.machine.cores).toBeGreaterThan(0);
    expect(report.suites[0].rows.length).toBeGreaterThan(0);
    const files = readdirSync(charts);
    expect(files).toContain('lecture-conv-forward-2.svg');
    expect(readFileSync(path.join(charts, 'lecture-conv-forward-2.svg'), 'utf8')).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    // No temporary file is left behind by the atomic writes.
    expect(readdirSync(path.dirname(json)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(files.filter((f) => f.endsWith('.tmp'))).toEqual([]);
    // The lecture timed batch 500: at batch 2 its seconds would compare nothing, so they are hidden and the run says so.
    expect(report.suites[0].rows.filter((row: { lectureSeconds?: number }) => row.lectureSeconds !== undefined)).toEqual([]);
    expect(r.stdout).toMatch(/lecture figures hidden: the lecture timed batch 500, this run batch 2/);
    expect(readFileSync(path.join(charts, 'lecture-conv-forward-2.svg'), 'utf8')).toMatch(/lecture figures hidden/);
  });

  it('writes its charts to a working folder by default, not over the committed ones in docs/charts', () => {
    const r = convlab(['bench', 'lecture', '--tiny', '--repeat', '1', '--warmup', '0']);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/charts written to runs\/charts/);
    expect(readdirSync(path.join(scratch, 'runs', 'charts'))).toContain('lecture-conv-forward-1.svg');
    expect(existsSync(path.join(scratch, 'docs'))).toBe(false);
  });

  it('--tiny without --batch runs at a tiny batch, not at 500', () => {
    const json = path.join(scratch, 'tiny-default.json');
    const r = convlab(['bench', 'lecture', '--tiny', '--repeat', '1', '--warmup', '0', '--no-charts', '--json', json]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/forward conv, layer 2 \(4x20x12x12 \* 50x20x5x5\)/);
    expect(JSON.parse(readFileSync(json, 'utf8')).options).toMatchObject({ batch: 4, what: ['lecture'] });
  });
});
