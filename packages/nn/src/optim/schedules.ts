/**
 * Learning-rate schedules: functions from the epoch (or stage) t = 0, 1, 2, ... to a rate, to be
 * assigned to an optimiser between epochs: `opt.lr = schedule(epoch)`.
 */
export type LrSchedule = (t: number) => number;

function checkPositive(value: unknown, who: string, name: string, allowZero = false): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
    throw new Error(`${who}: ${name} must be a ${allowZero ? 'non-negative' : 'positive'} finite number, got ${JSON.stringify(value)}`);
  }
  return value;
}

function checkStage(t: number, who: string): void {
  if (!Number.isInteger(t) || t < 0) throw new Error(`${who}: t must be a non-negative integer, got ${t}`);
}

/** The lecture's decay mu0 / (1 + d t): mu0 the initial rate, d the decrease constant (typically 1e-3 or less). */
export function inverseDecay(mu0: number, d: number): LrSchedule {
  checkPositive(mu0, 'inverseDecay', 'mu0');
  checkPositive(d, 'inverseDecay', 'd', true);
  return (t) => {
    checkStage(t, 'inverseDecay');
    return mu0 / (1 + d * t);
  };
}

/** torch.optim.lr_scheduler.StepLR: mu0 * gamma^floor(t / stepSize). */
export function stepDecay(mu0: number, stepSize: number, gamma = 0.1): LrSchedule {
  checkPositive(mu0, 'stepDecay', 'mu0');
  if (!Number.isInteger(stepSize) || stepSize < 1) throw new Error(`stepDecay: stepSize must be a positive integer, got ${stepSize}`);
  checkPositive(gamma, 'stepDecay', 'gamma');
  return (t) => {
    checkStage(t, 'stepDecay');
    return mu0 * gamma ** Math.floor(t / stepSize);
  };
}
