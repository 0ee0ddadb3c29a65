import { describe, expect, it } from 'vitest';
import { convInfo, convSizes, normalizeConv2dOptions, sampleSizes, withBatch } from '@convlab/core';

describe('ConvInfo carries the shapes and the work count', () => {
  // LeNet's second layer at a batch of 500: x [500, 20, 12, 12], w [50, 20, 5, 5] -> y [500, 50, 8, 8].
  const info = convInfo([500, 20, 12, 12], [50, 20, 5, 5]);

  it('inShape, outShape, weightShape', () => {
    expect(info.inShape).toEqual([500, 20, 12, 12]);
    expect(info.outShape).toEqual([500, 50, 8, 8]);
    expect(info.weightShape).toEqual([50, 20, 5, 5]);
  });

  it('work is the multiply-adds of one product: outputs x taps x input channels per group', () => {
    expect(info.work).toBe(500 * 50 * 8 * 8 * 20 * 25);
    // Two groups halve the input channels each output reads.
    expect(convInfo([1, 4, 6, 6], [6, 2, 3, 3], { groups: 2 }).work).toBe(6 * 4 * 4 * 2 * 9);
  });

  it('sizes of the whole operands and of one sample', () => {
    expect(convSizes(info)).toEqual({ input: 500 * 20 * 144, output: 500 * 50 * 64, weight: 50 * 20 * 25 });
    expect(sampleSizes(info)).toEqual({ input: 20 * 144, output: 50 * 64 });
  });

  it('withBatch gives the same convolution over another batch, shapes and work included', () => {
    const block = withBatch(info, 7);
    expect(block).toEqual(convInfo([7, 20, 12, 12], [50, 20, 5, 5]));
    expect(info.batch).toBe(500);
  });
});

describe('normalizeConv2dOptions checks the options before any shape is known', () => {
  it('spells out pairs and defaults', () => {
    expect(normalizeConv2dOptions({ stride: 2, padding: [1, 0], dilation: [1, 3] })).toEqual({
      stride: [2, 2],
      padding: [1, 0],
      dilation: [1, 3],
      groups: 1,
      floor: false,
    });
    expect(normalizeConv2dOptions(null).padding).toEqual([0, 0]);
    expect(normalizeConv2dOptions({ padding: 'same' }).padding).toBe('same');
  });

  it('rejects each bad value in one line naming the caller', () => {
    expect(() => normalizeConv2dOptions({ stride: 0 }, 'Conv2d')).toThrow(
      'Conv2d: stride must be a positive integer or a pair of them, got 0',
    );
    expect(() => normalizeConv2dOptions({ padding: -1 })).toThrow("conv2d: padding must be a non-negative integer");
    expect(() => normalizeConv2dOptions({ groups: 1.5 })).toThrow('conv2d: groups must be a positive integer, got 1.5');
    expect(() => normalizeConv2dOptions({ padding: 'same', stride: 2 })).toThrow("conv2d: padding 'same' needs stride 1, got stride [2, 2]");
  });
});
