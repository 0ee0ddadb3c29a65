import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const packages = ['core', 'fft', 'nn', 'bench'];
const source = (pkg: string, file: string) => fileURLToPath(new URL(`./packages/${pkg}/src/${file}.ts`, import.meta.url));
/** What Node loads for the package's main entry: its "node" export condition (index.node.ts) where it has one. */
const main = (pkg: string) => (existsSync(source(pkg, 'index.node')) ? source(pkg, 'index.node') : source(pkg, 'index'));

// Tests run against the TypeScript sources, so `npm test` needs no build first: `@convlab/x` is the
// package's Node entry, `@convlab/x/sub` its subpath export `./sub` (src/sub.ts).
export default defineConfig({
  resolve: {
    alias: [
      ...packages.map((pkg) => ({ find: new RegExp(`^@convlab/${pkg}$`), replacement: main(pkg) })),
      { find: /^@convlab\/(core|fft|nn|bench)\/([\w-]+)$/, replacement: fileURLToPath(new URL('./packages/$1/src/$2.ts', import.meta.url)) },
    ],
  },
  test: {
    include: ['packages/*/test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
