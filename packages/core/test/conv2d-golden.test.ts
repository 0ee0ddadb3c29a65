import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  conv2d,
  conv2dGradBias,
  conv2dGradInput,
  conv2dGradWeight,
  setSimd,
  simdRequested,
  tensor,
  wasmSimdSupported,
  type Conv2dMethodOptions,
  type Dtype,
  type Tensor,
} from '@convlab/core';
import { expectClose, loadFixture } from '../../../testing/close.js';

/** PyTorch's answers for conv2d and its three gradients (fixtures/generate/conv2d_golden.py). */
interface Encoded {
  shape: number[];
  data: number[];
}
interface GoldenCase {
  name: string;
  dtype: Dtype;
  options: Conv2dMethodOptions;
  x: Encoded;
  w: Encoded;
  b: Encoded | null;
  gy: Encoded;
  y: Encoded;
  gx: Encoded;
  gw: Encoded;
  gb: Encoded | null;
}

const golden = loadFixture<{ cases: GoldenCase[] }>('golden/conv2d.json');
const methods = ['direct', 'im2col'] as const;
const tolerance = { float64: { rel: 1e-12 }, float32: { rel: 1e-5 } };

function toTensor(e: Encoded, dtype: Dtype): Tensor {
  const data = dtype === 'float32' ? Float32Array.from(e.data) : Float64Array.from(e.data);
  return tensor(data, e.shape);
}

/** Checks one op's result: dtype, shape, then values relative to the largest expected magnitude. */
function expectParity(actual: Tensor, expected: Encoded, dtype: Dtype): void {
  expect(actual.data).toBeInstanceOf(dtype === 'float32' ? Float32Array : Float64Array);
  expect(actual.shape).toEqual(expected.shape);
  expectClose(actual.data, expected.data, tolerance[dtype]);
}

describe('conv2d golden cases from PyTorch', () => {
  it('has float64 and float32 cases covering every option', () => {
    expect(golden.cases.length).toBeGreaterThanOrEqual(30);
    expect(golden.cases.some((c) => c.dtype === 'float32')).toBe(true);
    for (const key of ['stride', 'padding', 'dilation', 'groups', 'floor'] as const) {
      expect(golden.cases.some((c) => c.options[key] !== undefined), key).toBe(true);
    }
  });
});

/*
 * Float32 GEMMs run the WebAssembly SIMD kernel by default; every case runs on both paths (float64
 * takes the pure-JavaScript path either way, so its SIMD run repeats the scalar one).
 */
const paths = wasmSimdSupported() ? [true, false] : [false];
for (const simd of paths) {
  describe(`conv2d golden cases, ${simd ? 'WebAssembly SIMD' : 'pure JavaScript'} GEMM`, () => {
    let before = true;
    beforeAll(() => {
      before = simdRequested();
      setSimd(simd);
    });
    afterAll(() => setSimd(before));
    for (const c of golden.cases.filter((g) => !simd || g.dtype === 'float32')) {
      for (const method of methods) {
        it(`${c.name} (${c.dtype}, ${method}): x [${c.x.shape}] w [${c.w.shape}] ${JSON.stringify(c.options)}`, () => {
          const x = toTensor(c.x, c.dtype);
          const w = toTensor(c.w, c.dtype);
          const b = c.b && toTensor(c.b, c.dtype);
          const gy = toTensor(c.gy, c.dtype);
          const options = { ...c.options, method };
          expectParity(conv2d(x, w, b, options), c.y, c.dtype);
          expectParity(conv2dGradInput(gy, w, c.x.shape, options), c.gx, c.dtype);
          expectParity(conv2dGradWeight(x, gy, c.w.shape, options), c.gw, c.dtype);
          if (c.gb) expectParity(conv2dGradBias(gy), c.gb, c.dtype);
        });
      }
    }
  });
}
