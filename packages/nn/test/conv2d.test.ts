import { describe, expect, it } from 'vitest';
import { convInfo, dense, tensor } from '@convlab/core';
import { chooseConvMethod, gradSpectrum, inputSpectrum, transformCounts, weightSpectrum } from '@convlab/fft';
import type { Dtype, Tensor } from '@convlab/core';
import { CONV_METHODS, Conv2d, Random, gradcheck } from '@convlab/nn';
import type { Conv2dLayerOptions, ConvMethod } from '@convlab/nn';
import { expectClose, loadFixture } from '../../../testing/close.js';

/** PyTorch's conv2d and its gradients (fixtures/generate/conv2d_golden.py), replayed through the layer. */
interface Shaped {
  shape: number[];
  data: number[];
}
interface ConvCase {
  name: string;
  dtype: Dtype;
  options: Record<string, unknown>;
  x: Shaped;
  w: Shaped;
  b: Shaped | null;
  gy: Shaped;
  y: Shaped;
  gx: Shaped;
  gw: Shaped;
  gb: Shaped | null;
}
const golden = loadFixture<{ cases: ConvCase[] }>('golden/conv2d.json');

const METHODS: readonly ConvMethod[] = CONV_METHODS;

/** API.md's tolerances: direct and im2col 1e-12 (float64) / 1e-5 (float32), FFT 1e-10 / 1e-4. */
function tolerance(method: ConvMethod, dtype: Dtype): number {
  const spectral = method === 'fft' || method === 'auto'; // 'auto' may pick the FFT
  if (dtype === 'float64') return spectral ? 1e-10 : 1e-12;
  return spectral ? 1e-4 : 1e-5;
}

function make(s: Shaped, dtype: Dtype): Tensor {
  return tensor(dtype === 'float32' ? Float32Array.from(s.data) : Float64Array.from(s.data), s.shape);
}

function layerFor(c: ConvCase, method: ConvMethod): Conv2d {
  const [outChannels, , kh, kw] = c.w.shape as [number, number, number, number];
  const layer = new Conv2d({
    ...(c.options as Partial<Conv2dLayerOptions>),
    inChannels: c.x.shape[1]!,
    outChannels,
    kernelSize: [kh, kw],
    bias: c.b !== null,
    method,
    dtype: c.dtype,
  });
  layer.weight.value.data.set(c.w.data);
  if (c.b) layer.bias!.value.data.set(c.b.data);
  return layer;
}

describe('Conv2d layer against PyTorch, every method', () => {
  for (const c of golden.cases) {
    for (const method of METHODS) {
      it(`${c.name} (${c.dtype}, ${method})`, () => {
        const rel = tolerance(method, c.dtype);
        const layer = layerFor(c, method);
        const y = layer.forward(make(c.x, c.dtype));
        expect(y.shape).toEqual(c.y.shape);
        expectClose(dense(y).data, c.y.data, { rel });
        const gx = layer.backward(make(c.gy, c.dtype));
        expect(gx.shape).toEqual(c.x.shape);
        expectClose(dense(gx).data, c.gx.data, { rel });
        expectClose(layer.weight.grad.data, c.gw.data, { rel });
        if (c.gb) expectClose(layer.bias!.grad.data, c.gb.data, { rel });
        // Gradients accumulate over backward calls.
        layer.backward(make(c.gy, c.dtype));
        expectClose(layer.weight.grad.data, c.gw.data.map((v) => 2 * v), { rel });
      });
    }
  }
});

