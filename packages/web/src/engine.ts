/**
 * The demo's engine: a Web Worker that does all the numeric work, so the page stays responsive.
 * It times the lecture's convolution strategies, trains LeNet-5 step by step, and classifies
 * drawings with the pretrained model. convlab's threaded kernels block their calling thread until
 * the pool's workers finish (Atomics.wait), which a browser allows in a worker but not on the page.
 */
import { defaultPool, setNumThreads, setWorkerFactory, simdEnabled } from '@convlab/core';
import { deserializeModel, readModelHeader } from '@convlab/nn';
import { classifyDrawing } from './classify.js';
import type { EngineReply, EngineRequest, Panel } from './messages.js';
import { timeStrategies } from './timing.js';
import { Trainer } from './training.js';

/** The worker's global scope, typed as far as the engine uses it. */
const scope = globalThis as unknown as {
  crossOriginIsolated: boolean;
  postMessage(message: EngineReply): void;
  onmessage: ((event: MessageEvent<EngineRequest>) => void) | null;
};

const MODEL_FILE = 'digits.cvlm';

function send(message: EngineReply): void {
  scope.postMessage(message);
}

/** An error as the one line a Node user would see: the message, never the stack. */
function report(panel: Panel, error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  send({ type: 'error', panel, message: message.split('\n')[0]! });
}

async function fetchBytes(url: string): Promise<Uint8Array> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status} ${response.statusText}`);
  return new Uint8Array(await response.arrayBuffer());
}

async function start(): Promise<void> {
  // Threads share memory, which the browser allows only on a cross-origin isolated page; there
  // the pool's workers run fft's pool-worker script (built beside this one), started up front.
  if (scope.crossOriginIsolated) setWorkerFactory(new URL('./pool-worker.js', import.meta.url));
  else setNumThreads(1);
  const pool = defaultPool();
  await pool.start();
  const threads = pool.threads;
  const bytes = await fetchBytes(MODEL_FILE);
  const model = deserializeModel(bytes, MODEL_FILE);
  model.eval();
  const trainer = new Trainer(send, fetchBytes);
  let queue = Promise.resolve();
  // Requests run one at a time, in order; training steps interleave with them (training.ts).
  scope.onmessage = (event) => {
    const request = event.data;
    queue = queue.then(() => handle(request)).catch((error) => report(panelOf(request), error));
  };
  async function handle(request: EngineRequest): Promise<void> {
    if (request.type === 'time') await timeStrategies(request.batch, send);
    else if (request.type === 'train') await trainer.run(request.steps);
    else if (request.type === 'pause') trainer.pause();
    else send({ type: 'classified', ...classifyDrawing(model, request.pixels, request.width, request.height) });
  }
  send({ type: 'ready', threads, isolated: scope.crossOriginIsolated, simd: simdEnabled(), model: describeModel(bytes, model.parameters()) });
}

/** "digits.cvlm: deep-cnn after epoch 6, 229,340 parameters", from the file's header as `convlab eval` says it. */
function describeModel(bytes: Uint8Array, parameters: ReadonlyArray<{ value: { size: number } }>): string {
  const meta = readModelHeader(bytes, MODEL_FILE).meta as { model?: string; epoch?: number } | undefined;
  const count = parameters.reduce((n, p) => n + p.value.size, 0).toLocaleString('en');
  const trained = meta?.model ? `${meta.model}${meta.epoch ? ` after epoch ${meta.epoch}` : ''}, ` : '';
  return `${MODEL_FILE}: ${trained}${count} parameters`;
}

function panelOf(request: EngineRequest): Panel {
  if (request.type === 'time') return 'timing';
  if (request.type === 'classify') return 'drawing';
  return 'training';
}

start().catch((error) => report('page', error));
