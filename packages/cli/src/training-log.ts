import { readUserFile, UsageError } from './fail.js';

/** One epoch of a `convlab train --log` file: the numbers `convlab plot` draws. */
export interface EpochPoint {
  epoch: number;
  trainLoss: number;
  trainError: number;
  validationError: number | null;
  testError: number | null;
}

const FIELDS = ['trainLoss', 'trainError', 'validationError', 'testError'] as const;

/**
 * The epoch records of a JSON-lines training log (other events are skipped). A line that is not
 * JSON, or an epoch record without its numbers, is a UsageError naming the file and the line.
 */
export function readTrainingLog(path: string): EpochPoint[] {
  const text = new TextDecoder().decode(readUserFile(path));
  const epochs: EpochPoint[] = [];
  text.split('\n').forEach((line, i) => {
    const where = `${path}:${i + 1}`;
    if (line.trim() === '') return;
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch (error) {
      throw new UsageError(`${where}: not a JSON line of a training log: ${(error as Error).message}`);
    }
    if (!record || typeof record !== 'object' || Array.isArray(record)) throw new UsageError(`${where}: not a JSON object (a training log has one per line)`);
    const r = record as Record<string, unknown>;
    if (r.event !== 'epoch') return;
    if (!Number.isInteger(r.epoch) || (r.epoch as number) < 1) throw new UsageError(`${where}: epoch record with epoch ${JSON.stringify(r.epoch)}`);
    for (const field of FIELDS) {
      const value = r[field];
      const optional = field === 'validationError' || field === 'testError';
      if (!(typeof value === 'number' && Number.isFinite(value)) && !(optional && value === null)) {
        throw new UsageError(`${where}: epoch record with ${field} ${JSON.stringify(value)}, not a number`);
      }
    }
    epochs.push({
      epoch: r.epoch as number,
      trainLoss: r.trainLoss as number,
      trainError: r.trainError as number,
      validationError: r.validationError as number | null,
      testError: r.testError as number | null,
    });
  });
  // A resumed run appends to its log: a repeated epoch's last record is the one that counts.
  const last = new Map(epochs.map((e) => [e.epoch, e]));
  if (epochs.length === 0) throw new UsageError(`${path}: no epoch records (is it a \`convlab train --log\` file of a run that finished an epoch?)`);
  return [...last.values()].sort((a, b) => a.epoch - b.epoch);
}
