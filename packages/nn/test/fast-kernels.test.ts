import { describe, expect, it } from 'vitest';
import { convInfo, fromDense } from '@convlab/core';
import type { ConvInfo } from '@convlab/core';
import { MaxPool2d, Tanh } from '@convlab/nn';
import { isPool2x2, maxPool2dWindowsInto, maxPool2x2Into, tanhFloat32Into, tanhInto } from '@convlab/core';
import { seededRandom } from '../../../testing/close.js';

/*
 * The fast paths of pooling and tanh against the plain loops they stand in for: the 2x2 max
 * pooling gives the plain loop's maxima and switches bit for bit, ties, NaN and -Infinity
 * included; the float32 tanh stays within one float32 step of Math.tanh.
 */

function poolInfo(shape: number[], k: number, s: number, floor = false, padding = 0): ConvInfo {
  return convInfo(shape, [shape[1]!, 1, k, k], { stride: s, padding, groups: shape[1]!, floor }, 'test');
}

function bits(a: ArrayLike<number>): string[] {
  return Array.from(a, (v) => (Object.is(v, -0) ? '-0' : String(v)));
}

describe('2x2 max pooling fast path', () => {
  it('is taken only for 2x2 windows at stride 2 without padding or dilation', () => {
    expect(isPool2x2(poolInfo([1, 1, 4, 4], 2, 2))).toBe(true);
    expect(isPool2x2(poolInfo([1, 1, 5, 5], 2, 2, true))).toBe(true);
    expect(isPool2x2(poolInfo([1, 1, 4, 4], 2, 1))).toBe(false);
    expect(isPool2x2(poolInfo([1, 1, 4, 4], 3, 2, true))).toBe(false);
    expect(isPool2x2(poolInfo([1, 1, 4, 4], 2, 2, false, 1))).toBe(false);
    expect(isPool2x2(convInfo([1, 1, 6, 6], [1, 1, 2, 2], { stride: 2, dilation: 2, groups: 1, floor: true }, 'test'))).toBe(false);
  });

  const shapes: Array<[number[], boolean]> = [
    [[2, 3, 8, 8], false],
    [[3, 2, 24, 24], false],
    [[2, 2, 7, 9], true],
    [[1, 4, 5, 2], true],
    [[2, 1, 2, 2], false],
  ];
  for (const [shape, floor] of shapes) {
    it(`[${shape.join(', ')}]${floor ? ' floored' : ''}: maxima and switches equal the plain loop's, bit for bit`, () => {
      const random = seededRandom(shape.reduce((a, b) => a * b));
      const n = shape.reduce((a, b) => a * b);
      const g = poolInfo(shape, 2, 2, floor);
      const m = g.batch * g.outChannels * g.outHeight * g.outWidth;
      // Few distinct values make ties common; sprinkle NaN, -Infinity and both zeros.
      const specials = [NaN, -Infinity, Infinity, 0, -0];
      for (const dtype of ['float32', 'float64'] as const) {
        const x = dtype === 'float32' ? new Float32Array(n) : new Float64Array(n);
        for (let i = 0; i < n; i++) {
          const r = random();
          x[i] = r < 0.05 ? specials[Math.floor(random() * specials.length)]! : Math.floor(r * 5) - 2;
        }
        const outA = new Float64Array(m);
        const outB = new Float64Array(m);
        const swA = new Int32Array(m);
        const swB = new Int32Array(m);
        maxPool2dWindowsInto(outA, swA, x, g);
        maxPool2x2Into(outB, swB, x, g);
        expect(bits(outB)).toEqual(bits(outA));
        expect(Array.from(swB)).toEqual(Array.from(swA));
      }
    });
  }

  it('MaxPool2d gives the plain loop its numbers, forward and backward', () => {
    const random = seededRandom(4);
    const x = Float32Array.from({ length: 2 * 3 * 6 * 6 }, () => Math.round(random() * 6));
    const layer = new MaxPool2d({ kernelSize: 2 });
    const y = layer.forward(fromDense(x, [2, 3, 6, 6]));
    const g = poolInfo([2, 3, 6, 6], 2, 2);
    const out = new Float32Array(y.size);
    const sw = new Int32Array(y.size);
    maxPool2dWindowsInto(out, sw, x, g);
    expect(Array.from(y.data)).toEqual(Array.from(out));
    const gy = Float32Array.from({ length: y.size }, (_, i) => i + 1);
    const gx = layer.backward(fromDense(gy, y.shape));
    const expected = new Float32Array(x.length);
    sw.forEach((at, o) => {
      const plane = Math.floor(o / 9);
      expected[plane * 36 + at] += gy[o]!;
    });
    expect(Array.from(gx.data)).toEqual(Array.from(expected));
  });
});

describe('float32 tanh', () => {
  /** Float32 bit patterns as integers, to count steps between two float32 values of one sign. */
  const f32 = new Float32Array(1);
  const u32 = new Uint32Array(f32.buffer);
  const bitsOf = (v: number): number => {
    f32[0] = v;
    return u32[0]!;
  };

  it('is within one float32 step of Math.tanh on a sweep of every 97th float32 in [0, 10], and fewer than 1 in 100,000 off at all', () => {
    const last = bitsOf(10);
    const count = Math.floor(last / 97) + 1;
    const x = new Float32Array(count);
    const patterns = new Uint32Array(x.buffer);
    for (let i = 0; i < count; i++) patterns[i] = i * 97;
    const y = new Float32Array(count);
    tanhFloat32Into(y, x);
    let off = 0;
    let worst = 0;
    for (let i = 0; i < count; i++) {
      const exact = Math.fround(Math.tanh(x[i]!));
      if (y[i] !== exact) {
        off++;
        worst = Math.max(worst, Math.abs(bitsOf(y[i]!) - bitsOf(exact)));
      }
    }
    expect(worst).toBeLessThanOrEqual(1);
    expect(off / count).toBeLessThan(1e-5);
  });

  it('is odd, and keeps signed zeros, NaN and the infinities as Math.tanh does', () => {
    const x = Float32Array.from([0, -0, NaN, Infinity, -Infinity, 1e-30, -1e-30, 0.3, -0.3, 9.09, -9.09, 9.1, 20, -20, 3.4e38]);
    const y = new Float32Array(x.length);
    tanhFloat32Into(y, x);
    expect(bits(y)).toEqual(bits(Array.from(x, (v) => Math.fround(Math.tanh(v)))));
  });

  it('float64 outputs stay on Math.tanh; the Tanh layer in float32 uses the fast path', () => {
    const x = Float64Array.from({ length: 50 }, (_, i) => (i - 25) / 7);
    const y = new Float64Array(50);
    tanhInto(y, x);
    expect(Array.from(y)).toEqual(Array.from(x, Math.tanh));
    const x32 = Float32Array.from(x);
    const fast = new Float32Array(50);
    tanhFloat32Into(fast, x32);
    expect(Array.from(new Tanh().forward(fromDense(x32, [50])).data)).toEqual(Array.from(fast));
  });
});
