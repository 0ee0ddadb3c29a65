import { optionsObject } from '@convlab/core';
import type { Parameter } from '../layers/layer.js';
import { Optimizer, checkLr, checkNonNegative } from './optimizer.js';

export interface AdamOptions {
  /** Step size (default 0.001). */
  lr?: number;
  /** Decay rates of the first and second moment estimates (default [0.9, 0.999]). */
  betas?: readonly [number, number];
  /** Added to the denominator for numerical stability (default 1e-8). */
  eps?: number;
  /** L2 penalty added to the gradient, as torch.optim.Adam (not AdamW) (default 0). */
  weightDecay?: number;
}

/**
 * Adam (Kingma and Ba 2015) with torch.optim.Adam's exact update, per element, at step t:
 *
 *     g = grad + weightDecay * p
 *     m = beta1 * m + (1 - beta1) * g
 *     v = beta2 * v + (1 - beta2) * g^2
 *     p = p - (lr / (1 - beta1^t)) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
 */
export class Adam extends Optimizer {
  protected readonly type = 'Adam' as const;
  betas: [number, number];
  eps: number;
  weightDecay: number;

  constructor(params: readonly Parameter[], optionsIn: AdamOptions | null = {}) {
    const options = optionsObject(optionsIn, 'Adam');
    super(params, options.lr ?? 0.001, 'Adam');
    this.betas = [0.9, 0.999];
    this.eps = 1e-8;
    this.weightDecay = 0;
    this.applyHyper({ ...options });
  }

  protected applyHyper(options: Record<string, unknown>): void {
    const who = 'Adam';
    if (options.lr !== undefined && options.lr !== null) checkLr(options.lr, who);
    const betas = (options.betas ?? [0.9, 0.999]) as unknown;
    if (!Array.isArray(betas) || betas.length !== 2 || !betas.every((b) => typeof b === 'number' && b >= 0 && b < 1)) {
      throw new Error(`${who}: betas must be two numbers in [0, 1), got ${JSON.stringify(betas)}`);
    }
    const eps = checkNonNegative(options.eps ?? 1e-8, who, 'eps');
    const weightDecay = checkNonNegative(options.weightDecay ?? 0, who, 'weightDecay');
    if (options.lr !== undefined && options.lr !== null) this.lr = options.lr as number;
    this.betas = [betas[0], betas[1]];
    this.eps = eps;
    this.weightDecay = weightDecay;
  }

  protected hyper(): Record<string, number | number[]> {
    return { betas: [...this.betas], eps: this.eps, weightDecay: this.weightDecay };
  }

  step(): void {
    checkLr(this.lr, 'Adam.step');
    const t = this.stepCount + 1;
    const [beta1, beta2] = this.betas;
    const { lr, eps, weightDecay } = this;
    const stepSize = lr / (1 - beta1 ** t);
    const correction2Sqrt = Math.sqrt(1 - beta2 ** t);
    this.params.forEach((param, index) => {
      const p = param.value.data;
      const grad = param.grad.data;
      const m = this.slot(index, 'expAvg');
      const v = this.slot(index, 'expAvgSq');
      for (let i = 0; i < p.length; i++) {
        const g = grad[i]! + weightDecay * p[i]!;
        m[i] = beta1 * m[i]! + (1 - beta1) * g;
        v[i] = beta2 * v[i]! + (1 - beta2) * g * g;
        p[i] = p[i]! - stepSize * (m[i]! / (Math.sqrt(v[i]!) / correction2Sqrt + eps));
      }
    });
    this.stepCount = t;
  }
}
