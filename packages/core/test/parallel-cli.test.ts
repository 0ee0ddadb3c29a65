import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convlab, ensureBuilt } from '../../cli/test/run-cli.js';

/*
 * `convlab train --threads N` end to end on real MNIST (two minibatches of 500, large enough for
 * every product to be split): the thread count changes no number with im2col, whose threaded
 * kernels all do the single-threaded arithmetic, and a bad count is one clear line.
 */

let dir: string;

beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'convlab-threads-'));
}, 180_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function losses(log: string): number[] {
  return readFileSync(join(dir, log), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { event: string; loss?: number })
    .filter((r) => r.event === 'batch')
    .map((r) => r.loss!);
}

describe('convlab train --threads', () => {
  it('trains to the same losses bit for bit on 1 and 2 threads (im2col), and says how many it uses', () => {
    const run = (threads: number) =>
      convlab(
        ['train', '--threads', String(threads), '--conv', 'im2col', '--limit', '1000', '--epochs', '1', '--seed', '1', '--out', `t${threads}.cvlm`, '--log', `t${threads}.jsonl`],
        dir,
      );
    const one = run(1);
    const two = run(2);
    expect(one.status, one.stderr).toBe(0);
    expect(two.status, two.stderr).toBe(0);
    expect(one.stdout).toContain('seed 1, 1 thread');
    expect(two.stdout).toContain('seed 1, 2 threads');
    const a = losses('t1.jsonl');
    expect(a.length).toBe(2);
    expect(losses('t2.jsonl')).toEqual(a);
  }, 300_000);

  it('refuses a thread count that is not a positive integer, in one line', () => {
    for (const bad of ['0', '1.5', '-2']) {
      const r = convlab(['train', '--threads', bad, '--limit', '10'], dir);
      expect(r.status).toBe(2);
      expect(r.stderr.trim()).toBe(`convlab: train: --threads must be a positive integer, got ${Number(bad)}`);
    }
  });
});
