import { afterEach, describe, expect, it } from 'vitest';
import {
  WorkerPool,
  chooseConv2dMethod,
  conv2dGradInputDirectInto,
  conv2dGradWeightDirectInto,
  conv2dDirectInto,
  conv2dStrategy,
  convInfo,
  registerConv2dStrategy,
  registerConvMethodChooser,
  resolveConvMethod,
  type Conv2dStrategy,
} from '@convlab/core';
import { expectClose, randomValues, seededRandom } from '../../../testing/close.js';

/*
 * Core's conv2d strategy table with core alone loaded: its two strategies against the direct
 * kernels, 'auto' by core's rule unless a chooser is registered, and the errors.
 */

afterEach(() => registerConvMethodChooser(undefined));

const info = convInfo([3, 4, 9, 8], [6, 2, 3, 2], { stride: [2, 1], padding: 1, groups: 2 }, 'test');
const random = seededRandom(3);
const x = Float64Array.from(randomValues(random, 3 * 4 * 9 * 8));
const w = Float64Array.from(randomValues(random, 6 * 2 * 3 * 2));
const b = Float64Array.from(randomValues(random, 6));
const gy = Float64Array.from(randomValues(random, 3 * 6 * info.outHeight * info.outWidth));

describe('conv2d strategy table', () => {
  for (const method of ['direct', 'im2col'] as const) {
    it(`${method}: forward, gradInput and gradWeight give the direct kernels' numbers, with a plan and without`, () => {
      const want = { out: new Float64Array(gy.length), gx: new Float64Array(x.length), gw: new Float64Array(w.length) };
      conv2dDirectInto(want.out, x, w, b, info);
      conv2dGradInputDirectInto(want.gx, gy, w, info);
      conv2dGradWeightDirectInto(want.gw, x, gy, info);
      const strategy = conv2dStrategy(method);
      expect(strategy.method).toBe(method);
      for (const plan of [undefined, strategy.plan({}, new WorkerPool({ threads: 1 }))]) {
        const got = { out: new Float64Array(gy.length), gx: new Float64Array(x.length), gw: new Float64Array(w.length) };
        strategy.forward(got.out, x, w, b, info, plan);
        strategy.gradInput(got.gx, gy, w, info, plan);
        strategy.gradWeight(got.gw, x, gy, info, plan);
        expectClose(got.out, want.out, { rel: 1e-12 });
        expectClose(got.gx, want.gx, { rel: 1e-12 });
        expectClose(got.gw, want.gw, { rel: 1e-12 });
      }
    });
  }

  it("'auto' is core's rule until a chooser is registered, then the chooser's answer", () => {
    const depthwise = convInfo([1, 4, 6, 6], [4, 1, 3, 3], { groups: 4 }, 'test');
    expect(resolveConvMethod('auto', info)).toBe(chooseConv2dMethod(info));
    expect(resolveConvMethod('auto', depthwise)).toBe('direct');
    expect(resolveConvMethod('im2col', depthwise)).toBe('im2col');
    const asked: string[] = [];
    registerConvMethodChooser((_info, pass) => {
      asked.push(pass);
      return 'im2col';
    });
    expect(resolveConvMethod('auto', depthwise, 'training')).toBe('im2col');
    expect(asked).toEqual(['training']);
    registerConvMethodChooser(undefined);
    expect(resolveConvMethod('auto', depthwise)).toBe('direct');
  });

  it('a registered strategy is found by its name; an absent one names the package that provides it', () => {
    expect(() => conv2dStrategy('fft', 'Conv2d')).toThrow(
      `Conv2d: no conv2d strategy named "fft" is registered (import '@convlab/fft' to register the spectral method)`,
    );
    const direct = conv2dStrategy('direct');
    const fake: Conv2dStrategy = { ...direct, method: 'fft' };
    registerConv2dStrategy(fake);
    expect(conv2dStrategy('fft')).toBe(fake);
  });
});
