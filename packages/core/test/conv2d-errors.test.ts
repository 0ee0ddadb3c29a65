import { describe, expect, it } from 'vitest';
import { conv2d, conv2dGradBias, conv2dGradInput, conv2dGradWeight, convInfo, zeros, type Tensor } from '@convlab/core';

const x = zeros([2, 3, 7, 7]);
const w = zeros([4, 3, 3, 3]);
const gy = zeros([2, 4, 5, 5]);

describe('conv2d rejects bad input with a message naming the operation and the numbers', () => {
  it("the filter does not fit: the lecture's 7x7 input, 3x3 filter, stride 3", () => {
    const x7 = zeros([1, 1, 7, 7]);
    const f3 = zeros([1, 1, 3, 3]);
    const message = 'conv2d: the filter does not fit: output height (7 + 2*0 - 1*(3-1) - 1)/3 + 1 = 2.33 is not a whole number ' +
      '(input 7, kernel 3, stride 3, padding 2*0, dilation 1); pass { floor: true } to floor it as PyTorch does';
    expect(() => conv2d(x7, f3, null, { stride: 3 })).toThrow(message);
    expect(() => conv2d(x7, f3, null, { stride: 3, method: 'im2col' })).toThrow(message);
    expect(() => convInfo([1, 1, 7, 7], [1, 1, 3, 3], { stride: 3 })).toThrow(/not a whole number/);
    expect(conv2d(x7, f3, null, { stride: 3, floor: true }).shape).toEqual([1, 1, 2, 2]);
    // The gradients say which operation failed.
    expect(() => conv2dGradInput(zeros([1, 1, 2, 2]), f3, [1, 1, 7, 7], { stride: 3 })).toThrow(/^conv2dGradInput: the filter does not fit/);
    expect(() => conv2dGradWeight(x7, zeros([1, 1, 2, 2]), [1, 1, 3, 3], { stride: 3 })).toThrow(/^conv2dGradWeight: the filter does not fit/);
  });

  it('the filter does not fit: a kernel larger than the padded input', () => {
    expect(() => conv2d(zeros([1, 1, 4, 9]), zeros([1, 1, 5, 3]))).toThrow(
      'conv2d: the filter does not fit: height 4 with padding 2*0 is smaller than the kernel 5 (output height (4 + 2*0 - 1*(5-1) - 1)/1 + 1 < 1)',
    );
    expect(() => conv2d(zeros([1, 1, 5, 5]), zeros([1, 1, 3, 3]), null, { dilation: 3 })).toThrow(
      /conv2d: the filter does not fit: height 5 with padding 2\*0 is smaller than the dilated kernel 7/,
    );
  });

  it('wrong ranks', () => {
    expect(() => conv2d(zeros([3, 7, 7]), w)).toThrow('conv2d: input must be 4-D [N, C, H, W], got shape [3, 7, 7]');
    expect(() => conv2d(x, zeros([4, 3, 3]))).toThrow(
      'conv2d: weight must be 4-D [outChannels, inChannels/groups, kh, kw], got shape [4, 3, 3]',
    );
    expect(() => conv2d(x, w, zeros([4, 1]))).toThrow('conv2d: bias must be 1-D, got shape [4, 1]');
    expect(() => conv2dGradInput(zeros([2, 4, 5]), w, [2, 3, 7, 7])).toThrow(
      'conv2dGradInput: gy has shape [2, 4, 5], but conv2d of input [2, 3, 7, 7] with weight [4, 3, 3, 3] gives [2, 4, 5, 5]',
    );
    expect(() => conv2dGradInput(gy, w, [3, 7, 7])).toThrow('conv2dGradInput: input must be 4-D [N, C, H, W], got shape [3, 7, 7]');
    expect(() => conv2dGradWeight(x, gy, [4, 3, 3])).toThrow(
      'conv2dGradWeight: weight must be 4-D [outChannels, inChannels/groups, kh, kw], got shape [4, 3, 3]',
    );
    expect(() => conv2dGradBias(zeros([4, 5, 5]))).toThrow('conv2dGradBias: gy must be 4-D, got shape [4, 5, 5]');
  });

  it('not tensors at all', () => {
    expect(() => conv2d([[1]] as unknown as Tensor, w)).toThrow('conv2d: input must be a tensor');
    expect(() => conv2d(x, w, [1, 2, 3, 4] as unknown as Tensor)).toThrow('conv2d: bias must be a tensor');
    expect(() => conv2dGradInput(gy, w, 'x' as unknown as number[])).toThrow('conv2dGradInput: xShape must be an array of 4 numbers, got "x"');
    expect(() => conv2dGradWeight(x, gy, undefined as unknown as number[])).toThrow('conv2dGradWeight: wShape must be an array of 4 numbers, got undefined');
  });

  it('channel mismatch', () => {
    expect(() => conv2d(x, zeros([4, 2, 3, 3]))).toThrow(
      'conv2d: channel mismatch: input has 3 channels, but weight [4, 2, 3, 3] expects 2 (2 per group x 1 group)',
    );
    expect(() => conv2d(zeros([1, 4, 5, 5]), zeros([4, 1, 3, 3]), null, { groups: 2 })).toThrow(
      'conv2d: channel mismatch: input has 4 channels, but weight [4, 1, 3, 3] expects 2 (1 per group x 2 groups)',
    );
    expect(() => conv2dGradInput(gy, zeros([4, 2, 3, 3]), [2, 3, 7, 7])).toThrow(/^conv2dGradInput: channel mismatch: input has 3 channels/);
  });

  it('groups that do not divide the channels, or are not positive integers', () => {
    expect(() => conv2d(x, zeros([4, 1, 3, 3]), null, { groups: 2 })).toThrow(
      'conv2d: groups 2 must divide both the input channels 3 and the output channels 4',
    );
    expect(() => conv2d(zeros([1, 4, 5, 5]), zeros([3, 2, 3, 3]), null, { groups: 2 })).toThrow(
      'conv2d: groups 2 must divide both the input channels 4 and the output channels 3',
    );
    expect(() => conv2d(x, w, null, { groups: 0 })).toThrow('conv2d: groups must be a positive integer, got 0');
    expect(() => conv2d(x, w, null, { groups: 1.5 })).toThrow('conv2d: groups must be a positive integer, got 1.5');
  });

  it('zero-size inputs', () => {
    expect(() => conv2d(zeros([0, 3, 7, 7]), w)).toThrow('conv2d: input must have no zero-size axis, got shape [0, 3, 7, 7]');
    expect(() => conv2d(x, zeros([0, 3, 3, 3]))).toThrow('conv2d: weight must have no zero-size axis, got shape [0, 3, 3, 3]');
    expect(() => conv2dGradInput(zeros([2, 4, 0, 5]), w, [2, 3, 7, 7])).toThrow(
      'conv2dGradInput: gy has shape [2, 4, 0, 5], but conv2d of input [2, 3, 7, 7] with weight [4, 3, 3, 3] gives [2, 4, 5, 5]',
    );
    expect(() => conv2dGradBias(zeros([2, 0, 5, 5]))).toThrow('conv2dGradBias: gy must have no zero-size axis, got shape [2, 0, 5, 5]');
  });

  it('bias of the wrong length', () => {
    expect(() => conv2d(x, w, zeros([3]))).toThrow('conv2d: bias has 3 elements, but the weight [4, 3, 3, 3] has 4 output channels');
    expect(() => conv2d(x, w, zeros([0]))).toThrow('conv2d: bias has 0 elements, but the weight [4, 3, 3, 3] has 4 output channels');
  });

  it('gy of the wrong shape', () => {
    expect(() => conv2dGradInput(zeros([2, 4, 5, 6]), w, [2, 3, 7, 7])).toThrow(
      'conv2dGradInput: gy has shape [2, 4, 5, 6], but conv2d of input [2, 3, 7, 7] with weight [4, 3, 3, 3] gives [2, 4, 5, 5]',
    );
    expect(() => conv2dGradWeight(x, zeros([1, 4, 5, 5]), [4, 3, 3, 3])).toThrow(
      'conv2dGradWeight: gy has shape [1, 4, 5, 5], but conv2d of input [2, 3, 7, 7] with weight [4, 3, 3, 3] gives [2, 4, 5, 5]',
    );
    expect(() => conv2dGradWeight(x, gy, [4, 3, 3, 3], { stride: 2 })).toThrow(
      'conv2dGradWeight: gy has shape [2, 4, 5, 5], but conv2d of input [2, 3, 7, 7] with weight [4, 3, 3, 3] gives [2, 4, 3, 3]',
    );
  });

  it('bad stride, padding and dilation values', () => {
    expect(() => conv2d(x, w, null, { stride: 0 })).toThrow('conv2d: stride must be a positive integer or a pair of them, got 0');
    expect(() => conv2d(x, w, null, { stride: [1, 1.5] })).toThrow('conv2d: stride must be a positive integer or a pair of them, got [1,1.5]');
    expect(() => conv2d(x, w, null, { stride: [1, 1, 1] as never })).toThrow(/conv2d: stride must be a positive integer or a pair/);
    expect(() => conv2d(x, w, null, { dilation: -1 })).toThrow('conv2d: dilation must be a positive integer or a pair of them, got -1');
    expect(() => conv2d(x, w, null, { padding: -1 })).toThrow(
      `conv2d: padding must be a non-negative integer, a pair of them, 'valid' or 'same', got -1`,
    );
    expect(() => conv2d(x, w, null, { padding: 'full' as never })).toThrow(/conv2d: padding must be .* got "full"/);
    expect(() => conv2d(x, w, null, { padding: 'same', stride: 2 })).toThrow("conv2d: padding 'same' needs stride 1, got stride [2, 2]");
  });

  it('an unknown method', () => {
    expect(() => conv2d(x, w, null, { method: 'winograd' as never })).toThrow(
      `conv2d: method must be one of 'direct', 'im2col', 'fft', 'auto', got "winograd"`,
    );
    // This file loads core alone: the spectral strategy is not in the table.
    expect(() => conv2dGradWeight(x, gy, [4, 3, 3, 3], { method: 'fft' })).toThrow(
      `conv2dGradWeight: no conv2d strategy named "fft" is registered (import '@convlab/fft' to register the spectral method)`,
    );
  });
});
