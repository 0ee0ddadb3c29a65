import ndarray from 'ndarray';
import { describe, expect, it } from 'vitest';
import { convolve, convolve2d, correlate, correlate2d, dense, dtypeOf, flip, kron, rot90, tensor, upsample } from '@convlab/core';
import type { Dtype, Tensor } from '@convlab/core';
import { expectClose, loadFixture } from '../../../testing/close.js';

// Every case of fixtures/golden/signal.json (scipy.signal / numpy), checked by one helper, on
// contiguous inputs and on strided column-major views of the same values.

interface Encoded {
  dtype: Dtype;
  shape: number[];
  data: number[];
}
type Fn = 'convolve' | 'correlate' | 'convolve2d' | 'correlate2d' | 'kron';
interface PairResult extends Partial<Encoded> {
  fn: Fn;
  mode: 'full' | 'same' | 'valid';
  fillvalue?: number;
  error?: boolean;
}
interface Pair {
  dtype: string;
  a: Encoded;
  b: Encoded;
  results: PairResult[];
}
interface Unary extends Encoded {
  fn: 'upsample' | 'rot90' | 'flip';
  args: unknown[];
  x: Encoded;
}
interface Golden {
  pairs: Pair[];
  unary: Unary[];
}

const golden = loadFixture<Golden>('golden/signal.json');

function contiguousTensor(e: Encoded): Tensor {
  return tensor(e.dtype === 'float32' ? Float32Array.from(e.data) : Float64Array.from(e.data), e.shape);
}

/** The same values in a buffer laid out column-major with every other slot skipped, from offset 1. */
function stridedView(e: Encoded): Tensor {
  const buffer = e.dtype === 'float32' ? new Float32Array(2 * e.data.length + 1) : new Float64Array(2 * e.data.length + 1);
  const stride: number[] = [];
  let s = 2;
  for (const n of e.shape) {
    stride.push(s);
    s *= n;
  }
  const view = ndarray(buffer, [...e.shape], stride, 1);
  const index = new Array<number>(e.shape.length).fill(0);
  for (const value of e.data) {
    let at = 1;
    for (let i = 0; i < index.length; i++) at += index[i]! * stride[i]!;
    buffer[at] = value;
    for (let axis = index.length - 1; axis >= 0; axis--) {
      if (++index[axis]! < e.shape[axis]!) break;
      index[axis] = 0;
    }
  }
  return view;
}

function expectMatches(actual: Tensor, want: Encoded): void {
  expect(actual.shape).toEqual(want.shape);
  expect(dtypeOf(actual)).toBe(want.dtype);
  expectClose(dense(actual).data, want.data, { rel: want.dtype === 'float32' ? 1e-5 : 1e-12 });
}

const pairOps: Record<Fn, (a: Tensor, b: Tensor, r: PairResult) => Tensor> = {
  convolve: (a, b, r) => convolve(a, b, { mode: r.mode }),
  correlate: (a, b, r) => correlate(a, b, { mode: r.mode }),
  convolve2d: (a, b, r) => convolve2d(a, b, r.mode, 'fill', r.fillvalue ?? 0),
  correlate2d: (a, b, r) => correlate2d(a, b, r.mode, 'fill', r.fillvalue ?? 0),
  kron: (a, b) => kron(a, b),
};

const unaryOps: Record<Unary['fn'], (x: Tensor, args: unknown[]) => Tensor> = {
  upsample: (x, args) => upsample(x, args[0] as [number, number]),
  rot90: (x, args) => rot90(x, args[0] as number),
  flip: (x, args) => flip(x, args[0] as number | number[] | undefined),
};

const shape = (e: Encoded) => `[${e.shape.join(',')}]`;

const pairCases = golden.pairs.flatMap((p) =>
  p.results.map((r) => {
    const fill = r.fillvalue === undefined ? '' : ` fill ${r.fillvalue}`;
    return { name: `${r.fn} ${r.mode}${fill} ${p.dtype} ${shape(p.a)} ${shape(p.b)}`, p, r };
  }),
);

describe('signal functions match scipy.signal / numpy (golden)', () => {
  it('has cases for every function, mode and dtype', () => {
    for (const fn of Object.keys(pairOps)) {
      for (const dtype of ['float64', 'float32']) {
        expect(pairCases.some((c) => c.r.fn === fn && c.p.dtype === dtype && !c.r.error)).toBe(true);
      }
    }
    expect(pairCases.filter((c) => c.r.error).length).toBeGreaterThan(0);
    expect(new Set(golden.unary.map((u) => u.fn)).size).toBe(3);
  });

  it.each(pairCases)('$name', ({ p, r }) => {
    for (const make of [contiguousTensor, stridedView]) {
      const run = () => pairOps[r.fn](make(p.a), make(p.b), r);
      if (r.error) {
        expect(run).toThrow(/mode 'valid' needs one input at least as large as the other in every axis/);
      } else {
        expectMatches(run(), r as Encoded);
      }
    }
  });

  it.each(golden.unary.map((u) => ({ name: `${u.fn}(${shape(u.x)} ${u.x.dtype}, ${JSON.stringify(u.args)})`, u })))(
    '$name',
    ({ u }) => {
      for (const make of [contiguousTensor, stridedView]) expectMatches(unaryOps[u.fn](make(u.x), u.args), u);
    },
  );
});
