import { describe, expect, it } from 'vitest';
import { Random } from '@convlab/nn';

describe('Random', () => {
  it('gives the same stream for the same seed and a different one for another seed', () => {
    const a = new Random(42);
    const b = new Random(42);
    const c = new Random(43);
    const sa = Array.from({ length: 8 }, () => a.next());
    expect(Array.from({ length: 8 }, () => b.next())).toEqual(sa);
    expect(Array.from({ length: 8 }, () => c.next())).not.toEqual(sa);
  });

  it('draws uniforms in [0, 1) with the mean and variance of a uniform', () => {
    const r = new Random(1);
    const n = 100_000;
    let sum = 0;
    let sq = 0;
    for (let i = 0; i < n; i++) {
      const u = r.next();
      expect(u >= 0 && u < 1).toBe(true);
      sum += u;
      sq += u * u;
    }
    const mean = sum / n;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.005);
    expect(Math.abs(sq / n - mean * mean - 1 / 12)).toBeLessThan(0.002);
  });

  it('resumes exactly from a saved state', () => {
    const r = new Random(7);
    r.next();
    const state = r.getState();
    const ahead = [r.next(), r.next()];
    const s = new Random(0);
    s.setState(state);
    expect([s.next(), s.next()]).toEqual(ahead);
  });

  it('shuffles into a permutation', () => {
    const p = new Random(3).shuffle(Int32Array.from({ length: 50 }, (_, i) => i));
    expect(Array.from(p).sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(Array.from(p)).not.toEqual(Array.from({ length: 50 }, (_, i) => i));
  });
});
