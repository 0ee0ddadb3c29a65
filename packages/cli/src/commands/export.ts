import type { Argv, CommandModule } from 'yargs';
import { exportOnnx, writeFileAtomic } from '@convlab/nn';
import { UsageError } from '../fail.js';
import { inputShapeOption, modelFromArgument, modelNames } from '../model-io.js';
import { asUsageError, fileOption } from '../options.js';

interface ExportArgs {
  model?: string;
  arch?: string;
  format?: string;
  out?: string;
  input?: string;
  softmax?: boolean;
}

const CMD = 'export';

/** `convlab export --model FILE --format onnx`: the model as a standard ONNX graph for other runtimes. */
export const exportCommand: CommandModule<object, ExportArgs> = {
  command: 'export',
  describe: 'Write a model as ONNX (opset 13), for onnxruntime and other runtimes',
  builder: (yargs: Argv<object>) =>
    yargs
      .option('model', { type: 'string', demandOption: true, describe: `a model file (.cvlm, .safetensors, checkpoint) or a preset (${modelNames().join(', ')})` })
      .option('arch', { type: 'string', describe: 'for a safetensors file with no convlab architecture: the preset it fits' })
      .option('format', { type: 'string', default: 'onnx', describe: 'the format to write: onnx' })
      .option('out', { type: 'string', describe: 'the file to write (default: the model name with .onnx)' })
      .option('input', { type: 'string', describe: 'the shape of one input, without the batch axis (default 1,28,28)' })
      .option('softmax', { type: 'boolean', default: false, describe: 'end with a Softmax node: the output is class probabilities instead of logits' })
      .example('$0 export --model lenet5.cvlm --format onnx --out lenet5.onnx', 'for onnxruntime') as unknown as Argv<ExportArgs>,
  handler: (argv) => {
    if (argv.format !== 'onnx') throw new UsageError(`${CMD}: --format must be onnx, got ${JSON.stringify(argv.format)}`);
    const input = inputShapeOption(CMD, argv.input);
    const { model, what } = modelFromArgument(CMD, argv.model, argv.arch);
    const base = String(argv.model).replace(/\.(cvlm|safetensors|ckpt)$/i, '');
    const out = argv.out === undefined ? `${base}.onnx` : fileOption(CMD, 'out', argv.out);
    const bytes = asUsageError(() => exportOnnx(model, { inputShape: input, softmax: argv.softmax }));
    try {
      writeFileAtomic(out, bytes);
    } catch (error) {
      throw new UsageError(`${CMD}: cannot write ${out}: ${(error as Error).message}`);
    }
    process.stdout.write(`${what}\nONNX (opset 13, input [N, ${input.join(', ')}], output ${argv.softmax ? 'probabilities' : 'logits'}) written to ${out}\n`);
  },
};
