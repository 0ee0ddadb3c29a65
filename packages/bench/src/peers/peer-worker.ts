/**
 * The worker thread of an IsolatedPeer (isolated.ts): loads TensorFlow.js with one backend, or
 * ConvNetJS, builds the cases of tfjs-ops.ts or convnetjs.ts from the tensors it is sent, and runs
 * them on request. Every request
 * gets one reply on the port; then the count of replies in signal[0] goes up by one and the
 * waiting bench thread is woken.
 */
import { workerData, type MessagePort } from 'node:worker_threads';
import { fromDense, type Tensor } from '@convlab/core';
import { convnetLenetTrainingCase, loadConvNetJs, type ConvNetJsPeer } from './convnetjs.js';
import { loadTfjs, type TfjsPeer } from './tfjs.js';
import { convForwardCase, lenetTrainingCase, type LenetWeights, type PeerCase } from './tfjs-ops.js';
import type { LoadReply, PeerLibrary, PeerReply, PeerRequest, PlainLenetWeights, PlainTensor } from './isolated.js';

const { port, signal, backend } = workerData as { port: MessagePort; signal: Int32Array; backend: PeerLibrary };

let peer: { tfjs: TfjsPeer } | { convnetjs: ConvNetJsPeer } | undefined;
const cases = new Map<number, PeerCase>();
let nextId = 0;

function tensorOf(t: PlainTensor): Tensor {
  return fromDense(t.data, t.shape);
}

function weightsOf(w: PlainLenetWeights): LenetWeights {
  const pair = (p: PlainLenetWeights['conv1']) => ({ weight: tensorOf(p.weight), bias: tensorOf(p.bias) });
  return { conv1: pair(w.conv1), conv2: pair(w.conv2), fc1: pair(w.fc1), fc2: pair(w.fc2) };
}

function loaded(): NonNullable<typeof peer> {
  if (!peer) throw new Error('the library is not loaded');
  return peer;
}

function added(c: PeerCase): number {
  cases.set(nextId, c);
  return nextId++;
}

function caseOf(id: number): PeerCase {
  const c = cases.get(id);
  if (!c) throw new Error(`no case ${id}`);
  return c;
}

async function handle(request: PeerRequest): Promise<unknown> {
  switch (request.op) {
    case 'load': {
      if (backend === 'convnetjs') {
        const result = loadConvNetJs();
        if ('missing' in result) return result satisfies LoadReply;
        peer = { convnetjs: result };
        return { label: result.label } satisfies LoadReply;
      }
      const result = await loadTfjs(backend);
      if ('missing' in result) return result satisfies LoadReply;
      peer = { tfjs: result };
      return { label: result.label } satisfies LoadReply;
    }
    case 'conv-forward': {
      const p = loaded();
      if (!('tfjs' in p)) throw new Error('convnetjs has no forward convolution case here');
      return added(convForwardCase(p.tfjs, tensorOf(request.x), tensorOf(request.w), tensorOf(request.b)));
    }
    case 'lenet-training': {
      const p = loaded();
      const weights = weightsOf(request.weights);
      const x = tensorOf(request.x);
      return added('tfjs' in p ? lenetTrainingCase(p.tfjs, weights, x, request.labels, request.lr) : convnetLenetTrainingCase(p.convnetjs, weights, x, request.labels, request.lr));
    }
    case 'run':
      // The value stays here: the timed work is the peer's, not a copy of its output to the bench.
      caseOf(request.id).run();
      return undefined;
    case 'check':
      return caseOf(request.id).check();
    case 'dispose':
      caseOf(request.id).dispose();
      cases.delete(request.id);
      return undefined;
  }
}

// A worker that ends (process.exit in a peer, a fatal error) wakes the bench thread instead of leaving it waiting.
process.on('exit', () => {
  Atomics.store(signal, 1, 1);
  Atomics.notify(signal, 0);
});

port.on('message', async (request: PeerRequest) => {
  let reply: PeerReply;
  try {
    reply = { ok: true, value: await handle(request) };
  } catch (error) {
    reply = { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
  port.postMessage(reply);
  Atomics.add(signal, 0, 1);
  Atomics.notify(signal, 0);
});
