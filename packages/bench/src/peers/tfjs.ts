/**
 * TensorFlow.js as a peer: what a JavaScript user would pick instead of convlab. Its packages
 * are optional dependencies of @convlab/bench, loaded on demand; when they are absent the peer
 * rows say "not installed" and the rest of the bench runs as usual.
 */
import { existsSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export type Tf = typeof import('@tensorflow/tfjs-core');
type TensorInfo = import('@tensorflow/tfjs-core').TensorInfo;
export type TfBackend = 'wasm' | 'cpu';

export interface TfjsPeer {
  tf: Tf;
  backend: TfBackend;
  /** What the backend runs on, e.g. "tfjs 4.22.0 wasm (SIMD, 1 thread)". */
  label: string;
  details: { version: string; simd?: boolean; threads?: number; multithreadSupported?: boolean };
}

const require = createRequire(import.meta.url);

let core: Promise<Tf> | undefined;

async function loadCore(): Promise<Tf> {
  core ??= import('@tensorflow/tfjs-core').then(async (tf) => {
    // Production mode: no per-op debug checks, and no console banner suggesting tfjs-node.
    tf.enableProdMode();
    await registerGradients(tf);
    return tf;
  });
  return core;
}

/**
 * Gradients for `tf.variableGrads`. The CommonJS build that Node loads has none (the
 * @tensorflow/tfjs bundle registers them, tfjs-core alone does not); tfjs-core's own ES module
 * files have them, and tfjs keeps its engine and its registries in one global, so registering
 * from those files serves the CommonJS copy too. Node needs the small module hooks beside this
 * file to load them (extensionless imports).
 */
async function registerGradients(tf: Tf): Promise<void> {
  if (tf.getGradient('Conv2D')) return;
  const here = new URL('.', import.meta.url);
  // Beside the sources; from dist/peers/ the sources are at ../../src/peers/.
  const candidates = [new URL('tfjs-esm-hook.mjs', here), new URL('../../src/peers/tfjs-esm-hook.mjs', here)];
  const hook = candidates.find((url) => existsSync(url));
  if (!hook) throw new Error('bench: tfjs-esm-hook.mjs is missing from @convlab/bench');
  register(hook.href);
  const main = require.resolve('@tensorflow/tfjs-core');
  await import(pathToFileURL(path.join(path.dirname(main), 'register_all_gradients.js')).href);
  if (!tf.getGradient('Conv2D')) throw new Error('bench: TensorFlow.js gradients did not register');
}

const registered = new Set<TfBackend>();

/**
 * Loads tfjs-core and one backend and makes it the active one. Returns why not when a package
 * is missing (the message names the package). The wasm backend reads its .wasm binaries from
 * the installed package's dist/ folder: no network.
 */
export async function loadTfjs(backend: TfBackend): Promise<TfjsPeer | { missing: string }> {
  let tf: Tf;
  try {
    tf = await loadCore();
  } catch {
    return { missing: '@tensorflow/tfjs-core is not installed' };
  }
  const pkg = backend === 'wasm' ? '@tensorflow/tfjs-backend-wasm' : '@tensorflow/tfjs-backend-cpu';
  try {
    if (!registered.has(backend)) {
      if (backend === 'wasm') {
        const wasm = await import('@tensorflow/tfjs-backend-wasm');
        const dist = path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + path.sep;
        wasm.setWasmPaths(dist);
        registerWasmKernels(tf);
      } else {
        await import('@tensorflow/tfjs-backend-cpu');
      }
      registered.add(backend);
    }
  } catch {
    return { missing: `${pkg} is not installed` };
  }
  if (!(await tf.setBackend(backend))) return { missing: `${pkg} did not initialise` };
  await tf.ready();
  const details: TfjsPeer['details'] = { version: tf.version_core };
  let label = `tfjs ${tf.version_core} ${backend}`;
  if (backend === 'wasm') {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    details.simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
    details.multithreadSupported = Boolean(await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'));
    details.threads = wasm.getThreadsCount();
    label += ` (${details.simd ? 'SIMD' : 'no SIMD'}, ${details.threads} thread${details.threads === 1 ? '' : 's'})`;
  }
  return { tf, backend, label, details };
}

/** What the bench adds to TensorFlow.js's wasm backend so that LeNet-5 trains correctly on it. */
export const WASM_KERNEL_NOTE =
  'tfjs wasm 4.22 lacks Conv2DBackpropFilter (the bench supplies it as a transposed conv2d on the backend\'s own XNNPACK ' +
  'kernels) and its MaxPoolGrad drops the gradient of windows whose maximum is negative (the bench replaces it with a ' +
  'plain JavaScript loop)';

/** The parts of tfjs's wasm backend object the stand-in kernels use. */
interface WasmBackendLike {
  readSync(dataId: object): ArrayLike<number>;
  makeOutput(shape: number[], dtype: 'float32'): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): Float32Array;
  disposeData(dataId: object): boolean;
}

/**
 * Two kernels for the wasm backend, each checked against the cpu backend by the bench's smoke
 * test (the loss after one SGD step must agree):
 *
 * - Conv2DBackpropFilter, which the gradient of conv2d needs and 4.22 does not have. For stride
 *   1 and 'valid' padding, dW[i, j, c, k] = sum over n, y, x of x[n, y+i, x+j, c] dy[n, y, x, k]
 *   is itself a 'valid' conv2d: of x transposed to [C, H, W, N] with dy transposed to the filter
 *   [Ho, Wo, N, K], giving [C, kh, kw, K]; so it runs on the backend's own Transpose and Conv2D.
 * - MaxPoolGrad: 4.22's routes nothing from a window whose values are all negative (its running
 *   maximum seems to start at zero). This one recomputes each window's first maximum from the
 *   input, as the cpu backend does, in NHWC, for 'valid' padding.
 */
function registerWasmKernels(tf: Tf): void {
  const run = (name: string, inputs: Record<string, TensorInfo>, backend: unknown, attrs: object): TensorInfo =>
    tf.getKernel(name, 'wasm')!.kernelFunc({ inputs, backend: backend as never, attrs: attrs as never }) as TensorInfo;

  tf.registerKernel({
    kernelName: 'Conv2DBackpropFilter',
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
      const a = attrs as unknown as { strides: number | number[]; pad: unknown; dataFormat: string; filterShape: number[] };
      const strides = typeof a.strides === 'number' ? [a.strides, a.strides] : a.strides;
      if (a.dataFormat !== 'NHWC' || a.pad !== 'valid' || strides.some((s) => s !== 1)) {
        throw new Error("bench: the wasm Conv2DBackpropFilter stand-in handles NHWC, stride 1, 'valid' padding only");
      }
      const b = backend as unknown as WasmBackendLike;
      const xT = run('Transpose', { x }, backend, { perm: [3, 1, 2, 0] });
      const dyT = run('Transpose', { x: dy }, backend, { perm: [1, 2, 0, 3] });
      const product = run('Conv2D', { x: xT, filter: dyT }, backend, { strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', dilations: [1, 1] });
      const dw = run('Transpose', { x: product }, backend, { perm: [1, 2, 0, 3] });
      for (const t of [xT, dyT, product]) b.disposeData(t.dataId);
      return dw;
    },
  });

  tf.registerKernel({
    kernelName: 'MaxPoolGrad',
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { dy, input } = inputs as { dy: TensorInfo; input: TensorInfo };
      const a = attrs as unknown as { filterSize: number | number[]; strides: number | number[]; pad: unknown };
      const [fh, fw] = typeof a.filterSize === 'number' ? [a.filterSize, a.filterSize] : a.filterSize;
      const [sh, sw] = typeof a.strides === 'number' ? [a.strides, a.strides] : a.strides;
      if (a.pad !== 'valid') throw new Error("bench: the wasm MaxPoolGrad stand-in handles 'valid' padding only");
      const b = backend as unknown as WasmBackendLike;
      const x = b.readSync(input.dataId);
      const g = b.readSync(dy.dataId);
      const [n, h, w, c] = input.shape as [number, number, number, number];
      const [, oh, ow] = dy.shape as [number, number, number, number];
      const dx = b.makeOutput([n, h, w, c], 'float32');
      const out = b.typedArrayFromHeap(dx);
      out.fill(0);
      for (let s = 0; s < n; s++) {
        for (let i = 0; i < oh; i++) {
          for (let j = 0; j < ow; j++) {
            for (let ch = 0; ch < c; ch++) {
              let best = -Infinity;
              let at = -1;
              for (let p = 0; p < fh; p++) {
                for (let q = 0; q < fw; q++) {
                  const k = ((s * h + i * sh + p) * w + j * sw + q) * c + ch;
                  if (x[k]! > best || at < 0) {
                    best = x[k]!;
                    at = k;
                  }
                }
              }
              out[at] += g[((s * oh + i) * ow + j) * c + ch]!;
            }
          }
        }
      }
      return dx;
    },
  });
}
