/**
 * convlab beside TensorFlow.js (wasm backend with SIMD, and the pure-JavaScript cpu backend) on
 * the lecture's forward convolutions and one LeNet-5 training iteration, measured interleaved in
 * one process. The cpu backend's training iteration takes minutes at batch 500: it runs only on
 * request (`--peers`), once.
 */
import { conv2d } from '@convlab/core';
import { activate, loadTfjs, type TfBackend, type TfjsPeer } from '../peers/tfjs.js';
import { convForwardCase, type PeerCase } from '../peers/tfjs-ops.js';
import type { BenchContext, BenchRow, BenchSuite } from '../suite.js';
import { convFlops, measureOperation, randomTensor, shapeText, type StrategyCase } from './common.js';
import { LENET_LAYERS } from './lecture.js';

interface Peers {
  available: TfjsPeer[];
  /** "tfjs cpu: @tensorflow/tfjs-backend-cpu is not installed", for the notes. */
  missing: string[];
}

async function loadPeers(): Promise<Peers> {
  const available: TfjsPeer[] = [];
  const missing: string[] = [];
  for (const backend of ['wasm', 'cpu'] as TfBackend[]) {
    const peer = await loadTfjs(backend);
    if ('missing' in peer) missing.push(`tfjs ${backend}: ${peer.missing}`);
    else available.push(peer);
  }
  return { available, missing };
}

/** A strategy case for a peer: its backend made active before each run, outside the timing. */
async function peerCase(peer: TfjsPeer, make: () => PeerCase, flops?: number): Promise<{ strategy: StrategyCase; dispose: () => void }> {
  await activate(peer);
  const c = make();
  return {
    strategy: { strategy: peer.label, prepare: () => activate(peer), run: c.run, check: c.check, flops },
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
  const cases: StrategyCase[] = [{ strategy: 'convlab im2col', flops, run: () => conv2d(x, w, b, { method: 'im2col' }) }];
  const disposers: Array<() => void> = [];
  for (const peer of peers.available) {
    const p = await peerCase(peer, () => convForwardCase(peer, x, w, b), flops);
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

export const peersSuite: BenchSuite = {
  name: 'peers',
  description: 'convlab beside TensorFlow.js (wasm, cpu) on the lecture\'s convolutions and a LeNet-5 training iteration',
  async run(context) {
    const peers = await loadPeers();
    const rows: BenchRow[] = [];
    for (const l of LENET_LAYERS) rows.push(...(await convForward(context, peers, l)));
    return rows;
  },
};
