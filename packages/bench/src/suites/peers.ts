/**
 * convlab beside TensorFlow.js (wasm backend with SIMD, and the pure-JavaScript cpu backend) on
 * the lecture's forward convolutions and one LeNet-5 training iteration, measured interleaved in
 * one process. Each TensorFlow.js backend runs on a worker thread of its own (peers/isolated.ts:
 * in the bench's thread the wasm backend's memory growth would slow convlab's typed arrays). The
 * cpu backend's training iteration takes minutes at batch 500: it runs only on request (`--peers`),
 * once.
 */
import os from 'node:os';
import { conv2d, setNumThreads } from '@convlab/core';
import { fftConv2d } from '@convlab/fft';
import type { Tensor } from '@convlab/core';
import { IsolatedPeer } from '../peers/isolated.js';
import { WASM_KERNEL_NOTE, type TfBackend } from '../peers/tfjs.js';
import type { PeerCase } from '../peers/tfjs-ops.js';
import { lenetWeights, seededLenet, syntheticBatch, trainingCase } from '../lenet-iteration.js';
import type { BenchContext, BenchRow, BenchSuite } from '../suite.js';
import { convFlops, measureOperation, randomTensor, relativeDifference, shapeText, withThreads, type StrategyCase } from './common.js';
import { LECTURE_LR, LENET_LAYERS } from './lecture.js';

interface Peers {
  available: IsolatedPeer[];
  /** "tfjs cpu: @tensorflow/tfjs-backend-cpu is not installed", for the notes. */
  missing: string[];
}

async function loadPeers(): Promise<Peers> {
  const available: IsolatedPeer[] = [];
  const missing: string[] = [];
  for (const backend of ['wasm', 'cpu'] as TfBackend[]) {
    const peer = await IsolatedPeer.start(backend);
    if ('missing' in peer) missing.push(`tfjs ${backend}: ${peer.missing}`);
    else available.push(peer);
  }
  return { available, missing };
}

/** A strategy case for a peer's case. */
function peerCase(peer: IsolatedPeer, make: () => PeerCase, flops?: number): { strategy: StrategyCase; dispose: () => void } {
  const c = make();
  return {
    strategy: { strategy: peer.label, run: c.run, check: c.check, flops },
    dispose: () => c.dispose(),
  };
}

async function convForward(context: BenchContext, peers: Peers, l: (typeof LENET_LAYERS)[number]): Promise<BenchRow[]> {
  const n = context.batch;
  const o = l.h - l.f + 1;
  const x = randomTensor([n, l.c, l.h, l.h], 11 * l.layer);
  const w = randomTensor([l.k, l.c, l.f, l.f], 12 * l.layer, 0.2);
  const b = randomTensor([l.k], 13 * l.layer, 0.1);
  const flops = convFlops(n, l.c, l.k, o, o, l.f, l.f);
  const cases: StrategyCase[] = [
    { strategy: 'convlab im2col', flops, run: () => conv2d(x, w, b, { method: 'im2col' }) },
    { strategy: 'convlab fft', flops, run: () => fftConv2d(x, w, b) },
  ];
  const disposers: Array<() => void> = [];
  for (const peer of peers.available) {
    const p = peerCase(peer, () => peer.convForwardCase(x, w, b), flops);
    cases.push(p.strategy);
    disposers.push(p.dispose);
  }
  try {
    return await measureOperation(context, {
      operation: `forward conv, layer ${l.layer} (${shapeText(x.shape)} * ${shapeText(w.shape)})`,
      key: `conv-forward-${l.layer}`,
      note: peers.missing.join('; ') || undefined,
      cases,
    });
  } finally {
    for (const d of disposers) d();
  }
}

async function trainingIteration(context: BenchContext, peers: Peers): Promise<BenchRow[]> {
  const n = context.batch;
  const { x, labels } = syntheticBatch(n, 51);
  const operation = `one LeNet-5 training iteration (batch ${n}: forward, backward, SGD)`;
  const key = 'training-iteration';
  const weights = lenetWeights(seededLenet('im2col', 52));
  const one = () => setNumThreads(1);
  const cases: StrategyCase[] = [
    { strategy: 'convlab im2col', prepare: one, ...trainingCase(seededLenet('im2col', 52), x, labels, LECTURE_LR) },
    { strategy: 'convlab spectral, reused spectra', prepare: one, ...trainingCase(seededLenet('fft', 52), x, labels, LECTURE_LR) },
  ];
  // What `convlab train` runs by default: the cost model's method on every core.
  const threads = os.availableParallelism();
  if (threads > 1) {
    cases.push({
      strategy: `convlab auto, ${threads} threads`,
      prepare: () => setNumThreads(threads),
      ...trainingCase(seededLenet('auto', 52), x, labels, LECTURE_LR),
    });
  }
  // The cpu backend needs minutes per iteration at batch 500: once, on request, measured alone.
  const slow = peers.available.filter((p) => p.backend === 'cpu' && !context.tiny);
  const fast = peers.available.filter((p) => !slow.includes(p));
  const disposers: Array<() => void> = [];
  for (const peer of fast) {
    const p = peerCase(peer, () => peer.lenetTrainingCase(weights, x, labels, LECTURE_LR));
    if (peer.backend === 'wasm') p.strategy.note = WASM_KERNEL_NOTE;
    cases.push(p.strategy);
    disposers.push(p.dispose);
  }
  const notes = [...peers.missing, 'check: the losses of the first two iterations (same weights, same minibatch)'];
  if (slow.length > 0 && !context.peers) notes.push('tfjs cpu: not run (minutes at this batch; --peers runs it)');
  const rows: BenchRow[] = [];
  try {
    rows.push(...(await measureOperation(context, { operation, key, note: notes.join('; '), cases })));
  } finally {
    for (const d of disposers) d();
  }
  if (context.peers) {
    for (const peer of slow) {
      const p = peerCase(peer, () => peer.lenetTrainingCase(weights, x, labels, LECTURE_LR));
      try {
        // Measured alone, once, after the others: its ratio is against their medians, not interleaved.
        const [row] = await measureOperation(context, {
          operation,
          key,
          repeat: 1,
          warmup: 0,
          note: '1 run, no warm-up, not interleaved (minutes per iteration)',
          cases: [p.strategy],
        });
        // One run gives one loss: compare it with the reference's first.
        const mine = Array.from(p.strategy.check!());
        row!.maxRelDiff = relativeDifference(mine, Array.from(cases[0]!.check!()).slice(0, mine.length));
        rows.push(row!);
      } finally {
        p.dispose();
      }
    }
  }
  return rows;
}

export const peersSuite: BenchSuite = {
  name: 'peers',
  description: "convlab beside TensorFlow.js (wasm, cpu) on the lecture's convolutions and a LeNet-5 training iteration (one thread unless a row says otherwise)",
  run: (context) =>
    withThreads(1, async () => {
      const peers = await loadPeers();
      try {
        const rows: BenchRow[] = [];
        for (const l of LENET_LAYERS) rows.push(...(await convForward(context, peers, l)));
        rows.push(...(await trainingIteration(context, peers)));
        return rows;
      } finally {
        await Promise.all(peers.available.map((p) => p.close()));
      }
    }),
};
