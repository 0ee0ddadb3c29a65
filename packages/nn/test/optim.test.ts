import { describe, expect, it } from 'vitest';
import { fromDense } from '@convlab/core';
import { Adam, SGD, inverseDecay, stepDecay } from '@convlab/nn';
import type { Optimizer, Parameter } from '@convlab/nn';
import { expectClose, loadFixture } from '../../../testing/close.js';

/** torch.optim trajectories (fixtures/generate/optim_golden.py). */
interface OptimCase {
  optimizer: 'SGD' | 'Adam';
  options: Record<string, unknown>;
  shapes: number[][];
  p0: number[][];
  grads: number[][][];
  lrs: number[] | null;
  after: number[][][];
}
const golden = loadFixture<{ cases: OptimCase[] }>('golden/optim.json');

function params(c: OptimCase, dtype: 'float32' | 'float64' = 'float64'): Parameter[] {
  const make = (values: number[] | number) => (dtype === 'float32' ? new Float32Array(values as never) : new Float64Array(values as never));
  return c.shapes.map((shape, i) => ({
    name: `p${i}`,
    value: fromDense(make(c.p0[i]!), shape),
    grad: fromDense(make(c.p0[i]!.length), shape),
  }));
}

function build(c: OptimCase, ps: Parameter[]): Optimizer {
  return c.optimizer === 'SGD' ? new SGD(ps, c.options as never) : new Adam(ps, c.options as never);
}

function run(c: OptimCase, opt: Optimizer, ps: Parameter[], from: number, to: number, check: (step: number) => void): void {
  for (let s = from; s < to; s++) {
    if (c.lrs) opt.lr = c.lrs[s]!;
    opt.zeroGrad();
    ps.forEach((p, i) => p.grad.data.set(c.grads[s]![i]!));
    opt.step();
    check(s);
  }
}

describe('optimisers against torch.optim (float64)', () => {
  for (const c of golden.cases) {
    const label = `${c.optimizer} ${JSON.stringify(c.options)}${c.lrs ? ' with a schedule' : ''}`;
    it(`${label}: six steps`, () => {
      const ps = params(c);
      const opt = build(c, ps);
      run(c, opt, ps, 0, c.after.length, (s) => {
        ps.forEach((p, i) => expectClose(p.value.data, c.after[s]![i]!, { rel: 1e-12 }));
      });
      expect(opt.stepCount).toBe(c.after.length);
    });

    it(`${label}: float32 parameters follow within float32 round-off`, () => {
      const ps = params(c, 'float32');
      const opt = build(c, ps);
      run(c, opt, ps, 0, c.after.length, (s) => {
        ps.forEach((p, i) => expectClose(p.value.data, c.after[s]![i]!, { rel: 1e-5 }));
      });
    });

    it(`${label}: state saved after 3 steps and restored into a fresh optimiser continues identically`, () => {
      const ps = params(c);
      const opt = build(c, ps);
      run(c, opt, ps, 0, 3, () => {});
      const state = opt.getState();
      const ps2 = params(c);
      ps2.forEach((p, i) => p.value.data.set(ps[i]!.value.data));
      const fresh = build(c, ps2);
      fresh.setState(state);
      // The saved state is a copy: stepping the original does not change it.
      run(c, opt, ps, 3, 6, () => {});
      run(c, fresh, ps2, 3, 6, () => {});
      ps.forEach((p, i) => expect(Array.from(ps2[i]!.value.data)).toEqual(Array.from(p.value.data)));
      expect(fresh.stepCount).toBe(6);
    });
  }

  it('the golden schedule is the lecture\'s mu0 / (1 + d t) to the bit', () => {
    const lrs = golden.cases.find((c) => c.lrs)!.lrs!;
    const schedule = inverseDecay(0.1, 0.5);
    expect(lrs.map((_, t) => schedule(t))).toEqual(lrs);
  });
});

