import { readFileSync } from 'node:fs';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { exitWithError } from './fail.js';
import { commands } from './commands/index.js';
import { enableRelaxedSimd } from './relaxed-simd.js';

/** This package's version, from its package.json (one directory up from src/ and dist/ alike). */
function version(): string {
  return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

// Every command is a yargs CommandModule in ./commands; errors end as one line on stderr.
async function main(argv: string[]): Promise<void> {
  enableRelaxedSimd();
  let cli = yargs(argv)
    .scriptName('convlab')
    .strict()
    .demandCommand(1, 'name a command: bench, train, eval, predict, summary, export, plot or serve')
    .recommendCommands()
    .help()
    .alias('h', 'help')
    .version(version())
    .wrap(Math.min(100, process.stdout.columns ?? 100))
    .fail((message, error) => {
      throw error ?? new Error(message);
    });
  for (const command of commands) cli = cli.command(command);
  await cli.parseAsync();
}

// A reader that goes away (`convlab train | head -1`) must not stop the run with a stack trace:
// the rest of the output is dropped and the command finishes its work (the model is still written).
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') exitWithError(error);
  });
}

main(hideBin(process.argv)).catch(exitWithError);
