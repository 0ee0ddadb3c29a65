import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  conv2dDirectInto,
  conv2dGradWeightDirectInto,
  conv2dGradWeightIm2colInto,
  conv2dIm2colInto,
  convInfo,
  type Conv2dOptions,
  type ConvInfo,
  type FloatArray,
} from '@convlab/core';
import { conv2dExplicitIm2colInto, conv2dGradWeightExplicitIm2colInto } from '../src/conv/im2col-conv.js';
import {
  conv2dGradWeightImplicitIm2colInto,
  conv2dImplicitIm2colInto,
  implicitGradWeightTiles,
  implicitGradWeightTilesInto,
  implicitIm2colFits,
} from '../src/conv/implicit-im2col.js';
import { setSimd, simdRequested } from '../src/wasm/simd-setting.js';
import { expectClose, randomValues, seededRandom } from '../../../testing/close.js';

/*
 * The implicit im2col path (no unfolded matrix) against the explicit one it replaces, bit for bit,
 * and against the plain direct loop within round-off, over the shapes its tiles have edges in:
 * filters not a multiple of the tile's 4 (forward) or 2 (weight gradient), depths not a multiple of
 * 5 taps, positions not a multiple of 3, more than 512 positions (the GEMM's depth slices),
 * stride, padding (also 'same' with an even kernel), dilation and groups.
 *
 * The bit-for-bit contract is with the pure-JavaScript GEMM (doubles throughout), so the explicit
 * path runs with SIMD off here; the SIMD GEMM sums float32 in float32 and agrees within round-off
 * (conv2d-golden.test.ts runs both against PyTorch).
 */

let simdBefore = true;
beforeAll(() => {
  simdBefore = simdRequested();
  setSimd(false);
});
afterAll(() => setSimd(simdBefore));

type Kind = 'float32' | 'float64';
const random = seededRandom(77);

function randomArray(n: number, kind: Kind): FloatArray {
  const out = kind === 'float32' ? new Float32Array(n) : new Float64Array(n);
  out.set(randomValues(random, n));
  return out;
}

function make(n: number, kind: Kind): FloatArray {
  return kind === 'float32' ? new Float32Array(n) : new Float64Array(n);
}

