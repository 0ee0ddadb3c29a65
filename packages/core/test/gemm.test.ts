import { describe, expect, it } from 'vitest';
import { contiguous, gemmInto, gemmReferenceInto, matmul, tensor, toNested, type GemmOptions } from '@convlab/core';
import { expectClose, randomValues, seededRandom } from '../../../testing/close.js';

const random = seededRandom(7);

function randomArray(n: number, type: 'float32' | 'float64'): Float32Array | Float64Array {
  const v = randomValues(random, n);
  return type === 'float32' ? Float32Array.from(v) : Float64Array.from(v);
}

/** Runs the blocked GEMM and the reference triple loop on the same inputs and compares. */
function expectGemmParity(m: number, n: number, k: number, options: GemmOptions, type: 'float32' | 'float64' = 'float64'): void {
  const lda = options.lda ?? (options.transA ? m : k);
  const ldb = options.ldb ?? (options.transB ? k : n);
  const ldc = options.ldc ?? n;
  const a = randomArray((options.offsetA ?? 0) + (options.transA ? k : m) * lda, type);
  const b = randomArray((options.offsetB ?? 0) + (options.transB ? n : k) * ldb, type);
  const c0 = randomArray((options.offsetC ?? 0) + m * ldc, type);
  const ours = gemmInto(c0.slice(), a, b, m, n, k, options);
  const reference = gemmReferenceInto(c0.slice(), a, b, m, n, k, options);
  expectClose(ours, reference, type === 'float32' ? { rel: 1e-6 } : { rel: 1e-13 });
}

describe('gemmReferenceInto (the oracle)', () => {
  it('multiplies a small matrix product by hand', () => {
    // [[1,2,3],[4,5,6]] x [[7,8],[9,10],[11,12]] = [[58,64],[139,154]]
    const c = gemmReferenceInto(new Float64Array(4), Float64Array.of(1, 2, 3, 4, 5, 6), Float64Array.of(7, 8, 9, 10, 11, 12), 2, 2, 3);
    expect(Array.from(c)).toEqual([58, 64, 139, 154]);
  });
});

describe('gemmInto', () => {
  it('multiplies a small matrix product exactly', () => {
    const c = gemmInto(new Float64Array(4), Float64Array.of(1, 2, 3, 4, 5, 6), Float64Array.of(7, 8, 9, 10, 11, 12), 2, 2, 3);
    expect(Array.from(c)).toEqual([58, 64, 139, 154]);
    // A^T B: A stored 3x2 as [[1,4],[2,5],[3,6]] gives the same product.
    const t = gemmInto(new Float64Array(4), Float64Array.of(1, 4, 2, 5, 3, 6), Float64Array.of(7, 8, 9, 10, 11, 12), 2, 2, 3, { transA: true });
    expect(Array.from(t)).toEqual([58, 64, 139, 154]);
  });

  const sizes = [1, 7, 33, 65, 129];
  for (const transA of [false, true]) {
    for (const transB of [false, true]) {
      it(`matches the triple loop on awkward sizes ${sizes.join(', ')} (transA ${transA}, transB ${transB})`, () => {
        for (const m of sizes) for (const n of sizes) for (const k of [1, 7, 65, 129]) expectGemmParity(m, n, k, { transA, transB });
      });
    }
  }

  it('crosses the blocking boundaries (k > 512, m > 64, n > 512)', () => {
    expectGemmParity(70, 1030, 520, {});
    expectGemmParity(67, 9, 1100, { transA: true, transB: true });
  });

  it('applies alpha and beta, including beta 0 over a C full of NaN', () => {
    for (const [alpha, beta] of [[1, 1], [2.5, -0.5], [-1, 0], [0, 3], [0.5, 2]] as const) {
      expectGemmParity(33, 17, 65, { alpha, beta, transB: true });
    }
    const c = new Float64Array(6).fill(NaN);
    gemmInto(c, Float64Array.of(1, 2), Float64Array.of(1, 2, 3), 2, 3, 1, { beta: 0 });
    expect(Array.from(c)).toEqual([1, 2, 3, 2, 4, 6]);
  });

  it('scales C by beta when k is 0 or alpha is 0, as BLAS does', () => {
    const c = Float64Array.of(1, 2, 3, 4);
    gemmInto(c, new Float64Array(0), new Float64Array(0), 2, 2, 0, { beta: 3 });
    expect(Array.from(c)).toEqual([3, 6, 9, 12]);
    gemmInto(c, new Float64Array(4), new Float64Array(4), 2, 2, 2, { alpha: 0, beta: 0 });
    expect(Array.from(c)).toEqual([0, 0, 0, 0]);
  });

  it('honours leading dimensions and offsets (sub-blocks of larger buffers)', () => {
    expectGemmParity(9, 13, 17, { lda: 20, ldb: 15, ldc: 30, offsetA: 5, offsetB: 3, offsetC: 11 });
    expectGemmParity(9, 13, 17, { transA: true, transB: true, lda: 12, ldb: 19, ldc: 14, offsetA: 1, offsetB: 2, offsetC: 3 });
  });

  it('leaves C outside the m x n block untouched', () => {
    const c = new Float64Array(4 * 6).fill(-7);
    gemmInto(c, randomArray(3 * 5, 'float64'), randomArray(5 * 4, 'float64'), 3, 4, 5, { ldc: 6, offsetC: 1 });
    for (let i = 0; i < 4; i++) {
      for (let j = 0; j < 6; j++) {
        const inside = i < 3 && j >= 1 && j < 5;
        if (!inside) expect(c[i * 6 + j], `C[${i}][${j}]`).toBe(-7);
      }
    }
  });

  it('works in float32 and in mixed float32/float64, accumulating in doubles', () => {
    expectGemmParity(65, 33, 129, {}, 'float32');
    expectGemmParity(7, 65, 600, { transA: true }, 'float32');
    const a = randomArray(7 * 9, 'float32');
    const b = randomArray(9 * 5, 'float64');
    expectClose(gemmInto(new Float64Array(35), a, b, 7, 5, 9), gemmReferenceInto(new Float64Array(35), a, b, 7, 5, 9), { rel: 1e-14 });
  });

  it('rejects bad sizes and buffers with a message naming the numbers', () => {
    const a = new Float64Array(6);
    const b = new Float64Array(6);
    expect(() => gemmInto(new Float64Array(4), a, b, 2, 2, 4)).toThrow(
      /gemm: A holds 6 elements, but a 2x4 matrix at offset 0 with ldA 4 needs 8/,
    );
    expect(() => gemmInto(new Float64Array(3), a, b, 2, 2, 3)).toThrow(/gemm: C holds 3 elements, but a 2x2 matrix/);
    expect(() => gemmInto(new Float64Array(4), a, b, -1, 2, 3)).toThrow(/gemm: m must be a non-negative integer, got -1/);
    expect(() => gemmInto(new Float64Array(4), a, b, 2, 2, 1.5)).toThrow(/gemm: k must be a non-negative integer, got 1.5/);
    expect(() => gemmInto(new Float64Array(4), a, b, 2, 2, 3, { lda: 2 })).toThrow(/gemm: ldA 2 must be an integer >= 3/);
    expect(() => gemmInto(new Float64Array(4), [1, 2] as never, b, 2, 2, 1)).toThrow(/gemm: A must be a Float32Array or Float64Array/);
    expect(() => gemmReferenceInto(new Float64Array(4), a, b, 2, 2, 4)).toThrow(/gemmReference: A holds 6 elements/);
  });
});

