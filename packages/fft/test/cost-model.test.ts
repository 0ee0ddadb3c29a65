import { describe, expect, it } from 'vitest';
import { convInfo } from '@convlab/core';
import { chooseConvMethod, convCosts } from '@convlab/fft';

// The rule, not a timing: these are the shapes where benchmarks/fft/calibrate.mjs checked the
// model's choice against a side-by-side run of the three strategies.
describe('chooseConvMethod', () => {
  it("picks im2col for the lecture's first layer (one input channel: little to share per bin)", () => {
    expect(chooseConvMethod([500, 1, 28, 28], [20, 1, 5, 5])).toBe('im2col');
  });
  it("picks fft for the lecture's second layer (20 -> 50 channels, 12x12)", () => {
    expect(chooseConvMethod([500, 20, 12, 12], [50, 20, 5, 5])).toBe('fft');
  });
  it('picks fft for a large kernel (64x64 image, 15x15 kernel)', () => {
    expect(chooseConvMethod([32, 3, 64, 64], [16, 3, 15, 15])).toBe('fft');
  });
  it('picks a spatial method for a 1x1 convolution, which has nothing to transform', () => {
    expect(chooseConvMethod([64, 32, 16, 16], [64, 32, 1, 1])).not.toBe('fft');
  });
  it('prices a training step as forward plus both gradients', () => {
    const info = convInfo([500, 20, 12, 12], [50, 20, 5, 5]);
    const forward = convCosts(info, 'forward');
    const training = convCosts(info, 'training');
    expect(training.im2col).toBeCloseTo(3 * forward.im2col, 6);
    expect(training.fft).toBeGreaterThan(2 * forward.fft);
    expect(chooseConvMethod([500, 20, 12, 12], [50, 20, 5, 5], { pass: 'training' })).toBe('fft');
  });
  it('checks shapes as conv2d does', () => {
    expect(() => chooseConvMethod([1, 3, 8, 8], [4, 2, 3, 3])).toThrow(/chooseConvMethod: channel mismatch/);
    expect(() => chooseConvMethod([1, 3, 4, 4], [4, 3, 5, 5])).toThrow(/chooseConvMethod: the filter does not fit/);
    expect(() => chooseConvMethod([1, 1, 8, 8], [1, 1, 3, 3], { pass: 'both' as 'forward' })).toThrow(
      /chooseConvMethod: pass must be 'forward' or 'training', got "both"/,
    );
  });
});
