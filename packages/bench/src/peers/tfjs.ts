/**
 * TensorFlow.js as a peer: what a JavaScript user would pick instead of convlab. Its packages
 * are optional dependencies of @convlab/bench, loaded on demand; when they are absent the peer
 * rows say "not installed" and the rest of the bench runs as usual.
 */
import { createRequire } from 'node:module';
import path from 'node:path';

export type Tf = typeof import('@tensorflow/tfjs-core');
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
  core ??= import('@tensorflow/tfjs-core').then((tf) => {
    // Production mode: no per-op debug checks, and no console banner suggesting tfjs-node.
    tf.enableProdMode();
    return tf;
  });
  return core;
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

/** Switches the active backend of an already loaded peer (outside any timed span). */
export async function activate(peer: TfjsPeer): Promise<void> {
  if (peer.tf.getBackend() !== peer.backend) await peer.tf.setBackend(peer.backend);
}