describe('matmul', () => {
  it('multiplies 2-D tensors like numpy @', () => {
    const c = matmul(tensor([[1, 2, 3], [4, 5, 6]]), tensor([[7, 8], [9, 10], [11, 12]]));
    expect(c.shape).toEqual([2, 2]);
    expect(toNested(c)).toEqual([[58, 64], [139, 154]]);
  });

  it('gives float32 only when both inputs are float32', () => {
    expect(matmul(tensor([[1, 2]], 'float32'), tensor([[3], [4]], 'float32')).data).toBeInstanceOf(Float32Array);
    const mixed = matmul(tensor([[1, 2]], 'float32'), tensor([[3], [4]]));
    expect(mixed.data).toBeInstanceOf(Float64Array);
    expect(toNested(mixed)).toEqual([[11]]);
  });

  it('gives the same answer on transposed, sliced and stepped views as on copies', () => {
    const big = tensor(Float64Array.from(randomValues(random, 12 * 10)), [12, 10]);
    const other = tensor(Float64Array.from(randomValues(random, 12 * 12)), [12, 12]);
    // Read in place (unit row or column stride) and gathered (negative or non-unit steps).
    const views = [big.transpose(1, 0).hi(9, 12), big.lo(1, 2).hi(9, 7), big.step(-1, 1).hi(9, 10), big.step(2, -1).hi(6, 9)];
    for (const view of views) {
      const cols = view.shape[1]!;
      const copy = contiguous(view);
      const right = other.hi(cols, 5);
      const rightT = contiguous(other.hi(5, cols)).transpose(1, 0); // a [cols, 5] view with unit row stride
      expectClose(matmul(view, right).data, matmul(copy, contiguous(right)).data, { rel: 1e-15 });
      expectClose(matmul(view, rightT).data, matmul(copy, contiguous(rightT)).data, { rel: 1e-15 });
    }
  });

  it('rejects wrong ranks and mismatched inner dimensions', () => {
    expect(() => matmul(tensor([1, 2, 3]), tensor([[1], [2], [3]]))).toThrow(/matmul: a must be 2-D, got shape \[3\]/);
    expect(() => matmul(tensor([[1, 2, 3]]), tensor([[1, 2]]))).toThrow(
      /matmul: inner dimensions differ: a is \[1, 3\] and b is \[1, 2\] \(3 != 1\)/,
    );
  });
});
