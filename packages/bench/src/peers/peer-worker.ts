/**
 * The worker thread of an IsolatedPeer (isolated.ts): loads TensorFlow.js with one backend, builds
 * the cases of tfjs-ops.ts from the tensors it is sent, and runs them on request. Every request
 * gets one reply on the port; then the count of replies in signal[0] goes up by one and the
 * waiting bench thread is woken.
 */
import { workerData, type MessagePort } from 'node:worker_threads';
import { fromDense, type Tensor } from '@convlab/core';
import { loadTfjs, type TfBackend, type TfjsPeer } from './tfjs.js';
import { convForwardCase, lenetTrainingCase, type LenetWeights, type PeerCase } from './tfjs-ops.js';
import type { LoadReply, PeerReply, PeerRequest, PlainLenetWeights, PlainTensor } from './isolated.js';

const { port, signal, backend } = workerData as { port: MessagePort; signal: Int32Array; backend: TfBackend };

let peer: TfjsPeer | undefined;
const cases = new Map<number, PeerCase>();
let nextId = 0;

function tensorOf(t: PlainTensor): Tensor {
  return fromDense(t.data, t.shape);
}

function weightsOf(w: PlainLenetWeights): LenetWeights {
  const pair = (p: PlainLenetWeights['conv1']) => ({ weight: tensorOf(p.weight), bias: tensorOf(p.bias) });
  return { conv1: pair(w.conv1), conv2: pair(w.conv2), fc1: pair(w.fc1), fc2: pair(w.fc2) };
}

function loaded(): TfjsPeer {
  if (!peer) throw new Error('the backend is not loaded');
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
      const result = await loadTfjs(backend);
      if ('missing' in result) return result satisfies LoadReply;
      peer = result;
      return { backend: result.backend, label: result.label, details: result.details } satisfies LoadReply;
    }
    case 'conv-forward':
      return added(convForwardCase(loaded(), tensorOf(request.x), tensorOf(request.w), tensorOf(request.b)));
    case 'lenet-training':
      return added(lenetTrainingCase(loaded(), weightsOf(request.weights), tensorOf(request.x), request.labels, request.lr));
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