function randomTensor(shape: number[], seed: number): Tensor {
  const random = new Random(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return tensor(Float64Array.from({ length: n }, () => random.uniform(-1, 1)), shape);
}

describe('Conv2d gradcheck (float64), every method', () => {
  const variants: Array<[string, Omit<Conv2dLayerOptions, 'method' | 'dtype'>, number[]]> = [
    ['3 -> 4 maps, 3x3', { inChannels: 3, outChannels: 4, kernelSize: 3 }, [2, 3, 6, 5]],
    ['stride 2, padding 1', { inChannels: 2, outChannels: 3, kernelSize: 3, stride: 2, padding: 1 }, [2, 2, 7, 7]],
    ['groups 2, dilation 2, no bias', { inChannels: 4, outChannels: 4, kernelSize: [2, 3], groups: 2, dilation: 2, bias: false }, [1, 4, 7, 8]],
    ['padding same, even kernel', { inChannels: 2, outChannels: 2, kernelSize: 4, padding: 'same' }, [1, 2, 6, 5]],
    ['floor: stride 2, padding 2, 5x5 on 8x8', { inChannels: 1, outChannels: 2, kernelSize: 5, stride: 2, padding: 2, floor: true }, [2, 1, 8, 8]],
  ];
  for (const [name, options, shape] of variants) {
    for (const method of METHODS) {
      it(`${name} (${method})`, () => {
        const layer = new Conv2d({ ...options, method, dtype: 'float64', random: new Random(1) });
        const result = gradcheck(layer, randomTensor(shape, 2), { samples: 40 });
        for (const e of result.entries) {
          expect(e.scale, e.name).toBeGreaterThan(0);
          expect(e.relError, `${e.name}: ${JSON.stringify(e.worst)}`).toBeLessThan(1e-6);
        }
        expect(result.entries.map((e) => e.name)).toEqual(options.bias === false ? ['input', 'weight'] : ['input', 'weight', 'bias']);
      });
    }
  }
});

describe('Conv2d construction, init and errors', () => {
  it('PyTorch layout and the LISA fan-out: fan_in = C*kh*kw, fan_out = K*kh*kw / pool area', () => {
    const conv = new Conv2d({ inChannels: 20, outChannels: 50, kernelSize: 5, initPool: 2, random: new Random(1) });
    expect(conv.weight.value.shape).toEqual([50, 20, 5, 5]);
    expect(conv.bias!.value.shape).toEqual([50]);
    expect(Array.from(conv.bias!.value.data).every((v) => v === 0)).toBe(true);
    const bound = Math.sqrt(6 / (20 * 25 + (50 * 25) / 4));
    const w = conv.weight.value.data;
    expect(Math.max(...w)).toBeLessThan(bound);
    expect(Math.min(...w)).toBeGreaterThanOrEqual(-bound);
    expect(Math.max(...w)).toBeGreaterThan(0.99 * bound);
    const again = new Conv2d({ inChannels: 20, outChannels: 50, kernelSize: 5, initPool: 2, random: new Random(1) });
    expect(again.weight.value.data).toEqual(w);
  });

  it('bad options fail at construction, bad inputs at forward, with the numbers', () => {
    expect(() => new Conv2d({ inChannels: 0, outChannels: 2, kernelSize: 3 })).toThrow(/Conv2d: inChannels must be a positive integer, got 0/);
    expect(() => new Conv2d({ inChannels: 1, outChannels: 2, kernelSize: [3] as never })).toThrow(/Conv2d: kernelSize must be a positive integer or a pair/);
    expect(() => new Conv2d({ inChannels: 3, outChannels: 4, kernelSize: 3, groups: 2 })).toThrow(/Conv2d: groups 2 must divide both inChannels 3 and outChannels 4/);
    expect(() => new Conv2d({ inChannels: 1, outChannels: 2, kernelSize: 3, stride: 2, padding: 'same' })).toThrow(/Conv2d: padding 'same' needs stride 1/);
    expect(() => new Conv2d({ inChannels: 1, outChannels: 2, kernelSize: 3, stride: 0 })).toThrow(/Conv2d: stride must be a positive integer/);
    expect(() => new Conv2d({ inChannels: 1, outChannels: 2, kernelSize: 3, method: 'fast' as never })).toThrow(
      /Conv2d: method must be one of 'direct', 'im2col', 'fft', 'auto', got "fast"/,
    );
    const conv = new Conv2d({ inChannels: 1, outChannels: 2, kernelSize: 3, stride: 3 });
    expect(() => conv.forward(tensor(new Float32Array(49), [1, 1, 7, 7]))).toThrow(
      /Conv2d: the filter does not fit: output height \(7 \+ 2\*0 - 1\*\(3-1\) - 1\)\/3 \+ 1 = 2.33 is not a whole number/,
    );
    expect(() => conv.forward(tensor(new Float32Array(98), [1, 2, 7, 7]))).toThrow(/Conv2d: channel mismatch: input has 2 channels/);
    expect(() => conv.forward(tensor(new Float32Array(4), [1, 1, 2, 2]))).toThrow(/Conv2d: the filter does not fit: height 2/);
    expect(() => conv.forward(tensor(new Float32Array(49), [1, 7, 7]))).toThrow(/Conv2d: input must be 4-D/);
    expect(() => conv.forward(tensor(new Float64Array(81), [1, 1, 9, 9]))).toThrow(/Conv2d: input is float64 but the layer's parameters are float32/);
    expect(() => conv.backward(tensor(new Float32Array(18), [1, 2, 3, 3]))).toThrow(/Conv2d: backward called before forward/);
  });
});

describe("Conv2d method 'fft' reuses its spectra", () => {
  it('forward transforms x and w once; backward transforms only gy (the lecture\'s "reuse FFT results")', () => {
    const layer = new Conv2d({ inChannels: 3, outChannels: 4, kernelSize: 5, method: 'fft', dtype: 'float64', random: new Random(1) });
    const x = randomTensor([6, 3, 12, 12], 3);
    const info = convInfo(x.shape, layer.weight.value.shape, {});
    const count = (f: () => unknown) => {
      const before = transformCounts.forward;
      f();
      return transformCounts.forward - before;
    };
    const gy = randomTensor([6, 4, 8, 8], 4);
    const perInput = count(() => inputSpectrum(x, info));
    const perWeight = count(() => weightSpectrum(layer.weight.value, info));
    const perGrad = count(() => gradSpectrum(gy, info));
    expect(perInput).toBeGreaterThan(0);
    expect(count(() => layer.forward(x))).toBe(perInput + perWeight);
    expect(count(() => layer.backward(gy))).toBe(perGrad);
  });
});

describe("Conv2d method 'auto'", () => {
  it("follows the FFT package's cost model: a training step in train mode, a forward pass in eval mode", () => {
    const picks: string[] = [];
    for (const [inChannels, outChannels, size] of [
      [1, 20, 28],
      [20, 50, 12],
    ] as const) {
      const layer = new Conv2d({ inChannels, outChannels, kernelSize: 5, method: 'auto', random: new Random(1) });
      const x = tensor(new Float32Array(8 * inChannels * size * size), [8, inChannels, size, size]);
      const wShape = [outChannels, inChannels, 5, 5];
      const spy = (mode: 'training' | 'forward') => {
        const before = transformCounts.forward;
        layer.forward(x);
        const usedFft = transformCounts.forward > before;
        const pick = chooseConvMethod(x.shape, wShape, { pass: mode });
        picks.push(pick);
        expect(usedFft, `${inChannels}->${outChannels} ${mode}`).toBe(pick === 'fft');
      };
      spy('training');
      layer.eval();
      spy('forward');
      expect(layer.method).toBe('auto');
    }
    // The lecture's two layers exercise both paths: the 1-channel one goes to im2col, the
    // 20-channel one (in training at least) to the FFT.
    expect(picks).toContain('fft');
    expect(picks.filter((p) => p !== 'fft').length).toBeGreaterThan(0);
  });
});
