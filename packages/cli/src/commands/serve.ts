import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { UsageError } from '../fail.js';
import { nonNegativeInt } from '../options.js';
import { createStaticServer } from '../static-server.js';

interface ServeArgs {
  port?: number;
  host?: string;
}

const CMD = 'serve';

/** The built demo page: the `dist/` folder of the workspace's `@convlab/web` package. */
function demoPageDir(): string {
  let manifest: string;
  try {
    manifest = createRequire(import.meta.url).resolve('@convlab/web/package.json');
  } catch {
    throw new UsageError(`${CMD}: the demo page (@convlab/web) is not installed; it comes with the convlab source repository (npm ci there)`);
  }
  const dir = join(dirname(manifest), 'dist');
  if (!existsSync(join(dir, 'index.html'))) {
    throw new UsageError(`${CMD}: the demo page is not built (no ${join(dir, 'index.html')}); run npm run build`);
  }
  return dir;
}

/** `convlab serve [--port P]`: the demo page on localhost, cross-origin isolated so it can use threads. */
export const serveCommand: CommandModule<object, ServeArgs> = {
  command: 'serve',
  describe: 'Serve the demo page (timings, live training, a digit to draw) on localhost',
  builder: (yargs: Argv<object>) =>
    yargs
      .option('port', { type: 'number', default: 8080, describe: 'port to listen on (0: any free port)' })
      .option('host', { type: 'string', default: 'localhost', describe: 'address to listen on' })
      .example('$0 serve', 'then open http://localhost:8080/') as unknown as Argv<ServeArgs>,
  handler: async (argv) => {
    const port = nonNegativeInt(CMD, 'port', argv.port);
    if (port > 65535) throw new UsageError(`${CMD}: --port must be at most 65535, got ${port}`);
    const host = argv.host ?? 'localhost';
    const server = createStaticServer(demoPageDir());
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) => {
        if (error.code === 'EADDRINUSE') reject(new UsageError(`${CMD}: port ${port} is in use; choose another with --port`));
        else if (error.code === 'EACCES') reject(new UsageError(`${CMD}: no permission to listen on port ${port}; choose another with --port`));
        else reject(new UsageError(`${CMD}: cannot listen on ${host}:${port}: ${error.message}`));
      });
      server.listen(port, host, resolve);
    });
    const address = server.address();
    const actual = typeof address === 'object' && address !== null ? address.port : port;
    process.stdout.write(`convlab demo page at http://${host}:${actual}/ (cross-origin isolated, so it can use threads); Ctrl-C stops it\n`);
  },
};
