import type { Parameter } from '../layers/layer.js';
import { Optimizer, checkLr, checkNonNegative } from './optimizer.js';

export interface SGDOptions {
  lr: number;
  /** Momentum factor mu (default 0: plain SGD). */
  momentum?: number;
  /** Dampening of the gradient in the momentum buffer (default 0). */
  dampening?: number;
  /** Nesterov momentum (needs momentum > 0 and dampening 0). */
  nesterov?: boolean;
  /** L2 penalty: weightDecay * p is added to the gradient (default 0). */
  weightDecay?: number;
}

/**
 * Stochastic gradient descent with torch.optim.SGD's exact update, per element:
 *
 *     g = grad + weightDecay * p
 *     b = g                                    on the first step
 *     b = momentum * b + (1 - dampening) * g   afterwards
 *     g = nesterov ? g + momentum * b : b      (when momentum != 0)
 *     p = p - lr * g
 */
export class SGD extends Optimizer {
  protected readonly type = 'SGD' as const;
  momentum: number;
  dampening: number;
  nesterov: boolean;
  weightDecay: number;

  constructor(params: readonly Parameter[], options: SGDOptions) {
    if (!options || typeof options !== 'object') throw new Error('SGD: expected options { lr, momentum?, nesterov?, weightDecay? }');
    super(params, options.lr, 'SGD');
    this.momentum = 0;
    this.dampening = 0;
    this.nesterov = false;
    this.weightDecay = 0;
    this.applyHyper({ ...options });
  }

  protected applyHyper(options: Record<string, unknown>): void {
    const who = 'SGD';
    if (options.lr !== undefined && options.lr !== null) checkLr(options.lr, who);
    const momentum = checkNonNegative(options.momentum ?? 0, who, 'momentum');
    const dampening = checkNonNegative(options.dampening ?? 0, who, 'dampening', 1);
    const weightDecay = checkNonNegative(options.weightDecay ?? 0, who, 'weightDecay');
    const nesterov = options.nesterov ?? false;
    if (typeof nesterov !== 'boolean') throw new Error(`${who}: nesterov must be true or false, got ${JSON.stringify(nesterov)}`);
    if (nesterov && (momentum <= 0 || dampening !== 0)) {
      throw new Error(`${who}: Nesterov momentum needs momentum > 0 and dampening 0, got momentum ${momentum}, dampening ${dampening}`);
    }
    if (options.lr !== undefined && options.lr !== null) this.lr = options.lr as number;
    this.momentum = momentum;
    this.dampening = dampening;
    this.weightDecay = weightDecay;
    this.nesterov = nesterov;
  }

  protected hyper(): Record<string, number | boolean> {
    return { momentum: this.momentum, dampening: this.dampening, nesterov: this.nesterov, weightDecay: this.weightDecay };
  }

  step(): void {
    checkLr(this.lr, 'SGD.step');
    const { lr, momentum, dampening, nesterov, weightDecay } = this;
    this.params.forEach((param, index) => {
      const p = param.value.data;
      const grad = param.grad.data;
      if (momentum === 0) {
        for (let i = 0; i < p.length; i++) p[i] = p[i]! - lr * (grad[i]! + weightDecay * p[i]!);
        return;
      }
      const first = this.slots[index]!.momentum === undefined;
      const buf = this.slot(index, 'momentum');
      for (let i = 0; i < p.length; i++) {
        const g = grad[i]! + weightDecay * p[i]!;
        buf[i] = first ? g : momentum * buf[i]! + (1 - dampening) * g;
        const b = buf[i]!;
        p[i] = p[i]! - lr * (nesterov ? g + momentum * b : b);
      }
    });
    this.stepCount++;
  }
}
