import { arrayFor, dtypeOf } from '@convlab/core';
import type { FloatArray } from '@convlab/core';
import type { Parameter } from '../layers/layer.js';

/**
 * What an optimiser must carry across a checkpoint: its hyperparameters, its step count and its
 * per-parameter buffers (SGD: `momentum`; Adam: `expAvg`, `expAvgSq`), listed in the order of the
 * parameters with their names, so that a restore can check it is given the same model.
 */
export interface OptimizerState {
  type: 'SGD' | 'Adam';
  /** Hyperparameters, `lr` included (a schedule may have changed it). */
  options: Record<string, number | boolean | number[]>;
  /** Number of `step()` calls so far. */
  step: number;
  /** One entry per parameter, in order: its name and its buffers (absent until the first step). */
  buffers: Array<{ name: string; slots: Record<string, FloatArray> }>;
}

/** The shared part of SGD and Adam: the parameters, a settable learning rate, zeroGrad and state. */
export abstract class Optimizer {
  readonly params: readonly Parameter[];
  /** Learning rate; a schedule sets it between steps (`opt.lr = schedule(epoch)`). */
  lr: number;
  /** Number of `step()` calls so far. */
  stepCount = 0;
  /** Per-parameter buffers by slot name; created lazily, in the parameter's dtype. */
  protected slots: Array<Record<string, FloatArray>>;

  protected constructor(params: readonly Parameter[], lr: number, who: string) {
    if (!Array.isArray(params) || params.length === 0) {
      throw new Error(`${who}: expected a non-empty array of parameters (model.parameters())`);
    }
    params.forEach((p, i) => {
      if (!p || !p.value || !p.grad || typeof p.name !== 'string') {
        throw new Error(`${who}: parameter ${i} must be { name, value, grad }`);
      }
      const { value, grad } = p;
      if (value.offset !== 0 || value.data.length !== value.size || grad.offset !== 0 || grad.data.length !== value.size) {
        throw new Error(`${who}: parameter ${p.name} must be a contiguous tensor with a gradient of the same size`);
      }
      if (dtypeOf(value) !== dtypeOf(grad)) throw new Error(`${who}: parameter ${p.name} and its gradient differ in dtype`);
    });
    checkLr(lr, who);
    this.params = [...params];
    this.lr = lr;
    this.slots = params.map(() => ({}));
  }

  /** One update of every parameter from its accumulated gradient. */
  abstract step(): void;

  /** Hyperparameters for `getState`. */
  protected abstract hyper(): Record<string, number | boolean | number[]>;

  protected abstract readonly type: OptimizerState['type'];

  /** Clears every parameter's gradient (call before each backward pass: gradients accumulate). */
  zeroGrad(): void {
    for (const p of this.params) p.grad.data.fill(0);
  }

  /** The slot buffer of parameter i, created zeroed on first use. */
  protected slot(i: number, name: string): FloatArray {
    const slots = this.slots[i]!;
    let buffer = slots[name];
    if (!buffer) {
      const value = this.params[i]!.value;
      buffer = slots[name] = arrayFor(dtypeOf(value), value.size);
    }
    return buffer;
  }

  /** A copy of the optimiser's state, for a checkpoint. */
  getState(): OptimizerState {
    return {
      type: this.type,
      options: { lr: this.lr, ...this.hyper() },
      step: this.stepCount,
      buffers: this.params.map((p, i) => ({
        name: p.name,
        slots: Object.fromEntries(Object.entries(this.slots[i]!).map(([k, v]) => [k, v.slice()])),
      })),
    };
  }

  /** Restores a state from `getState()` of an optimiser of the same type over the same parameters. */
  setState(state: OptimizerState): void {
    const who = `${this.type}.setState`;
    if (!state || state.type !== this.type) throw new Error(`${who}: the state is for ${state?.type ?? 'nothing'}, not ${this.type}`);
    if (!Array.isArray(state.buffers) || state.buffers.length !== this.params.length) {
      throw new Error(`${who}: the state has ${state.buffers?.length} parameters, the optimiser ${this.params.length}`);
    }
    const slots = state.buffers.map((entry, i) => {
      const p = this.params[i]!;
      if (entry.name !== p.name) throw new Error(`${who}: parameter ${i} is ${p.name} but the state has ${entry.name}`);
      const copied: Record<string, FloatArray> = {};
      for (const [key, buffer] of Object.entries(entry.slots)) {
        if (buffer.length !== p.value.size) {
          throw new Error(`${who}: ${key} buffer of ${p.name} has ${buffer.length} elements, the parameter ${p.value.size}`);
        }
        const own = arrayFor(dtypeOf(p.value), buffer.length);
        own.set(buffer);
        copied[key] = own;
      }
      return copied;
    });
    if (!Number.isInteger(state.step) || state.step < 0) throw new Error(`${who}: step must be a non-negative integer, got ${state.step}`);
    this.applyHyper(state.options);
    this.slots = slots;
    this.stepCount = state.step;
  }

  /** Takes the hyperparameters of a saved state (validated by the subclass). */
  protected abstract applyHyper(options: Record<string, number | boolean | number[]>): void;
}

export function checkLr(lr: unknown, who: string): void {
  if (typeof lr !== 'number' || !Number.isFinite(lr) || lr < 0) {
    throw new Error(`${who}: lr must be a non-negative finite number, got ${show(lr)}`);
  }
}

export function checkNonNegative(value: unknown, who: string, name: string, max = Infinity): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > max) {
    const range = max === Infinity ? 'a non-negative finite number' : `a number in [0, ${max}]`;
    throw new Error(`${who}: ${name} must be ${range}, got ${show(value)}`);
  }
  return value;
}

/** A value as an error message shows it (NaN and Infinity as themselves, not JSON's null). */
export function show(value: unknown): string {
  return typeof value === 'number' ? String(value) : JSON.stringify(value);
}