describe('learning-rate schedules', () => {
  it('inverseDecay(mu0, d) = mu0 / (1 + d t); stepDecay is StepLR', () => {
    expect(inverseDecay(0.1, 0.001)(0)).toBe(0.1);
    expect(inverseDecay(0.1, 0.001)(1000)).toBe(0.05);
    const step = stepDecay(0.1, 10, 0.5);
    expect([0, 9, 10, 19, 20, 35].map(step)).toEqual([0.1, 0.1, 0.05, 0.05, 0.025, 0.0125]);
  });

  it('rejects bad arguments with clear errors', () => {
    expect(() => inverseDecay(-1, 0.1)).toThrow(/inverseDecay: mu0 must be a positive finite number, got -1/);
    expect(() => inverseDecay(0.1, -1)).toThrow(/inverseDecay: d must be a non-negative finite number/);
    expect(() => stepDecay(0.1, 0)).toThrow(/stepDecay: stepSize must be a positive integer, got 0/);
    expect(() => inverseDecay(0.1, 0.1)(-1)).toThrow(/inverseDecay: t must be a non-negative integer, got -1/);
  });
});

describe('optimiser behaviour and errors', () => {
  const p = (): Parameter => ({ name: 'w', value: fromDense(Float64Array.of(1, 2), [2]), grad: fromDense(Float64Array.of(0.5, -1), [2]) });

  it('zeroGrad clears gradients; lr is settable between steps', () => {
    const w = p();
    const opt = new SGD([w], { lr: 0.1 });
    opt.step();
    expect(Array.from(w.value.data)).toEqual([1 - 0.1 * 0.5, 2 + 0.1]);
    opt.lr = 1;
    opt.step();
    expect(Array.from(w.value.data)).toEqual([1 - 0.1 * 0.5 - 0.5, 2 + 0.1 + 1]);
    opt.zeroGrad();
    expect(Array.from(w.grad.data)).toEqual([0, 0]);
  });

  it('Adam defaults are PyTorch\'s: lr 1e-3, betas (0.9, 0.999), eps 1e-8; its first step moves each weight by lr', () => {
    const w = p();
    const opt = new Adam([w]);
    expect(opt.getState().options).toEqual({ lr: 0.001, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0 });
    opt.step();
    expectClose(w.value.data, [1 - 0.001, 2 + 0.001], { rel: 1e-9 });
  });

  it('rejects bad options and mismatched states', () => {
    expect(() => new SGD([], { lr: 0.1 })).toThrow(/SGD: expected a non-empty array of parameters/);
    expect(() => new SGD([p()], { lr: -1 })).toThrow(/SGD: lr must be a non-negative finite number, got -1/);
    expect(() => new SGD([p()], { lr: 0.1, nesterov: true })).toThrow(/SGD: Nesterov momentum needs momentum > 0 and dampening 0/);
    expect(() => new SGD([p()], { lr: 0.1, momentum: -0.5 })).toThrow(/SGD: momentum must be a non-negative finite number, got -0.5/);
    expect(() => new Adam([p()], { betas: [0.9, 1] })).toThrow(/Adam: betas must be two numbers in \[0, 1\), got \[0.9,1\]/);
    const sgd = new SGD([p()], { lr: 0.1, momentum: 0.9 });
    sgd.step();
    expect(() => new Adam([p()]).setState(sgd.getState())).toThrow(/Adam.setState: the state is for SGD, not Adam/);
    const other: Parameter = { name: 'v', value: fromDense(new Float64Array(2), [2]), grad: fromDense(new Float64Array(2), [2]) };
    expect(() => new SGD([other], { lr: 0.1 }).setState(sgd.getState())).toThrow(/SGD.setState: parameter 0 is v but the state has w/);
    const nan = new SGD([p()], { lr: 0.1 });
    nan.lr = Number.NaN;
    expect(() => nan.step()).toThrow(/SGD.step: lr must be a non-negative finite number, got NaN/);
  });
});
