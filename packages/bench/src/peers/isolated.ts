/**
 * A peer library (a TensorFlow.js backend, or ConvNetJS) on a worker thread of its own, called
 * synchronously from the bench.
 *
 * Why not in the bench's own thread: the wasm backend grows its memory, and growing a wasm memory
 * detaches the ArrayBuffer it had. The first detached ArrayBuffer in a V8 isolate switches off an
 * assumption V8 makes for every typed array of that isolate (that none is ever detached) for the
 * rest of its life, and typed-array loops then check their buffer on every access: a typed-array
 * dot product, a small matrix product and convlab's LeNet-5 step all measured markedly slower
 * after one unrelated ArrayBuffer is detached (after one TensorFlow.js wasm step in the same thread). A user training with convlab pays nothing
 * of the kind, so a peer that penalises its neighbour gets a thread (an isolate) of its own; so do
 * the others, whose garbage then stays out of the bench thread's heap as well. The
 * cases are still timed interleaved with convlab's, from the bench's thread: `run` posts the
 * request, blocks until the worker answers, and includes that round trip (a fraction of a
 * millisecond).
 */
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { dense, type FloatArray, type Tensor } from '@convlab/core';
import type { TfBackend } from './tfjs.js';
import type { LenetWeights, PeerCase } from './tfjs-ops.js';

/** A tensor as it crosses to the worker: its values (copied) and its shape. */
export interface PlainTensor {
  data: FloatArray;
  shape: number[];
}

export type PlainLenetWeights = { [layer in keyof LenetWeights]: { weight: PlainTensor; bias: PlainTensor } };

export type PeerRequest =
  | { op: 'load' }
  | { op: 'conv-forward'; x: PlainTensor; w: PlainTensor; b: PlainTensor }
  | { op: 'lenet-training'; weights: PlainLenetWeights; x: PlainTensor; labels: Int32Array; lr: number }
  | { op: 'run' | 'check' | 'dispose'; id: number };

export type PeerReply = { ok: true; value?: unknown } | { ok: false; error: string };

/** The libraries a worker can load: a TensorFlow.js backend, or ConvNetJS. */
export type PeerLibrary = TfBackend | 'convnetjs';

/** What the worker reports after loading its library: its label, e.g. "tfjs 4.22.0 wasm (SIMD, 1 thread)". */
export type LoadReply = { label: string } | { missing: string };

/** The longest a call may take before the bench gives up on the worker (tfjs cpu's iteration takes minutes). */
const CALL_TIMEOUT_MS = 30 * 60 * 1000;

/** The built worker script: `../../dist/peers/peer-worker.js` names it from src/peers/ and from dist/peers/ alike. */
const WORKER_URL = new URL('../../dist/peers/peer-worker.js', import.meta.url);

function plain(t: Tensor): PlainTensor {
  return { data: dense(t).data, shape: [...t.shape] };
}

export class IsolatedPeer {
  private closed = false;

  private constructor(
    private readonly worker: Worker,
    private readonly port: MessagePort,
    private readonly signal: Int32Array,
    readonly backend: PeerLibrary,
    readonly label: string,
  ) {}

  /** Starts a worker with `backend` (a TensorFlow.js backend, or ConvNetJS) loaded, or says why it cannot. */
  static async start(backend: PeerLibrary): Promise<IsolatedPeer | { missing: string }> {
    if (!existsSync(WORKER_URL)) {
      return { missing: `the built peer worker ${fileURLToPath(WORKER_URL)} is missing (build with \`npx tsc -b\`)` };
    }
    const signal = new Int32Array(new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT));
    const { port1, port2 } = new MessageChannel();
    const worker = new Worker(WORKER_URL, { workerData: { port: port2, signal, backend }, transferList: [port2] });
    let reply: PeerReply;
    try {
      reply = await new Promise<PeerReply>((resolve, reject) => {
        port1.once('message', resolve);
        worker.once('error', reject);
        worker.once('exit', (code) => reject(new Error(`the worker exited with code ${code}`)));
        port1.postMessage({ op: 'load' } satisfies PeerRequest);
      });
    } catch (error) {
      await worker.terminate();
      return { missing: `${backend === 'convnetjs' ? 'convnetjs' : `tfjs ${backend}`} worker failed to start: ${(error as Error).message}` };
    }
    worker.removeAllListeners('exit');
    worker.removeAllListeners('error');
    // Later replies are read synchronously (receiveMessageOnPort); the port must not keep the process alive.
    port1.removeAllListeners('message');
    port1.unref();
    worker.unref();
    if (!reply.ok) {
      await worker.terminate();
      return { missing: reply.error };
    }
    const loaded = reply.value as LoadReply;
    if ('missing' in loaded) {
      await worker.terminate();
      return loaded;
    }
    return new IsolatedPeer(worker, port1, signal, backend, loaded.label);
  }

  /** The forward convolution case of tfjs-ops.ts, run on the worker (TensorFlow.js only). */
  convForwardCase(x: Tensor, w: Tensor, b: Tensor): PeerCase {
    return this.remoteCase({ op: 'conv-forward', x: plain(x), w: plain(w), b: plain(b) });
  }

  /** The LeNet-5 training case of tfjs-ops.ts (or convnetjs.ts), run on the worker. */
  lenetTrainingCase(weights: LenetWeights, x: Tensor, labels: Int32Array, lr: number): PeerCase {
    const pair = (p: { weight: Tensor; bias: Tensor }) => ({ weight: plain(p.weight), bias: plain(p.bias) });
    const plainWeights: PlainLenetWeights = {
      conv1: pair(weights.conv1),
      conv2: pair(weights.conv2),
      fc1: pair(weights.fc1),
      fc2: pair(weights.fc2),
    };
    return this.remoteCase({ op: 'lenet-training', weights: plainWeights, x: plain(x), labels, lr });
  }

  /** Ends the worker; its cases cannot run any more. */
  async close(): Promise<void> {
    this.closed = true;
    this.port.close();
    await this.worker.terminate();
  }

  private remoteCase(request: PeerRequest): PeerCase {
    const id = this.call(request) as number;
    return {
      run: () => this.call({ op: 'run', id }),
      check: () => this.call({ op: 'check', id }) as Float32Array,
      dispose: () => void this.call({ op: 'dispose', id }),
    };
  }

  /**
   * Posts a request and blocks until the worker's answer is on the port. The worker counts its
   * answers in signal[0] after posting each one, so a count that moved means an answer is there;
   * signal[1] is set when the worker exits.
   */
  private call(request: PeerRequest): unknown {
    if (this.closed) throw new Error(`${this.label}: "${request.op}" after the peer was closed`);
    this.port.postMessage(request);
    const deadline = performance.now() + CALL_TIMEOUT_MS;
    for (;;) {
      const answered = Atomics.load(this.signal, 0);
      const received = receiveMessageOnPort(this.port);
      if (received) {
        const reply = received.message as PeerReply;
        if (!reply.ok) throw new Error(`${this.label}: ${request.op} failed in its worker: ${reply.error}`);
        return reply.value;
      }
      if (Atomics.load(this.signal, 1) !== 0) throw new Error(`${this.label}: its worker exited before answering "${request.op}"`);
      const left = deadline - performance.now();
      if (left <= 0) throw new Error(`${this.label}: no answer to "${request.op}" from its worker in ${CALL_TIMEOUT_MS / 60000} minutes`);
      Atomics.wait(this.signal, 0, answered, left);
    }
  }
}
