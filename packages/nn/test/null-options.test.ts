import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as core from '@convlab/core';
import * as fft from '@convlab/fft';
import * as nn from '@convlab/nn';
import type { Tensor } from '@convlab/core';

/*
 * One rule for options across the packages (core/src/options.ts): a null options object, or a null
 * option value, means "not given" and takes the default; where there is no default the call fails
 * with a line naming the function and the option. Never "Cannot read properties of null".
 */

const x4 = () => core.tensor(Float32Array.from({ length: 36 }, (_, i) => Math.sin(i)), [1, 1, 6, 6]);
const w4 = () => core.tensor(Float32Array.from({ length: 18 }, (_, i) => Math.cos(i)), [2, 1, 3, 3]);
const gy = () => core.tensor(Float32Array.from({ length: 32 }, (_, i) => i / 7), [1, 2, 4, 4]);
const linearParams = () => new nn.Linear({ inFeatures: 2, outFeatures: 2, random: new nn.Random(1) }).parameters();
const nested = (t: Tensor) => core.toNested(t);
const N = null as any;
const plain = fileURLToPath(new URL('../../../fixtures/mnist-tiny/plain', import.meta.url));

/** [name, call with null, the same call with the option left out]: both must give the same numbers. */
const defaulted: Array<[string, () => unknown, () => unknown]> = [
  ['convolve options', () => nested(core.convolve([1, 2, 3], [1, 1], N)), () => nested(core.convolve([1, 2, 3], [1, 1]))],
  ['convolve mode', () => nested(core.convolve([1, 2, 3], [1, 1], { mode: N })), () => nested(core.convolve([1, 2, 3], [1, 1]))],
  ['correlate options', () => nested(core.correlate([1, 2, 3], [1, 2], N)), () => nested(core.correlate([1, 2, 3], [1, 2]))],
  ['convolve2d mode, boundary, fillvalue', () => nested(core.convolve2d([[1, 2]], [[3]], N, N, N)), () => nested(core.convolve2d([[1, 2]], [[3]]))],
  ['correlate2d mode', () => nested(core.correlate2d([[1, 2]], [[3, 4]], N)), () => nested(core.correlate2d([[1, 2]], [[3, 4]]))],
  ['rot90 k', () => nested(core.rot90([[1, 2], [3, 4]], N)), () => nested(core.rot90([[1, 2], [3, 4]]))],
  ['flip axes', () => nested(core.flip([[1, 2], [3, 4]], N)), () => nested(core.flip([[1, 2], [3, 4]]))],
  ['tensor dtype', () => core.dtypeOf(core.tensor([1], N)), () => core.dtypeOf(core.tensor([1]))],
  ['zeros dtype', () => core.dtypeOf(core.zeros([1], N)), () => core.dtypeOf(core.zeros([1]))],
  ['conv2d options', () => nested(core.conv2d(x4(), w4(), null, N)), () => nested(core.conv2d(x4(), w4()))],
  ...(['stride', 'padding', 'dilation', 'groups', 'floor', 'method'] as const).map(
    (k): [string, () => unknown, () => unknown] => [`conv2d ${k}`, () => nested(core.conv2d(x4(), w4(), null, { [k]: N })), () => nested(core.conv2d(x4(), w4()))],
  ),
  ['conv2dGradInput options', () => nested(core.conv2dGradInput(gy(), w4(), [1, 1, 6, 6], N)), () => nested(core.conv2dGradInput(gy(), w4(), [1, 1, 6, 6]))],
  ['conv2dGradWeight options', () => nested(core.conv2dGradWeight(x4(), gy(), [2, 1, 3, 3], N)), () => nested(core.conv2dGradWeight(x4(), gy(), [2, 1, 3, 3]))],
  ['convInfo options', () => core.convInfo([1, 1, 6, 6], [2, 1, 3, 3], N), () => core.convInfo([1, 1, 6, 6], [2, 1, 3, 3])],
  ['fftconvolve options', () => nested(fft.fftconvolve([1, 2, 3], [1, 1], N)), () => nested(fft.fftconvolve([1, 2, 3], [1, 1]))],
  ['fftconvolve mode', () => nested(fft.fftconvolve([1, 2, 3], [1, 1], { mode: N })), () => nested(fft.fftconvolve([1, 2, 3], [1, 1]))],
  ['fftcorrelate options', () => nested(fft.fftcorrelate([1, 2, 3], [1, 2], N)), () => nested(fft.fftcorrelate([1, 2, 3], [1, 2]))],
  ['fftConv2d options', () => nested(fft.fftConv2d(x4(), w4(), null, N)), () => nested(fft.fftConv2d(x4(), w4()))],
  ['fftConv2d stride', () => nested(fft.fftConv2d(x4(), w4(), null, { stride: N })), () => nested(fft.fftConv2d(x4(), w4()))],
  ['fftConv2dGradInput options', () => nested(fft.fftConv2dGradInput(gy(), w4(), [1, 1, 6, 6], N)), () => nested(fft.fftConv2dGradInput(gy(), w4(), [1, 1, 6, 6]))],
  ['fftConv2dGradWeight options', () => nested(fft.fftConv2dGradWeight(x4(), gy(), [2, 1, 3, 3], N)), () => nested(fft.fftConv2dGradWeight(x4(), gy(), [2, 1, 3, 3]))],
  ['SpectralConv2d options', () => nested(new fft.SpectralConv2d(N).forward(x4(), w4())), () => nested(new fft.SpectralConv2d().forward(x4(), w4()))],
  ['SpectralConv2d padding', () => nested(new fft.SpectralConv2d({ padding: N }).forward(x4(), w4())), () => nested(new fft.SpectralConv2d().forward(x4(), w4()))],
  ['chooseConvMethod options', () => fft.chooseConvMethod([1, 1, 6, 6], [2, 1, 3, 3], N), () => fft.chooseConvMethod([1, 1, 6, 6], [2, 1, 3, 3])],
  ['rfft2 s', () => Array.from(fft.rfft2(core.zeros([4, 4]), N).data), () => Array.from(fft.rfft2(core.zeros([4, 4])).data)],
  ['irfft2 dtype', () => core.dtypeOf(fft.irfft2(fft.rfft2(core.zeros([4, 4])), N)), () => core.dtypeOf(fft.irfft2(fft.rfft2(core.zeros([4, 4]))))],
  ...(['stride', 'padding', 'dilation', 'groups', 'bias', 'floor', 'method', 'dtype', 'init', 'initPool'] as const).map(
    (k): [string, () => unknown, () => unknown] => [
      `Conv2d ${k}`,
      () => nested(new nn.Conv2d({ inChannels: 1, outChannels: 2, kernelSize: 3, random: new nn.Random(2), [k]: N }).forward(x4())),
      () => nested(new nn.Conv2d({ inChannels: 1, outChannels: 2, kernelSize: 3, random: new nn.Random(2) }).forward(x4())),
    ],
  ),
  ...(['bias', 'dtype', 'init'] as const).map((k): [string, () => unknown, () => unknown] => [
    `Linear ${k}`,
    () => nested(new nn.Linear({ inFeatures: 2, outFeatures: 3, random: new nn.Random(2), [k]: N }).weight.value),
    () => nested(new nn.Linear({ inFeatures: 2, outFeatures: 3, random: new nn.Random(2) }).weight.value),
  ]),
  ...(['MaxPool2d', 'AvgPool2d'] as const).flatMap((type) =>
    (['stride', 'padding', 'floor'] as const).map((k): [string, () => unknown, () => unknown] => [
      `${type} ${k}`,
      () => nested(new nn[type]({ kernelSize: 2, [k]: N }).forward(x4())),
      () => nested(new nn[type]({ kernelSize: 2 }).forward(x4())),
    ]),
  ),
  ['Dropout options', () => new nn.Dropout(N).p, () => new nn.Dropout().p],
  ['Dropout p', () => new nn.Dropout({ p: N }).p, () => new nn.Dropout().p],
  ...(['momentum', 'nesterov', 'weightDecay', 'dampening'] as const).map((k): [string, () => unknown, () => unknown] => [
    `SGD ${k}`,
    () => new nn.SGD(linearParams(), { lr: 0.1, [k]: N }).getState().options,
    () => new nn.SGD(linearParams(), { lr: 0.1 }).getState().options,
  ]),
  ['Adam options', () => new nn.Adam(linearParams(), N).getState().options, () => new nn.Adam(linearParams()).getState().options],
  ...(['lr', 'betas', 'eps', 'weightDecay'] as const).map((k): [string, () => unknown, () => unknown] => [
    `Adam ${k}`,
    () => new nn.Adam(linearParams(), { [k]: N }).getState().options,
    () => new nn.Adam(linearParams()).getState().options,
  ]),
  ['lenet5 options', () => nn.lenet5(N).config(), () => nn.lenet5().config()],
  ...(['method', 'activation', 'dtype'] as const).map((k): [string, () => unknown, () => unknown] => [
    `lenet5 ${k}`,
    () => nn.lenet5({ [k]: N }).config(),
    () => nn.lenet5().config(),
  ]),
  ['createModel options', () => nn.createModel('shallow-cnn', N).config(), () => nn.createModel('shallow-cnn').config()],
  ['serializeModel extras', () => nn.serializeModel(new nn.Sequential(new nn.Tanh()), N), () => nn.serializeModel(new nn.Sequential(new nn.Tanh()))],
  ['Random seed', () => new nn.Random(N).nextUint32(), () => new nn.Random().nextUint32()],
  ['gemmInto options', () => Array.from(core.gemmInto(new Float64Array(4), Float64Array.of(1, 2, 3, 4), Float64Array.of(5, 6, 7, 8), 2, 2, 2, N)), () => Array.from(core.gemmInto(new Float64Array(4), Float64Array.of(1, 2, 3, 4), Float64Array.of(5, 6, 7, 8), 2, 2, 2))],
  ['gemmInto transA', () => Array.from(core.gemmInto(new Float64Array(4), Float64Array.of(1, 2, 3, 4), Float64Array.of(5, 6, 7, 8), 2, 2, 2, { transA: N })), () => Array.from(core.gemmInto(new Float64Array(4), Float64Array.of(1, 2, 3, 4), Float64Array.of(5, 6, 7, 8), 2, 2, 2))],
  ['gemmParallelInto options', () => Array.from(core.gemmParallelInto(new Float64Array(4), Float64Array.of(1, 2, 3, 4), Float64Array.of(5, 6, 7, 8), 2, 2, 2, N)), () => Array.from(core.gemmInto(new Float64Array(4), Float64Array.of(1, 2, 3, 4), Float64Array.of(5, 6, 7, 8), 2, 2, 2))],
  [
    'conv2dParallelInto options',
    () => {
      const out = new Float32Array(32);
      core.conv2dParallelInto(out, core.dense(x4()).data, core.dense(w4()).data, null, core.convInfo([1, 1, 6, 6], [2, 1, 3, 3]), N);
      return Array.from(out);
    },
    // conv2dParallelInto's default is core's own rule (core.conv2d's 'auto' is the FFT cost model here).
    () => Array.from(core.dense(core.conv2d(x4(), w4(), null, { method: core.chooseConv2dMethod(core.convInfo([1, 1, 6, 6], [2, 1, 3, 3])) })).data),
  ],
  ['loadMnist limit', () => nn.loadMnist({ dir: plain, limit: N }).train.labels, () => nn.loadMnist({ dir: plain }).train.labels],
  ['loadMnistTest limit', () => nn.loadMnistTest({ dir: plain, limit: N }).labels, () => nn.loadMnistTest({ dir: plain }).labels],
  [
    'evaluate options',
    () => nn.evaluate(new nn.Sequential(new nn.Flatten()), core.zeros([2, 1, 2, 5], 'float32'), new Int32Array(2), 500, N).error,
    () => nn.evaluate(new nn.Sequential(new nn.Flatten()), core.zeros([2, 1, 2, 5], 'float32'), new Int32Array(2)).error,
  ],
  [
    'gradcheck options',
    () => nn.gradcheck(new nn.Tanh(), core.tensor([0.1, 0.2]), N).ok,
    () => nn.gradcheck(new nn.Tanh(), core.tensor([0.1, 0.2])).ok,
  ],
];

