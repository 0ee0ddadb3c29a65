import { describe, expect, it } from 'vitest';
import * as core from '@convlab/core';
import * as nn from '@convlab/nn';
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

  it("core's conv2d runs every value but 'fft', and says where that one lives", () => {
    const x = core.zeros([1, 1, 4, 4]);
    const w = core.zeros([1, 1, 3, 3]);
    expect(() => core.conv2d(x, w, null, { method: 'fft' as 'auto' })).toThrow('the spectral method is in @convlab/fft');
  });
});
