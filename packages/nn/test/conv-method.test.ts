import { describe, expect, it } from 'vitest';
import * as core from '@convlab/core';
import * as nn from '@convlab/nn';
import * as fft from '@convlab/fft';
import { chooseConvMethod } from '@convlab/fft';

describe('one ConvMethod, spelt in core', () => {
  it("nn's list is core's list", () => {
    expect(nn.CONV_METHODS).toBe(core.CONV_METHODS);
    expect(core.CONV_METHODS).toEqual(['direct', 'im2col', 'fft', 'auto']);
  });

  it("the cost model answers with one of its values, never 'auto'", () => {
    const pick = chooseConvMethod([500, 20, 12, 12], [50, 20, 5, 5]);
    expect(pick).toBe('fft');
    expect(core.CONV_METHODS).toContain(pick);
  });

  it('a Conv2d names the values when given another', () => {
    const layer = new nn.Conv2d({ inChannels: 1, outChannels: 2, kernelSize: 3 });
    expect(() => {
      layer.method = 'gpu' as core.ConvMethod;
    }).toThrow("Conv2d: method must be one of 'direct', 'im2col', 'fft', 'auto', got \"gpu\"");
  });

  it("core's conv2d runs 'fft' from the strategy table once @convlab/fft is loaded: fftConv2d's numbers", () => {
    const x = core.fromDense(Float64Array.from({ length: 2 * 3 * 9 * 9 }, (_, i) => Math.sin(i)), [2, 3, 9, 9]);
    const w = core.fromDense(Float64Array.from({ length: 4 * 3 * 3 * 3 }, (_, i) => Math.cos(i)), [4, 3, 3, 3]);
    expect(core.conv2dStrategy('fft')).toBe(fft.spectralStrategy);
    expect(Array.from(core.conv2d(x, w, null, { method: 'fft' }).data)).toEqual(Array.from(fft.fftConv2d(x, w).data));
  });

  it("'auto' is the FFT package's cost model once it is loaded", () => {
    for (const [xShape, wShape] of [
      [[500, 20, 12, 12], [50, 20, 5, 5]],
      [[500, 1, 28, 28], [20, 1, 5, 5]],
      [[4, 8, 6, 6], [8, 1, 3, 3]],
    ] as const) {
      const info = core.convInfo(xShape, wShape, { groups: wShape[1] === 1 && xShape[1] === 8 ? 8 : 1 }, 'test');
      const options = { groups: info.groups };
      for (const pass of ['forward', 'training'] as const) {
        expect(core.resolveConvMethod('auto', info, pass)).toBe(chooseConvMethod(xShape, wShape, { ...options, pass }));
      }
    }
  });
});
