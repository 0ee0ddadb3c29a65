import { describe, expect, it } from 'vitest';
import { convInfo, convolve, convolve2d, correlate, correlate2d, dense, rot90, tensor, upsample, zeros } from '@convlab/core';
import type { ConvMode, Tensor } from '@convlab/core';
import { expectClose, flat, loadFixture, seededRandom } from '../../../testing/close.js';

// Every worked example of the lecture slides (fixtures/lecture.json), reproduced exactly.

type Matrix = number[] | number[][];
interface Example {
  id: string;
  lecture: string;
  slide: string;
  op: string;
  a?: Matrix;
  b?: Matrix;
  x?: number[][];
  mode?: ConvMode;
  expected?: Matrix;
  factors?: [number, number];
  scale?: number;
  switches?: [number, number][][];
  stride?: number;
  padding?: number;
  floor?: boolean;
  input?: [number, number];
  kernel?: [number, number];
  inputShape?: number[];
  kernelShape?: number[];
  expectedShape?: number[];
  expectedError?: string;
  expectedTerms?: [string, string][][][];
  slideShows?: Matrix | { at: number[][]; values: number[] };
  typos?: { at: number[]; slide: number; correct: number }[];
}
interface Lecture {
  lectures: Record<string, string>;
  examples: Example[];
}

const lecture = loadFixture<Lecture>('lecture.json');

/** Each op computes the example's answer from its inputs with the public functions. */
const ops: Record<string, (e: Example) => Tensor> = {
  convolve: (e) => convolve(e.a!, e.b!, { mode: e.mode }),
  correlate: (e) => correlate(e.a!, e.b!, { mode: e.mode }),
  convolve2d: (e) => convolve2d(e.a!, e.b!, e.mode),
  correlate2d: (e) => correlate2d(e.a!, e.b!, e.mode),
  'convolve2d-rot180': (e) => convolve2d(e.a!, rot90(e.b!, 2), e.mode),
  'correlate2d-strided': (e) => {
    const valid = correlate2d(e.a!, e.b!, 'valid');
    const s = e.stride!;
    return valid.step(s, s);
  },
  upsample: (e) => {
    const up = upsample(e.x!, e.factors!);
    for (let i = 0; i < up.data.length; i++) up.data[i]! *= e.scale!;
    return up;
  },
  'maxpool-switches': (e) => {
    const up = upsample(e.x!, e.factors!);
    const mask = zeros(up.shape);
    for (const row of e.switches!) for (const [i, j] of row) mask.set(i!, j!, 1);
    for (let i = 0; i < up.data.length; i++) up.data[i]! *= mask.data[i]!;
    return up;
  },
};

const exampleCases = lecture.examples.map((e) => ({ name: `${e.id} (${e.lecture}: ${e.slide})`, e }));

describe('lecture worked examples', () => {
  it('every example names a known lecture and an op this file knows', () => {
    const known = new Set([...Object.keys(ops), 'output-size', 'correlate2d-shape', 'full-conv-symbolic']);
    for (const e of lecture.examples) {
      expect(lecture.lectures[e.lecture], e.id).toBeDefined();
      expect(known.has(e.op), `${e.id}: op ${e.op}`).toBe(true);
      expect(e.slide.length, e.id).toBeGreaterThan(0);
    }
  });

  it.each(exampleCases.filter(({ e }) => e.op in ops))('$name', ({ e }) => {
    const got = ops[e.op]!(e);
    const expected = tensor(e.expected!);
    expect(got.shape).toEqual(expected.shape);
    expectClose(dense(got).data, flat(e.expected), { rel: 1e-12 });
    // What the slide prints agrees with the answer, except at the recorded typos.
    if (Array.isArray(e.slideShows)) {
      const slide = flat(e.slideShows);
      const want = flat(e.expected);
      const typoAt = new Set((e.typos ?? []).map((t) => t.at.join(',')));
      const cols = expected.shape.length === 2 ? expected.shape[1]! : 1;
      for (let k = 0; k < slide.length; k++) {
        const at = expected.shape.length === 2 ? `${Math.floor(k / cols)},${k % cols}` : `${k}`;
        if (typoAt.has(at)) continue;
        expect(slide[k], `${e.id} at [${at}]`).toBe(want[k]);
      }
      for (const t of e.typos ?? []) {
        expect(expected.get(...t.at)).toBe(t.correct);
        expect(got.get(...t.at)).toBe(t.correct);
        expect(t.slide).not.toBe(t.correct);
      }
    } else if (e.slideShows) {
      const { at, values } = e.slideShows;
      at.forEach((index, k) => expect(got.get(...index), `${e.id} at [${index.join(', ')}]`).toBe(values[k]));
    }
  });

  it.each(exampleCases.filter(({ e }) => e.op === 'output-size'))('$name', ({ e }) => {
    const [h, w] = e.input!;
    const [kh, kw] = e.kernel!;
    const run = () => convInfo([1, 1, h, w], [1, 1, kh, kw], { stride: e.stride, padding: e.padding, floor: e.floor });
    if (e.expectedError) {
      expect(run).toThrow(new RegExp(e.expectedError));
    } else {
      const info = run();
      expect([info.outHeight, info.outWidth]).toEqual(e.expectedShape);
    }
  });

  it.each(exampleCases.filter(({ e }) => e.op === 'correlate2d-shape'))('$name', ({ e }) => {
    const out = correlate2d(zeros(e.inputShape!), zeros(e.kernelShape!), e.mode);
    expect(out.shape).toEqual(e.expectedShape);
  });

  it.each(exampleCases.filter(({ e }) => e.op === 'full-conv-symbolic'))('$name', ({ e }) => {
    // Give every symbol a random value; each output must be the sum of the products the slide lists.
    const random = seededRandom(7);
    for (let trial = 0; trial < 5; trial++) {
      const value = new Map<string, number>();
      const numeric = (m: Matrix) =>
        (m as unknown as string[][]).map((row) =>
          row.map((name) => {
            if (!value.has(name)) value.set(name, Math.round((random() * 2 - 1) * 1000) / 100);
            return value.get(name)!;
          }),
        );
      const delta = numeric(e.a!);
      const kernel = numeric(e.b!);
      const want = e.expectedTerms!.map((row) => row.map((terms) => terms.reduce((s, [p, q]) => s + value.get(p)! * value.get(q)!, 0)));
      expectClose(dense(convolve2d(delta, kernel, 'full')).data, flat(want), { rel: 1e-12 });
      // The slide's second form: the zero-padded delta correlated with K rotated by 180 degrees.
      const padded = correlate2d(delta, [[0, 0, 0], [0, 1, 0], [0, 0, 0]], 'full');
      expectClose(dense(correlate2d(padded, rot90(kernel, 2), 'valid')).data, flat(want), { rel: 1e-12 });
    }
  });
});
