import { describe, it } from 'vitest';
import { complexMatmulInto, packedLength, packPanelsInto, packRowsInto } from '../src/pointwise.js';
import { expectClose, randomValues, seededRandom } from '../../../testing/close.js';

/** The plain triple loop over split complex matrices, the oracle for the tiled kernel. */
function plainMatmul(ar: number[], ai: number[], br: number[], bi: number[], m: number, n: number, k: number): number[] {
  const out = new Array<number>(2 * m * n).fill(0);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let re = 0;
      let im = 0;
      for (let p = 0; p < k; p++) {
        re += ar[i * k + p]! * br[p * n + j]! - ai[i * k + p]! * bi[p * n + j]!;
        im += ar[i * k + p]! * bi[p * n + j]! + ai[i * k + p]! * br[p * n + j]!;
      }
      out[i * 2 * n + j] = re;
      out[i * 2 * n + n + j] = im;
    }
  }
  return out;
}

describe('the pointwise complex matrix product', () => {
  for (const [m, n, k] of [[1, 1, 1], [2, 2, 3], [5, 3, 4], [7, 50, 20], [36, 1, 9], [4, 7, 1]] as const) {
    it(`${m}x${k} times ${k}x${n} matches the plain loop (odd sizes take the edge paths)`, () => {
      const random = seededRandom(m * 100 + n * 10 + k);
      const ar = randomValues(random, m * k);
      const ai = randomValues(random, m * k);
      const br = randomValues(random, k * n);
      const bi = randomValues(random, k * n);
      // A rows as [Re | Im] with a leading dimension larger than 2k, at an offset.
      const lda = 2 * k + 3;
      const a = new Float64Array(5 + m * lda);
      for (let i = 0; i < m; i++) {
        for (let p = 0; p < k; p++) {
          a[5 + i * lda + p] = ar[i * k + p]!;
          a[5 + i * lda + k + p] = ai[i * k + p]!;
        }
      }
      const b = new Float64Array(2 + packedLength(k, n));
      packPanelsInto(b, 2, k, n, (p, j) => br[p * n + j]!, (p, j) => bi[p * n + j]!);
      const c = new Float64Array(2 * m * n);
      complexMatmulInto(c, 0, 2 * n, n, a, 5, lda, k, b, 2, m, n, k);
      expectClose(c, plainMatmul(ar, ai, br, bi, m, n, k), { rel: 1e-14 });
      // Packing from split rows gives the same panels.
      const rows = new Float64Array(1 + k * (2 * n + 1));
      for (let p = 0; p < k; p++) {
        for (let j = 0; j < n; j++) {
          rows[1 + p * (2 * n + 1) + j] = br[p * n + j]!;
          rows[1 + p * (2 * n + 1) + n + j] = bi[p * n + j]!;
        }
      }
      const b2 = new Float64Array(2 + packedLength(k, n));
      packRowsInto(b2, 2, rows, 1, 2 * n + 1, n, k, n);
      expectClose(b2, b, { rel: 0 });
    });
  }
});