describe('a null option takes the default', () => {
  it.each(defaulted)('%s', (_name, withNull, without) => {
    expect(withNull()).toEqual(without());
  });
});

/** Options without a default: a null one is a one-line error naming the function and the option. */
const refused: Array<[string, () => unknown, string]> = [
  ['Conv2d options', () => new nn.Conv2d(N), 'Conv2d: expected an options object { inChannels, outChannels, kernelSize }'],
  ['Conv2d kernelSize', () => new nn.Conv2d({ inChannels: 1, outChannels: 1, kernelSize: N }), 'Conv2d: kernelSize must be a positive integer or a pair of them, got null'],
  ['Linear options', () => new nn.Linear(N), 'Linear: expected an options object { inFeatures, outFeatures }'],
  ['Linear inFeatures', () => new nn.Linear({ inFeatures: N, outFeatures: 1 }), 'Linear: inFeatures must be a positive integer, got null'],
  ['MaxPool2d options', () => new nn.MaxPool2d(N), 'MaxPool2d: expected an options object { kernelSize, stride?, padding? }'],
  ['AvgPool2d kernelSize', () => new nn.AvgPool2d({ kernelSize: N }), 'AvgPool2d: kernelSize must be a positive integer or a pair of them, got null'],
  ['SGD options', () => new nn.SGD(linearParams(), N), 'SGD: expected options { lr, momentum?, nesterov?, weightDecay? }'],
  ['SGD lr', () => new nn.SGD(linearParams(), { lr: N }), 'SGD: lr must be a non-negative finite number, got null'],
  ['upsample factors', () => core.upsample([[1]], N), 'upsample: factors must be a positive integer or a pair [fh, fw] of them, got null'],
  ['zeros shape', () => core.zeros(N), 'zeros: shape must be an array of non-negative integers, got null'],
  ['conv2d options of the wrong kind', () => core.conv2d(x4(), w4(), null, 3 as any), 'conv2d: options must be an object, got 3'],
  ['evaluate options of the wrong kind', () => nn.evaluate(new nn.Sequential(), core.zeros([1, 1, 1, 1], 'float32'), [0], 1, 'x' as any), 'evaluate: options must be an object, got "x"'],
];

describe('a null option without a default is refused by name', () => {
  it.each(refused)('%s', (_name, call, message) => {
    expect(call).toThrow(message);
  });
});