/** Index of the first element that differs (Object.is: signed zeros and NaN count), or -1. */
function firstDifference(a: FloatArray, b: FloatArray): number {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

interface Case {
  name: string;
  x: number[];
  w: number[];
  options: Conv2dOptions;
}

const cases: Case[] = [
  { name: "LeNet-5's first layer", x: [3, 1, 28, 28], w: [20, 1, 5, 5], options: {} },
  { name: 'filters and taps off the tile sizes', x: [2, 3, 9, 8], w: [7, 3, 2, 3], options: {} },
  { name: 'more than 512 positions', x: [2, 2, 30, 30], w: [6, 2, 3, 3], options: {} },
  { name: 'stride, padding, floored size', x: [3, 2, 11, 10], w: [5, 2, 3, 3], options: { stride: 2, padding: 1, floor: true } },
  { name: "'same' with an even kernel", x: [2, 3, 8, 9], w: [4, 3, 4, 2], options: { padding: 'same' } },
  { name: 'dilation, uneven stride and padding', x: [2, 2, 13, 12], w: [3, 2, 3, 2], options: { stride: [1, 2], padding: [2, 1], dilation: [2, 3] } },
  { name: 'groups', x: [3, 6, 9, 9], w: [9, 2, 3, 3], options: { groups: 3, padding: 1 } },
  { name: 'depthwise', x: [2, 4, 7, 7], w: [4, 1, 3, 3], options: { groups: 4 } },
  { name: 'one output position', x: [2, 3, 5, 5], w: [9, 3, 5, 5], options: {} },
];

describe('implicit im2col: the explicit GEMM path bit for bit, without its matrix', () => {
  for (const kind of ['float32', 'float64'] as const) {
    for (const c of cases) {
      it(`${kind} ${c.name}: x[${c.x}] w[${c.w}] ${JSON.stringify(c.options)}`, () => {
        const info = convInfo(c.x, c.w, c.options);
        expect(implicitIm2colFits(info)).toBe(true);
        const nx = c.x.reduce((p, d) => p * d);
        const nw = c.w.reduce((p, d) => p * d);
        const ny = info.batch * info.outChannels * info.outHeight * info.outWidth;
        const x = randomArray(nx, kind);
        const w = randomArray(nw, kind);
        const b = randomArray(info.outChannels, kind);
        const gy = randomArray(ny, kind);
        const tol = { rel: kind === 'float32' ? 1e-5 : 1e-12 };

        for (const bias of [b, null]) {
          const explicit = make(ny, kind);
          conv2dExplicitIm2colInto(explicit, x, w, bias, info);
          const implicit = make(ny, kind).fill(NaN);
          conv2dImplicitIm2colInto(implicit, x, w, bias, info);
          expect(firstDifference(implicit, explicit)).toBe(-1);
          const direct = make(ny, kind);
          conv2dDirectInto(direct, x, w, bias, info);
          expectClose(implicit, direct, tol);
        }

        const explicit = make(nw, kind);
        conv2dGradWeightExplicitIm2colInto(explicit, x, gy, info);
        const implicit = make(nw, kind).fill(NaN);
        conv2dGradWeightImplicitIm2colInto(implicit, x, gy, info);
        expect(firstDifference(implicit, explicit)).toBe(-1);
        const direct = make(nw, kind);
        conv2dGradWeightDirectInto(direct, x, gy, info);
        expectClose(implicit, direct, tol);
      });
    }
  }

  it('gives the GEMM\'s results with signed zeros, infinities and NaN in the input', () => {
    const info = convInfo([2, 2, 6, 7], [5, 2, 3, 2], { padding: 1 });
    const x = new Float32Array(2 * 2 * 6 * 7).fill(0);
    x[9] = Infinity;
    x[50] = NaN;
    x[60] = -0;
    // Negative weights times zeros give -0 products (the sums start at +0, so they end +0 as in the GEMM); 0 * Infinity is NaN.
    const w = new Float32Array(5 * 2 * 3 * 2).map((_, i) => (i % 3 === 0 ? -1.5 : i % 3 === 1 ? 0 : 2));
    const gy = new Float32Array(2 * 5 * 6 * 8).map((_, i) => (i % 7 === 0 ? -0 : i % 5) - 2);
    const ny = 2 * 5 * 6 * 8;
    for (const bias of [null, new Float32Array([0, -0, 1, -1, 3])]) {
      const explicit = new Float32Array(ny);
      conv2dExplicitIm2colInto(explicit, x, w, bias, info);
      const implicit = new Float32Array(ny);
      conv2dImplicitIm2colInto(implicit, x, w, bias, info);
      expect(firstDifference(implicit, explicit)).toBe(-1);
      expect(explicit.some((v) => Number.isNaN(v))).toBe(true);
    }
    const explicit = new Float32Array(w.length);
    conv2dGradWeightExplicitIm2colInto(explicit, x, gy, info);
    const implicit = new Float32Array(w.length);
    conv2dGradWeightImplicitIm2colInto(implicit, x, gy, info);
    expect(firstDifference(implicit, explicit)).toBe(-1);
  });

  it('rounds a float64 bias into a float32 output as the GEMM does (once at the start, once at the end)', () => {
    const info = convInfo([2, 1, 6, 6], [4, 1, 3, 3]);
    const x = randomArray(72, 'float32');
    const w = randomArray(36, 'float32');
    const b = new Float64Array([0.1, 1 / 3, -2 / 7, 1e-9]);
    const explicit = new Float32Array(2 * 4 * 16);
    conv2dExplicitIm2colInto(explicit, x, w, b, info);
    const implicit = new Float32Array(2 * 4 * 16);
    conv2dImplicitIm2colInto(implicit, x, w, b, info);
    expect(firstDifference(implicit, explicit)).toBe(-1);
  });

  it('computes any range of weight-gradient tiles as the whole does', () => {
    const info = convInfo([3, 6, 9, 9], [9, 2, 3, 3], { groups: 3, padding: 1 });
    const x = randomArray(3 * 6 * 81, 'float64');
    const gy = randomArray(3 * 9 * 81, 'float64');
    const tiles = implicitGradWeightTiles(info);
    // 3 groups x 2 filter pairs (3 filters a group: a pair and one alone) x 4 blocks of 5 taps (18 taps: the last block has 3).
    expect(tiles).toBe(3 * 2 * 4);
    const whole = new Float64Array(162);
    implicitGradWeightTilesInto(whole, x, gy, info, 0, tiles);
    const pieces = new Float64Array(162).fill(NaN);
    for (const [start, end] of [[0, 5], [5, 6], [6, 17], [17, tiles]] as const) implicitGradWeightTilesInto(pieces, x, gy, info, start, end);
    expect(firstDifference(pieces, whole)).toBe(-1);
  });

  it('is what conv2dIm2colInto runs for shallow products; deep and wide ones stay explicit', () => {
    const fits = (x: number[], w: number[], options: Conv2dOptions = {}) => implicitIm2colFits(convInfo(x, w, options));
    expect(fits([500, 1, 28, 28], [20, 1, 5, 5])).toBe(true);
    // LeNet-5's second layer through im2col: depth 500 and 50 filters keep the GEMM busy.
    expect(fits([500, 20, 12, 12], [50, 20, 5, 5])).toBe(false);
    expect(fits([5, 20, 12, 12], [16, 20, 5, 5])).toBe(true);
    // Deeper than one KC slice of 512: never.
    expect(fits([2, 64, 8, 8], [8, 64, 3, 3])).toBe(false);

    const check = (info: ConvInfo, kind: Kind) => {
      const nx = info.batch * info.inChannels * info.inHeight * info.inWidth;
      const nw = info.outChannels * info.inChannelsPerGroup * info.kernelHeight * info.kernelWidth;
      const ny = info.batch * info.outChannels * info.outHeight * info.outWidth;
      const x = randomArray(nx, kind);
      const w = randomArray(nw, kind);
      const gy = randomArray(ny, kind);
      const viaDispatch = make(ny, kind);
      conv2dIm2colInto(viaDispatch, x, w, null, info);
      const explicit = make(ny, kind);
      conv2dExplicitIm2colInto(explicit, x, w, null, info);
      expect(firstDifference(viaDispatch, explicit)).toBe(-1);
      const gwDispatch = make(nw, kind);
      conv2dGradWeightIm2colInto(gwDispatch, x, gy, info);
      const gwExplicit = make(nw, kind);
      conv2dGradWeightExplicitIm2colInto(gwExplicit, x, gy, info);
      expect(firstDifference(gwDispatch, gwExplicit)).toBe(-1);
    };
    check(convInfo([2, 1, 12, 12], [6, 1, 5, 5]), 'float32');
    check(convInfo([2, 64, 6, 6], [8, 64, 3, 3], { padding: 1 }), 'float32');
  });
});
